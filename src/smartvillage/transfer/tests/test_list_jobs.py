"""A large list (a province's, a big commune's) as a background job: the file, the audit."""

import datetime as dt
import io

from openpyxl import load_workbook

from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.core.testing import HouseholdFactory
from smartvillage.jobs import services
from smartvillage.jobs.models import Status
from smartvillage.transfer import jobs

PHUTHO = "phutho-khu-dan-cu-thong-minh-1491"


def test_list_export_job_writes_the_file_and_audits(world, django_capture_on_commit_callbacks):
    HouseholdFactory(village=world.village1, code="L1", head_name="Hộ Có Cáp", fibre_internet=True)
    province = world.village1.parent.parent.parent
    assert jobs.list_needs_job(province) and not jobs.list_needs_job(world.village1)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_list_export(
            world.alice, world.village1, PHUTHO, "1.1", "xlsx", dt.date(2024, 3, 5)
        )
    job.refresh_from_db()
    assert job.status == Status.DONE, job.message
    book = load_workbook(io.BytesIO(services.read_job_file(job)))
    assert "Hộ Có Cáp" in [c.value for row in book.active.iter_rows() for c in row]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=world.alice).count() == 1


def test_list_export_job_refuses_without_the_right(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_list_export(world.bob, world.village1, PHUTHO, "1.1", "xlsx", None)
    job.refresh_from_db()
    assert job.status == Status.FAILED and "không có quyền" in job.message
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_province_list_download_becomes_a_job_page(
    client, world, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    HouseholdFactory(village=world.village1, code="L2", head_name="Hộ Tỉnh", fibre_internet=True)
    client.force_login(world.erin)
    url = reverse("transfer:list_download", args=[world.province.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, {"set": PHUTHO, "criterion": "1.1", "format": "xlsx"})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    from smartvillage.jobs.models import Job

    job = Job.objects.get()
    assert job.status == Status.DONE, job.message
    book = load_workbook(io.BytesIO(services.read_job_file(job)))
    assert "Hộ Tỉnh" in [c.value for row in book.active.iter_rows() for c in row]
