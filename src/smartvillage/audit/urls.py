from django.urls import path

from smartvillage.audit import access_views, views

app_name = "audit"

urlpatterns = [
    path(
        "households/<int:household_pk>/history/", views.household_history, name="household_history"
    ),
    path("units/<int:unit_pk>/access/", access_views.unit_access, name="unit_access"),
]
