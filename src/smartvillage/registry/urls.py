from django.urls import path

from smartvillage.registry import personal_data_views, views

app_name = "registry"

urlpatterns = [
    path("units/<int:unit_pk>/households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/delete/", views.household_delete, name="household_delete"),
    path("households/<int:household_pk>/persons/new/", views.person_create, name="person_create"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/delete/", views.person_delete, name="person_delete"),
    path(
        "persons/<int:pk>/personal-data/",
        personal_data_views.person_data_page,
        name="person_data",
    ),
    path(
        "persons/<int:pk>/personal-data/download/",
        personal_data_views.person_data_download,
        name="person_data_download",
    ),
    path("persons/<int:pk>/erase/", personal_data_views.person_erase, name="person_erase"),
]
