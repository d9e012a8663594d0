"""A worker killed (SIGKILL) inside a job's transaction leaves nothing half-written; the next
worker retries the job and writes it once. Real `smartvillage worker` processes, on PostgreSQL
(the test database) and on SQLite (a database file of its own: the test one is in memory)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.db import connection

from smartvillage.jobs import services
from smartvillage.jobs.models import ScheduledRun, Status

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="the worker subprocess needs a database on disk"
)
def test_killed_worker_leaves_nothing_half_written(world, settings):
    """A real `smartvillage worker` process, killed (SIGKILL) inside the job's transaction: the
    row it wrote is gone with it; the job is retried and then done, writing it once."""
    settings.TASKS = DATABASE_QUEUE
    job = services.do_start_job(
        target="smartvillage.jobs.tests.targets.write_then_sleep",
        title="Ghi",
        user=world.alice,
        params={"sleep": True},
    )
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "TASKS_BACKEND": "database",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "smartvillage.cli", "worker", "--no-schedule", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.phase == "Đang ghi":
                break
            assert worker.poll() is None, worker.stderr.read().decode()
            time.sleep(0.2)
        assert job.phase == "Đang ghi", "the worker never started the job"
        time.sleep(1)  # inside the transaction now (it sleeps there)
    finally:
        worker.kill()
        worker.wait(10)
    assert not ScheduledRun.objects.filter(name=f"test-{job.pk}").exists()
    job.refresh_from_db()
    assert job.status == Status.RUNNING

    assert [s for _id, s in services.recover_lost()] == ["retried"]
    call_command("worker", batch=True, no_schedule=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == Status.DONE and job.attempts == 2 and job.message == "Đã ghi."
    assert ScheduledRun.objects.filter(name=f"test-{job.pk}").count() == 1


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the PostgreSQL run has its own killed-worker test"
)
def test_killed_worker_on_sqlite_file_leaves_nothing_half_written(tmp_path):
    """The embedded default: SQLite on disk, a real worker killed inside the job's transaction;
    the next `smartvillage worker` start finds the dead worker's task, retries it, and the row
    is written exactly once."""
    import sqlite3

    db = tmp_path / "sv.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "SMARTVILLAGE_DATA_DIR": str(tmp_path),
        "TASKS_BACKEND": "database",
    }
    cli = [sys.executable, "-m", "smartvillage.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True, timeout=300)
    started = subprocess.run(
        [
            *cli,
            "shell",
            "-c",
            "from smartvillage.jobs import services; print(services.do_start_job("
            "target='smartvillage.jobs.tests.targets.write_then_sleep', title='Ghi', "
            "params={'sleep': True}).pk)",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    job_pk = started.stdout.split()[-1]

    def row(sql: str) -> tuple:
        with sqlite3.connect(db, timeout=20) as conn:
            return conn.execute(sql, [job_pk.replace("-", "")]).fetchone()  # SQLite: hex uuid

    worker = subprocess.Popen(
        [*cli, "worker", "--no-schedule", "--interval", "0.2"], env=env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while row("SELECT phase FROM jobs_job WHERE id = ?")[0] != "Đang ghi":
            assert worker.poll() is None, worker.stderr.read().decode()
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.2)
        time.sleep(1)  # inside the transaction now (it sleeps there)
    finally:
        worker.kill()
        worker.wait(10)

    def written() -> int:
        with sqlite3.connect(db, timeout=20) as conn:
            sql = "SELECT count(*) FROM jobs_scheduledrun WHERE name = ?"
            return conn.execute(sql, [f"test-{job_pk}"]).fetchone()[0]

    assert written() == 0  # rolled back with the dead process
    assert row("SELECT status FROM jobs_job WHERE id = ?") == ("running",)

    subprocess.run([*cli, "worker", "--batch", "--no-schedule"], env=env, check=True, timeout=120)
    assert row("SELECT status, attempts, message FROM jobs_job WHERE id = ?") == (
        "done",
        2,
        "Đã ghi.",
    )
    assert written() == 1
