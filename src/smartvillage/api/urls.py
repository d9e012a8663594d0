"""Mounted at /api/ by the site urls.py (not by web_urls, which skips this app)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from smartvillage.api import views, work_views

app_name = "api"

# Every operation documents every status it can answer (api/schema.py); the schema view is the
# one schemathesis and clients read.
SCHEMA_SETTINGS = {
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "smartvillage.api.schema.document_errors",
    ]
}

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
    path("persons/<int:pk>/personal-data/", views.PersonDataView.as_view(), name="person_data"),
    path("persons/<int:pk>/erase/", views.PersonErasureView.as_view(), name="person_erase"),
    path("criteria-sets/", views.CriteriaSetListView.as_view(), name="criteria_sets"),
    path("criteria-sets/<slug:slug>/", views.CriteriaSetDetailView.as_view(), name="criteria_set"),
    # evidence
    path(
        "units/<int:unit_pk>/evidence/", work_views.UnitEvidenceView.as_view(), name="unit_evidence"
    ),
    path("evidence/<int:pk>/", work_views.EvidenceDetailView.as_view(), name="evidence"),
    path("evidence/<int:pk>/file/", work_views.EvidenceFileView.as_view(), name="evidence_file"),
    # plans and tasks
    path("units/<int:unit_pk>/plans/", work_views.UnitPlansView.as_view(), name="unit_plans"),
    path("plans/<int:pk>/", work_views.PlanDetailView.as_view(), name="plan"),
    path(
        "plan-items/<int:item_pk>/tasks/",
        work_views.PlanItemTasksView.as_view(),
        name="plan_item_tasks",
    ),
    path("tasks/<int:pk>/", work_views.TaskDetailView.as_view(), name="task"),
    # assessments and their workflow
    path(
        "units/<int:unit_pk>/assessments/",
        work_views.UnitAssessmentsView.as_view(),
        name="unit_assessments",
    ),
    path("assessments/<int:pk>/", work_views.AssessmentDetailView.as_view(), name="assessment"),
    path("assessments/<int:pk>/submit/", work_views.AssessmentSubmitView.as_view()),
    path("assessments/<int:pk>/confirm/", work_views.AssessmentConfirmView.as_view()),
    path("assessments/<int:pk>/return/", work_views.AssessmentReturnView.as_view()),
    path("assessments/<int:pk>/appraise/", work_views.AssessmentAppraiseView.as_view()),
    path("assessments/<int:pk>/recognise/", work_views.AssessmentRecogniseView.as_view()),
    # import jobs
    path("units/<int:unit_pk>/imports/", work_views.UnitImportsView.as_view(), name="unit_imports"),
    path("imports/<uuid:pk>/", work_views.ImportJobDetailView.as_view(), name="import_job"),
    path("imports/<uuid:pk>/mapping/", work_views.ImportMappingView.as_view(), name="import_map"),
    path(
        "imports/<uuid:pk>/confirm/", work_views.ImportConfirmView.as_view(), name="import_confirm"
    ),
    path("schema/", SpectacularAPIView.as_view(custom_settings=SCHEMA_SETTINGS), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    # Anything else under /api/ is a JSON 404, never the site's HTML page.
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not_found"),
]
