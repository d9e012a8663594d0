from django.urls import path

from smartvillage.homes import insights, views

# The namespace stays "core": these pages lived in the core app until issue 10, and every
# template, test and other app's redirect says core:home, core:unit, core:login.
app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.all_units, name="all_units"),
    path("units/search/", views.unit_search, name="unit_search"),
    path("units/<int:pk>/map/", insights.unit_map, name="unit_map"),
    path("units/<int:pk>/map/position/", insights.village_position, name="village_position"),
    path("units/<int:pk>/trend/", insights.unit_trend, name="unit_trend"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/villages/new/", views.village_create, name="village_create"),
]
