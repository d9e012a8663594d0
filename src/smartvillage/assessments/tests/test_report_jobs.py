"""A PDF report is a background job: the page redirects to the job's page, the job renders it,
records the export of personal data like a direct download, and only its user downloads it."""

import pytest
from django.urls import reverse

from smartvillage.assessments import services
from smartvillage.assessments.tests.conftest import AT, PHUTHO
from smartvillage.audit.models import AuditEvent
from smartvillage.core.testing import PASSWORD
from smartvillage.jobs.models import Job, Status

pytestmark = pytest.mark.skipif(
    not __import__("shutil").which("soffice"), reason="PDF needs LibreOffice (soffice)"
)


def test_mau01_pdf_runs_as_a_job_with_the_export_audited(
    world, village_data, client, django_capture_on_commit_callbacks
):
    a = services.do_create(world.alice, world.village1, PHUTHO, AT)
    services.do_submit(world.alice, a)
    assert client.login(username="alice", password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("assessments:report", args=[a.pk, "mau01", "pdf"]))
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:job", args=[job.pk])
    assert job.status == Status.DONE, job.message
    assert job.user == world.alice and job.file_name.endswith(".pdf")
    page = client.get(response.url).content.decode()
    assert "Mẫu số 01" in page and "Tải về" in page
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    export = AuditEvent.objects.get(action="export")
    assert export.actor == world.alice and "PDF" in export.note and "Biểu 01" in export.note

    client.logout()
    assert client.login(username="bob", password=PASSWORD)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
