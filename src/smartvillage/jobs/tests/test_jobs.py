"""Jobs: enqueued on commit, run by the immediate backend (tests) or the database queue and the
real worker, results downloadable only by who asked, lost workers retried then failed."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from smartvillage.core.testing import PASSWORD
from smartvillage.jobs import services
from smartvillage.jobs.models import Job, ScheduledRun, Status

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _start(user, target="smartvillage.jobs.tests.targets.make_text", **params):
    return services.do_start_job(
        target=target, title="Lời chào", user=user, params=params or {"name": "Lan"}
    )


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_job_runs_on_commit_and_only_its_user_downloads_it(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = _start(world.alice)
    job.refresh_from_db()
    assert job.status == Status.QUEUED and len(callbacks) == 1  # nothing runs before the commit
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == Status.DONE and (job.done, job.total) == (3, 3)
    assert services.read_job_file(job) == "xin chào Lan".encode()

    assert client.login(username=world.alice.username, password=PASSWORD)
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "Đã xong" in page and reverse("jobs:download", args=[job.pk]) in page
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == (
        "xin chào Lan".encode()
    )
    assert 'filename="loi-chao.txt"' in response["Content-Disposition"]
    assert client.get(reverse("jobs:progress", args=[job.pk]))["HX-Refresh"] == "true"

    client.logout()
    assert client.login(username=world.bob.username, password=PASSWORD)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:job", args=[job.pk])).status_code == 404


def test_running_job_page_polls_its_progress_and_says_when_no_worker_runs(client, world):
    job = Job.objects.create(
        target="x", title="Mẫu số 01", user=world.alice, status=Status.RUNNING, done=5, total=20
    )
    assert client.login(username=world.alice.username, password=PASSWORD)
    html = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="25"' in html and "5/20" in html
    no_worker = "Chưa có tiến trình xử lý nền nào đang chạy"
    assert no_worker in client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    services.beat("host:1:abc")
    assert services.workers_alive() == 1
    assert no_worker not in client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    services.beat("host:1:abc", now=timezone.now() - services.BEAT_ALIVE * 2)
    assert services.workers_alive() == 0


def test_refusal_and_crash_end_failed_with_a_message(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        refused = _start(world.alice, "smartvillage.jobs.tests.targets.refuse")
        crashed = _start(world.alice, "smartvillage.jobs.tests.targets.crash")
    refused.refresh_from_db()
    crashed.refresh_from_db()
    assert (refused.status, refused.message) == (Status.FAILED, "Đơn vị không có số liệu.")
    assert (crashed.status, crashed.message) == (Status.FAILED, services.FAILED_MESSAGE)
    with pytest.raises(ValueError):
        _start(world.alice, "os.system")


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
def test_database_queue_then_the_worker_command(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_QUEUE
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(world.alice)
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.READY  # waits in the database for a worker
    job.refresh_from_db()
    assert job.status == Status.QUEUED

    call_command("worker", batch=True, no_schedule=True, verbosity=0)
    task.refresh_from_db()
    job.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL and task.return_value == Status.DONE
    assert job.status == Status.DONE and services.read_job_file(job) == "xin chào Lan".encode()


def test_a_lost_worker_is_retried_once_then_failed(
    world, settings, django_capture_on_commit_callbacks
):
    from smartvillage.transfer import jobs as import_jobs
    from smartvillage.transfer.models import ImportJob, JobStatus

    settings.TASKS = DATABASE_QUEUE
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(world.alice)
        imp = ImportJob.objects.create(village=world.village1, status=JobStatus.APPLYING)
        services.enqueue_on_commit(import_jobs.run_import_step, str(imp.pk), "apply")
    dead = f"{services.socket.gethostname()[:40]}:{_dead_pid()}:x"
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, worker_ids=[dead])
    Job.objects.filter(pk=job.pk).update(status=Status.RUNNING, attempts=1)

    assert sorted(s for _id, s in services.recover_lost()) == ["retried", "retried"]
    job.refresh_from_db()
    assert job.status == Status.QUEUED and "chạy lại" in job.message
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 2

    # A live worker's task (this process) is left alone.
    alive = services.make_worker_id()
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, worker_ids=[dead, alive])
    assert services.recover_lost() == []

    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, worker_ids=[dead, dead])
    assert sorted(s for _id, s in services.recover_lost()) == ["failed", "failed"]
    job.refresh_from_db()
    imp.refresh_from_db()
    assert job.status == Status.FAILED and job.message == services.LOST_MESSAGE
    assert imp.status == JobStatus.FAILED and imp.message == import_jobs.LOST_MESSAGE
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 2


def test_daily_schedule_is_enqueued_once_a_day(db, settings, django_capture_on_commit_callbacks):
    import datetime as dt

    settings.TASKS = DATABASE_QUEUE
    day = dt.date(2026, 12, 4)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.enqueue_due(day) == ["results-refresh-daily"]
        assert services.enqueue_due(day) == []  # a second worker, or a restart, the same day
        assert services.enqueue_due(day + dt.timedelta(days=1)) == ["results-refresh-daily"]
    tasks = DBTaskResult.objects.order_by("args_kwargs")
    assert [t.args_kwargs["args"] for t in tasks] == [["2026-12-04"], ["2026-12-05"]]
    assert ScheduledRun.objects.count() == 2


def test_healthz_answers_json_without_a_session(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "queue": {"waiting": 0, "workers": 0},
    }
    assert "sessionid" not in response.cookies and "Cache-Control" in response


def test_failed_jobs_are_listed_in_the_admin(admin_client, world):
    Job.objects.create(target="x", title="Mẫu số 01 (PDF)", status=Status.FAILED, message="Lỗi")
    response = admin_client.get(reverse("admin:jobs_job_changelist") + "?status__exact=failed")
    assert response.status_code == 200 and "Mẫu số 01 (PDF)" in response.content.decode()


def test_healthz_answers_over_plain_http_when_https_is_enforced(client, db, settings, tmp_path):
    # The production settings (DEBUG off), read in a fresh process.
    code = "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_REDIRECT_EXEMPT)"
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "x" * 50}
    env.update(SMARTVILLAGE_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="smartvillage.settings")
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    redirect, exempt = out.split(" ", 1)
    settings.SECURE_SSL_REDIRECT = redirect == "True"
    settings.SECURE_REDIRECT_EXEMPT = ast.literal_eval(exempt)
    assert client.get("/healthz").status_code == 200
    assert client.get("/login/").status_code == 301


def test_the_admin_index_lists_jobs_in_vietnamese_not_the_raw_queue(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "Công việc chạy nền" in html and "Task Result" not in html


def test_on_the_database_queue_the_task_rolls_back_with_its_job(db, settings):
    from django.db import transaction

    settings.TASKS = DATABASE_QUEUE
    with pytest.raises(RuntimeError), transaction.atomic():
        _start(None)
        assert DBTaskResult.objects.count() == 1  # written with the job, invisible until commit
        raise RuntimeError("the request fails after starting the job")
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()
