"""Job results go through the media storage (docs/decisions/011): written, downloaded and purged
by name, with nothing on this machine's disk; the MEDIA_STORAGE settings are parsed strictly."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, default_storage
from django.urls import reverse
from django.utils import timezone

from smartvillage.core.testing import PASSWORD
from smartvillage.jobs import media, services
from smartvillage.jobs.models import Job, Status
from smartvillage.jobs.tests.storage import use_memory_media


@pytest.fixture
def memory_media(settings):
    media_root = use_memory_media(settings)
    yield
    assert not media_root.exists(), "a media file was written to the local disk"


def test_a_job_file_is_written_downloaded_and_purged_through_the_storage(
    client, world, memory_media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.do_start_job(
            target="smartvillage.jobs.tests.targets.make_text",
            title="Lời chào",
            user=world.alice,
            params={"name": "Lan"},
        )
    job.refresh_from_db()
    assert isinstance(default_storage._wrapped, InMemoryStorage)
    assert job.status == Status.DONE and job.file == f"jobs/{job.pk}/loi-chao.txt"
    assert default_storage.open(job.file).read() == "xin chào Lan".encode()

    assert client.login(username=world.alice.username, password=PASSWORD)
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == "xin chào Lan".encode()
    assert response["Cache-Control"] == "private, no-store"
    client.logout()
    assert client.login(username=world.bob.username, password=PASSWORD)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404

    # Two days on, the file is deleted from the storage and the download is gone.
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(days=3))
    assert services.purge_old_files() == 1
    assert not default_storage.exists(job.file) and media.list_files("jobs") == []
    client.logout()
    assert client.login(username=world.alice.username, password=PASSWORD)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_a_retried_job_replaces_what_the_dead_attempt_left(world, memory_media):
    job = Job.objects.create(
        target="smartvillage.jobs.tests.targets.make_text", title="x", params={"name": "Mai"}
    )
    default_storage.save(f"jobs/{job.pk}/loi-chao.txt", ContentFile(b"half"))
    assert services.run_job(str(job.pk)) == Status.DONE
    job.refresh_from_db()
    assert media.list_files(f"jobs/{job.pk}") == [job.file] == [f"jobs/{job.pk}/loi-chao.txt"]
    assert services.read_job_file(job) == "xin chào Mai".encode()


def test_a_missing_stored_file_is_a_404_not_an_error(client, world, memory_media):
    job = Job.objects.create(
        target="x", title="x", user=world.alice, status=Status.DONE, file="jobs/x/none.txt"
    )
    assert client.login(username=world.alice.username, password=PASSWORD)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


# ---- MEDIA_STORAGE, read in a fresh process --------------------------------------------------

PRINT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "from django.core.files.storage import default_storage as d; "
    "o = s.STORAGES['default'].get('OPTIONS', {}); "
    "print(s.STORAGES['default']['BACKEND'], s.STORAGES['staticfiles']['BACKEND'], "
    "o.get('bucket_name'), o.get('default_acl'), o.get('querystring_auth'), getattr(d, 'bucket_name', '-'))"
)


def _settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "MEDIA_STORAGE"))}
    full.update(
        SMARTVILLAGE_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="smartvillage.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", PRINT], env=full, capture_output=True, text=True, timeout=60
    )


def test_the_default_is_the_local_folder_and_static_files_stay_on_whitenoise(tmp_path):
    out = _settings(tmp_path)
    assert out.returncode == 0, out.stderr
    backend, static, *_ = out.stdout.split()
    assert backend == "django.core.files.storage.FileSystemStorage"
    assert static == "django.contrib.staticfiles.storage.StaticFilesStorage"


def test_s3_from_the_environment_is_private(tmp_path):
    pytest.importorskip("storages")
    out = _settings(
        tmp_path,
        MEDIA_STORAGE="s3",
        S3_BUCKET="thon-thong-minh",
        S3_ENDPOINT_URL="https://s3.example.vn",
        S3_REGION="hn-1",
        S3_ACCESS_KEY_ID="k",
        S3_SECRET_ACCESS_KEY="s",
    )
    assert out.returncode == 0, out.stderr
    backend, static, bucket, acl, signed, built = out.stdout.split()
    assert backend == "storages.backends.s3.S3Storage" and bucket == built == "thon-thong-minh"
    assert static.endswith("StaticFilesStorage") and acl == "None" and signed == "True"


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"MEDIA_STORAGE": "s3"}, "S3_BUCKET"),
        ({"MEDIA_STORAGE": "minio"}, "MEDIA_STORAGE='minio'"),
        ({"MEDIA_STORAGE": "s3", "S3_BUCKET": "b", "S3_ENDPOINT_URL": "s3.vn"}, "S3_ENDPOINT_URL"),
        ({"MEDIA_STORAGE": "s3", "S3_BUCKET": "b", "S3_ACCESS_KEY_ID": "k"}, "go together"),
        ({"MEDIA_STORAGE": "s3", "S3_BUCKET": "b", "S3_ADDRESSING_STYLE": "x"}, "ADDRESSING"),
    ],
)
def test_a_wrong_media_setting_stops_the_program(tmp_path, env, needle):
    out = _settings(tmp_path, **env)
    assert out.returncode != 0 and "ImproperlyConfigured" in out.stderr and needle in out.stderr
