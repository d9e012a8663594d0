from django.urls import path

from smartvillage.evidence import views

app_name = "evidence"

urlpatterns = [
    path("units/<int:unit_pk>/evidence/", views.evidence_list, name="list"),
    path("units/<int:unit_pk>/evidence/add/", views.evidence_add, name="add"),
    path("evidence/<int:pk>/edit/", views.evidence_edit, name="edit"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="delete"),
    path("evidence/<int:pk>/file/", views.evidence_download, name="download"),
]
