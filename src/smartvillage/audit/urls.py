from django.urls import path

from smartvillage.audit import views

app_name = "audit"

urlpatterns = [
    path(
        "households/<int:household_pk>/history/", views.household_history, name="household_history"
    ),
]
