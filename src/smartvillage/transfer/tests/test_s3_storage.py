"""Media on S3 (docs/decisions/011), against moto's S3: the web request stores the upload in the
bucket, the worker (the real `worker` command, as on another node) reads it from the bucket, and
the rejected rows and a job's file are downloaded from the bucket through the permission-checked
views. Objects are private."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from smartvillage.core.testing import PASSWORD
from smartvillage.jobs import services
from smartvillage.jobs.models import Status
from smartvillage.registry.models import Person
from smartvillage.transfer.models import ImportJob, JobStatus
from smartvillage.transfer.tests.test_web_step import _list_with_bad_dates

pytest.importorskip("storages")
moto = pytest.importorskip("moto")

BUCKET = "thon-thong-minh-media"
REGION = "ap-southeast-1"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def bucket(settings, monkeypatch):
    import boto3

    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with moto.mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        # The options settings.py builds for MEDIA_STORAGE=s3 (test_media_storage checks them).
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": REGION,
                    "access_key": "testing",
                    "secret_key": "testing",
                    "default_acl": None,
                    "querystring_auth": True,
                    "querystring_expire": 300,
                    "file_overwrite": False,
                },
            },
        }
        settings.TASKS = DATABASE_QUEUE
        settings.TRANSFER_INLINE_BYTES = 0  # every file goes to the queue, for the worker
        yield client
    assert not Path(settings.MEDIA_ROOT).exists(), "a media file was written to the local disk"


def _keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def _work() -> None:
    call_command("worker", batch=True, no_schedule=True, verbosity=0)


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
def test_upload_worker_reads_from_the_bucket_then_downloads_come_from_it(
    client, world, tmp_path, bucket
):
    content = _list_with_bad_dates(tmp_path / "ds.xlsx", {2, 4, 6}).read_bytes()
    assert client.login(username=world.alice.username, password=PASSWORD)
    response = client.post(
        reverse("transfer:import", args=[world.village1.pk]),
        {"files": SimpleUploadedFile("ds.xlsx", content)},
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == JobStatus.PREVIEWING  # waits for a worker
    assert _keys(bucket) == [f"imports/{job.pk}/0.xlsx"]
    assert bucket.get_object(Bucket=BUCKET, Key=f"imports/{job.pk}/0.xlsx")["Body"].read() == (
        content
    )
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=f"imports/{job.pk}/0.xlsx")["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner only: private
    assert not [g for g in grants if "URI" in g["Grantee"]]  # no AllUsers / AuthenticatedUsers

    _work()
    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEWED and job.report["error_count"] == 3, job.message
    client.get(reverse("transfer:job", args=[job.pk]))
    client.post(reverse("transfer:job_confirm", args=[job.pk]), {"partial": "1"})
    _work()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert set(Person.objects.values_list("household__code", flat=True)) == {"P1", "P3", "P5"}
    assert _keys(bucket) == [f"imports/rejected/{job.pk}.xlsx"]  # the upload is gone

    response = client.get(reverse("transfer:job_rejected", args=[job.pk]))
    assert response.status_code == 200
    rows = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert {r[0] for r in rows.iter_rows(min_row=2, values_only=True) if any(r)} == {
        "P2",
        "P4",
        "P6",
    }


@pytest.mark.django_db(transaction=True)
def test_a_job_file_is_written_to_the_bucket_and_downloaded_by_its_user_only(client, world, bucket):
    job = services.do_start_job(
        target="smartvillage.jobs.tests.targets.make_text",
        title="Lời chào",
        user=world.alice,
        params={"name": "Lan"},
    )
    _work()
    job.refresh_from_db()
    assert job.status == Status.DONE and _keys(bucket) == [f"jobs/{job.pk}/loi-chao.txt"]
    assert client.login(username=world.alice.username, password=PASSWORD)
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == "xin chào Lan".encode()
    client.logout()
    assert client.login(username=world.bob.username, password=PASSWORD)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
