from django.urls import path

from smartvillage.assessments import views

app_name = "assessments"

urlpatterns = [
    path("units/<int:unit_pk>/assessments/", views.assessment_list, name="list"),
    path("units/<int:unit_pk>/reports/<str:kind>.<str:fmt>", views.unit_report, name="unit_report"),
    path("assessments/<int:pk>/", views.assessment_detail, name="detail"),
    path("assessments/<int:pk>/step/<str:step>/", views.assessment_step, name="step"),
    path(
        "assessments/<int:pk>/report/<str:kind>.<str:fmt>", views.assessment_report, name="report"
    ),
]
