from django.urls import path

from smartvillage.transfer import views

app_name = "transfer"

urlpatterns = [
    path("units/<int:unit_id>/import/", views.import_start, name="import"),
    path("units/<int:unit_id>/import/template.xlsx", views.template_download, name="template"),
    path(
        "units/<int:unit_id>/import/registry.xlsx", views.registry_download, name="registry_export"
    ),
    path("units/<int:unit_id>/import/events/<int:event_id>/", views.event_detail, name="event"),
    path(
        "units/<int:unit_id>/import/mappings/<int:mapping_id>/delete/",
        views.saved_mapping_delete,
        name="saved_mapping_delete",
    ),
    path("import/jobs/<uuid:job_id>/", views.job_detail, name="job"),
    path("import/jobs/<uuid:job_id>/progress/", views.job_progress, name="job_progress"),
    path("import/jobs/<uuid:job_id>/mapping/", views.job_mapping, name="job_mapping"),
    path("import/jobs/<uuid:job_id>/confirm/", views.job_confirm, name="job_confirm"),
    path("import/jobs/<uuid:job_id>/rejected.xlsx", views.job_rejected, name="job_rejected"),
    path("import/xlsform.xlsx", views.xlsform_download, name="xlsform"),
    path("units/<int:unit_id>/lists/", views.list_index, name="lists"),
    path("units/<int:unit_id>/lists/download/", views.list_download, name="list_download"),
]
