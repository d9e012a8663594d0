"""Mounted at /api/ by the site urls.py (not by web_urls, which skips this app)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from smartvillage.api import views

app_name = "api"

urlpatterns = [
    path("units/", views.UnitListView.as_view(), name="units"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit"),
    path(
        "units/<int:unit_pk>/households/",
        views.UnitHouseholdsView.as_view(),
        name="unit_households",
    ),
    path(
        "units/<int:unit_pk>/evaluation/",
        views.UnitEvaluationView.as_view(),
        name="unit_evaluation",
    ),
    path("units/<int:unit_pk>/worklist/", views.UnitWorklistView.as_view(), name="unit_worklist"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household"),
    path(
        "households/<int:household_pk>/persons/",
        views.HouseholdPersonsView.as_view(),
        name="household_persons",
    ),
    path("persons/<int:pk>/", views.PersonDetailView.as_view(), name="person"),
    path("criteria-sets/", views.CriteriaSetListView.as_view(), name="criteria_sets"),
    path("criteria-sets/<slug:slug>/", views.CriteriaSetDetailView.as_view(), name="criteria_set"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
]
