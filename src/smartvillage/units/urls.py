from django.urls import path

from smartvillage.units import views

app_name = "units"

urlpatterns = [
    path("units/<int:pk>/attributes/", views.unit_attributes, name="attributes"),
    path("units/<int:pk>/commune-groups/", views.commune_groups, name="commune_groups"),
]
