"""Import files go through the media storage (docs/decisions/011): with the default storage in
memory (nothing on this machine's disk, as with a bucket shared by several nodes) a web upload is
stored by name, the queued job reads it through the storage, the rejected rows come back from the
storage, and erasure and the 2-day purge delete through it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from smartvillage.core.testing import PASSWORD
from smartvillage.jobs.tests.storage import use_memory_media
from smartvillage.registry import erasure
from smartvillage.registry import services as registry
from smartvillage.registry.models import Person
from smartvillage.transfer import jobs
from smartvillage.transfer.models import ImportJob, JobStatus
from smartvillage.transfer.tests.test_web_step import _list_with_bad_dates

NAME = "Phùng Thị Xoá Bỏ"


@pytest.fixture
def memory_media(settings):
    media_root = use_memory_media(settings)
    settings.TRANSFER_INLINE_BYTES = 0  # every file goes to the queue: the worker reads it
    yield
    assert not media_root.exists(), "a media file was written to the local disk"


def test_upload_then_queued_preview_and_partial_write_read_the_stored_file(
    client, world, tmp_path, memory_media, django_capture_on_commit_callbacks
):
    content = _list_with_bad_dates(tmp_path / "ds.xlsx", {2, 4, 6}).read_bytes()
    assert client.login(username=world.alice.username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(
            reverse("transfer:import", args=[world.village1.pk]),
            {"files": SimpleUploadedFile("ds.xlsx", content)},
        )
    assert response.status_code == 302 and len(queued) == 1  # the preview went to the queue
    job = ImportJob.objects.get()
    stored = f"imports/{job.pk}/0.xlsx"
    assert job.files == [{"file": stored, "name": "ds.xlsx", "size": len(content)}]
    assert default_storage.open(stored).read() == content
    assert job.status == JobStatus.PREVIEWED and job.report["error_count"] == 3, job.message
    client.get(reverse("transfer:job", args=[job.pk]))

    with django_capture_on_commit_callbacks(execute=True) as queued:
        client.post(reverse("transfer:job_confirm", args=[job.pk]), {"partial": "1"})
    job.refresh_from_db()
    assert len(queued) == 1 and job.status == JobStatus.DONE, job.message
    assert set(Person.objects.values_list("household__code", flat=True)) == {"P1", "P3", "P5"}
    assert jobs.pending_files(job) == []  # the uploaded personal data is not kept
    assert job.report["rejected_file"] == f"imports/rejected/{job.pk}.xlsx"
    assert not job.report["rejected_path"]  # no local path of the worker's machine

    page = client.get(reverse("transfer:job", args=[job.pk])).content.decode()
    assert "Tải các dòng bị từ chối" in page
    response = client.get(reverse("transfer:job_rejected", args=[job.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    rows = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    codes = {r[0] for r in rows.iter_rows(min_row=2, values_only=True) if any(r)}
    assert codes == {"P2", "P4", "P6"}
    client.logout()
    client.force_login(world.bob)  # another village's head
    assert client.get(reverse("transfer:job_rejected", args=[job.pk])).status_code == 404

    # Two days on, the rejected rows (names, identity numbers) are deleted from the storage.
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(days=3))
    jobs.purge_old_uploads()
    assert not default_storage.exists(f"imports/rejected/{job.pk}.xlsx")


def test_a_missing_stored_file_fails_the_job_with_a_message(world, memory_media):
    upload = SimpleUploadedFile("ds.csv", "Mã hộ,Họ và tên\nA1,Lò Văn A\n".encode())
    job = jobs.create_job(world.village1, world.alice, [upload])
    default_storage.delete(job.files[0]["file"])
    job = jobs.start_preview(job, background=False)
    assert job.status == JobStatus.FAILED and job.message == jobs.MISSING_MESSAGE


def test_erasure_reads_and_deletes_pending_files_through_the_storage(world, memory_media):
    household = registry.do_create_household(world.alice, world.village1, code="E1", head_name=NAME)
    person = registry.do_create_person(world.alice, household, full_name=NAME, relationship="head")
    naming = jobs.create_job(
        world.village1,
        world.alice,
        [SimpleUploadedFile("ds.csv", f"Mã hộ,Họ và tên\nE1,{NAME}\n".encode())],
    )
    other = jobs.create_job(
        world.village1,
        world.alice,
        [SimpleUploadedFile("khac.csv", "Mã hộ,Họ và tên\nK1,Lò Văn Khác\n".encode())],
    )
    assert erasure.media_mentions([NAME]) == [f"imports/{naming.pk}/0.csv"]
    data = registry.do_export_person_data(world.alice, person)
    assert [p["job"] for p in data["pending_imports"]] == [str(naming.pk)]

    result = registry.do_erase_person(world.alice, person)

    assert result.import_jobs == 1 and result.files == ["0.csv"]
    assert jobs.pending_files(naming) == [] and jobs.pending_files(other)
    assert erasure.media_mentions([NAME]) == []
    naming.refresh_from_db()
    assert naming.status == JobStatus.FAILED and "91/2025/QH15" in naming.message


def test_erasure_deletes_a_rejected_rows_file_that_names_the_person(world, tmp_path, memory_media):
    # She is in the registry, and in a rejected row of a partial import (a wrong date).
    household = registry.do_create_household(world.alice, world.village1, code="X1", head_name="X")
    person = registry.do_create_person(world.alice, household, full_name="Đinh Thị Vợ 2")
    path = _list_with_bad_dates(tmp_path / "ds.xlsx", {2})
    job = jobs.create_job(
        world.village1, world.alice, [SimpleUploadedFile("ds.xlsx", path.read_bytes())]
    )
    job = jobs.start_preview(job, background=False)
    job.partial = True
    job.save(update_fields=["partial"])
    job = jobs.start_apply(job, background=False)
    assert job.status == JobStatus.DONE and default_storage.exists(jobs.rejected_name(job))

    result = registry.do_erase_person(world.alice, person)

    assert f"{job.pk}.xlsx" in result.files and not default_storage.exists(jobs.rejected_name(job))
    job.refresh_from_db()
    assert job.report["rejected_file"] == "" and job.report["rejected"] == 2
    assert erasure.media_mentions(["Đinh Thị Vợ 2"]) == []
