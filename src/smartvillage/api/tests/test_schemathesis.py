"""Schemathesis over the whole API, in-process (WSGI), as a logged-in system administrator.

Every operation of /api/schema/ gets a bounded number of generated requests (fixed seed, no
shrinking), and every response is checked: no server error, every status documented, bodies,
content types and headers as the schema says. Failures of all operations are collected and
reported together. Bounded for CI: MAX_EXAMPLES per operation (< 90 s for the whole API).
"""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from smartvillage.assessments import services as assessment_services
from smartvillage.core.testing import PASSWORD, HouseholdFactory, PersonFactory, build_world
from smartvillage.evidence import services as evidence_services
from smartvillage.plans import services as plan_services
from smartvillage.transfer import jobs

THANHHOA = "thanhhoa-thon-thong-minh-35"
MAX_EXAMPLES = 5
SEED = 20251204
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Operations that change the registry of the world while generating are fine (one transaction,
# rolled back after the test); none is skipped.


@pytest.fixture
def in_test_transaction():
    """Requests go to the plain WSGI handler (as in production), whose request signals would
    close the test's connection and its transaction; Django's test client unhooks them too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_headers(db, settings, in_test_transaction):
    # Basic auth on every request: a fast hasher keeps 200 logins within the budget.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
    world = build_world()
    token = base64.b64encode(f"{world.root.username}:{PASSWORD}".encode()).decode()
    return world, {"Authorization": f"Basic {token}"}


def _real_ids(world) -> dict[str, dict[str, object]]:
    """Path parameters naming objects that exist, per path: generated ids mostly miss (404), so
    each operation also runs against these, reaching its 200s and its validation."""
    root, village = world.root, world.village1
    household = HouseholdFactory(village=village)
    person = PersonFactory(household=household)
    record = evidence_services.do_create_evidence(
        root,
        village,
        category="document",
        type="decision_digital_team",
        title="QĐ tổ CNSCĐ",
        upload=SimpleUploadedFile("qd.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
    )
    plan = plan_services.do_create_plan(root, village, THANHHOA, year=2025)
    item = plan.items.first()
    task = plan_services.do_add_task(root, item, executor="village", description="Lắp loa")
    assessment = assessment_services.do_create(root, village, THANHHOA, dt.date(2025, 6, 30))
    upload = SimpleUploadedFile("ds.csv", "Mã hộ,Họ và tên,Năm sinh\nS1,Lò Văn Một,1980\n".encode())
    job = jobs.start_preview(jobs.create_job(village, root, [upload]), background=False)
    return {
        "/api/units/{id}/": {"id": village.pk},
        "/api/units/{unit_pk}/": {"unit_pk": village.pk},
        "/api/households/": {"id": household.pk, "household_pk": household.pk},
        "/api/persons/": {"id": person.pk},
        "/api/evidence/": {"id": record.pk},
        "/api/plans/": {"id": plan.pk},
        "/api/plan-items/": {"item_pk": item.pk},
        "/api/tasks/": {"id": task.pk},
        "/api/assessments/": {"id": assessment.pk},
        "/api/imports/": {"id": str(job.pk)},
        "/api/criteria-sets/": {"slug": THANHHOA},
    }


def _params_for(path: str, real: dict[str, dict[str, object]]) -> dict[str, object]:
    for prefix, params in real.items():
        if path.startswith(prefix.split("{")[0]) and (
            "{" not in prefix or path.startswith(prefix.rstrip("/"))
        ):
            return params
    return {}


def _operation_test(operation, headers: dict[str, str], known: dict[str, object]):
    """A bounded, seeded hypothesis test of one operation; `known` replaces path parameters."""

    @seed(SEED)
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: schemathesis.Case) -> None:
        if known and case.path_parameters:
            case.path_parameters = {
                name: known.get(name, value) for name, value in case.path_parameters.items()
            }
        case.call_and_validate(headers=headers, checks=CHECKS)

    return run


def test_whole_api_conforms_to_its_schema(admin_headers):
    world, headers = admin_headers
    real = _real_ids(world)
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        known = _params_for(operation.path, real)
        for with_real_ids in (False, True):
            run = _operation_test(operation, headers, known if with_real_ids else {})
            try:
                run()
            except Exception as exc:  # collected: one report for the whole API
                failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:3000])
    assert operations >= 30, operations
    assert not failures, "\n\n".join(failures)
