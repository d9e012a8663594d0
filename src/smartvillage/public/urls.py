from django.urls import path

from smartvillage.public import views

app_name = "public"

urlpatterns = [
    path("cong-khai/<slug:slug>/", views.page, name="page"),
    path("cong-khai/<slug:slug>/ap-phich/", views.poster, name="poster"),
    path("cong-khai/<slug:slug>/qr.svg", views.qr, name="qr"),
    path("units/<int:unit_id>/cong-khai/", views.manage, name="manage"),
]
