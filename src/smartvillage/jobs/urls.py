from django.urls import path

from smartvillage.jobs import views

app_name = "jobs"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job"),
    path("jobs/<uuid:job_id>/progress/", views.job_progress, name="progress"),
    path("jobs/<uuid:job_id>/download/", views.job_download, name="download"),
]
