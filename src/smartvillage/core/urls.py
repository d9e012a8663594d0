from django.urls import path

from smartvillage.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/villages/new/", views.village_create, name="village_create"),
]
