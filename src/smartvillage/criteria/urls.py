from django.urls import path

from smartvillage.criteria import authoring, fix, views

app_name = "criteria"

urlpatterns = [
    path("units/<int:pk>/criteria/", views.unit_criteria, name="unit"),
    path(
        "units/<int:pk>/criteria/<slug:slug>/<str:code>/worklist/", views.worklist, name="worklist"
    ),
    path(
        "units/<int:pk>/criteria/<slug:slug>/<str:code>/worklist/fix/<int:member>/",
        fix.worklist_fix,
        name="worklist_fix",
    ),
    # Authoring new set versions (criteria.authoring)
    path("criteria/authoring/", authoring.index, name="authoring_index"),
    path("criteria/authoring/new/", authoring.new, name="authoring_new"),
    path("criteria/authoring/<int:pk>/", authoring.edit, name="authoring_edit"),
    path("criteria/authoring/<int:pk>/validate/", authoring.validate, name="authoring_validate"),
    path(
        "criteria/authoring/<int:pk>/criterion/",
        authoring.criterion,
        name="authoring_criterion_add",
    ),
    path(
        "criteria/authoring/<int:pk>/criterion/<str:code>/",
        authoring.criterion,
        name="authoring_criterion",
    ),
    path(
        "criteria/authoring/<int:pk>/criterion/<str:code>/remove/",
        authoring.remove,
        name="authoring_remove",
    ),
    path("criteria/authoring/<int:pk>/preview/", authoring.preview, name="authoring_preview"),
    path("criteria/authoring/<int:pk>/delete/", authoring.delete, name="authoring_delete"),
    path("criteria/authoring/<int:pk>/publish/", authoring.publish, name="authoring_publish"),
    path("criteria/authoring/<int:pk>/diff/", authoring.draft_diff, name="authoring_draft_diff"),
    path(
        "criteria/authoring/diff/<slug:slug>/<int:old>/<int:new>/",
        authoring.version_diff,
        name="authoring_version_diff",
    ),
]
