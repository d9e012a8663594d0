from django.urls import path

from smartvillage.criteria import views

app_name = "criteria"

urlpatterns = [
    path("units/<int:pk>/criteria/", views.unit_criteria, name="unit"),
    path(
        "units/<int:pk>/criteria/<slug:slug>/<str:code>/worklist/", views.worklist, name="worklist"
    ),
]
