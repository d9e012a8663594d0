"""Background jobs: start one on commit, run it in the worker, and recover from a lost worker.

- `do_start_job` writes the Job row and enqueues its task so that no worker sees it before the
  caller's transaction commits (on the database queue, in that transaction; see
  `enqueue_on_commit`): a rolled-back request never leaves a task pointing at nothing.
- `run_job` (in the worker) calls the job's target `fn(job, progress) -> JobOutput`, writes the
  produced file through the media storage (jobs/<id>/ in MEDIA_ROOT or the bucket), then marks
  the row done in one update: a worker killed half-way leaves no "done" row, and the row names
  the file only once it is whole.
- `recover_lost` finds tasks whose worker died (same host: its process is gone; another host: no
  news for JOBS_LOST_AFTER) and puts them back in the queue once, or fails them with a message.
- `enqueue_due` enqueues each daily schedule once per day, whichever worker gets there first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

from smartvillage.core.errors import DomainError
from smartvillage.jobs import media
from smartvillage.jobs.models import Job, ScheduledRun, Status, WorkerBeat

log = logging.getLogger(__name__)

FAILED_MESSAGE = "Lỗi hệ thống khi xử lý; chưa tạo được kết quả. Hãy thử lại hoặc báo quản trị."
LOST_MESSAGE = (
    "Tiến trình xử lý bị dừng giữa chừng (máy chủ khởi động lại?) và đã thử lại không thành; "
    "chưa ghi gì. Hãy thử lại."
)
# A task is run at most this many times when its worker dies under it (the first run included).
MAX_ATTEMPTS = 2
# Progress is written to the row at most this often (rows), and at every change of phase.
SAVE_EVERY = 500
KEEP_FILES = dt.timedelta(days=2)


@dataclass
class JobOutput:
    """What a job target returns: a file to download (data + name + type) or only a message."""

    data: bytes | None = None
    file_name: str = ""
    content_type: str = "application/octet-stream"
    message: str = ""


Progress = Callable[[str, int, int], None]


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task` so that no worker sees it before the caller's transaction commits.

    On the database queue the task row is written inside the caller's transaction: it commits
    or rolls back with the job's own rows, and a process that dies right after the commit
    cannot leave a job without its task. Other backends (immediate, a broker) are sent to on
    commit (at once outside a transaction)."""
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    if isinstance(task_backends[task.backend], DatabaseBackend) and (
        transaction.get_connection().in_atomic_block
    ):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def do_start_job(
    *,
    target: str,
    title: str,
    user: Any = None,
    params: dict[str, Any] | None = None,
    back_url: str = "",
) -> Job:
    """Create the job's row and enqueue it on commit. `target` is a dotted path to a function
    `fn(job, progress) -> JobOutput` inside this project."""
    from smartvillage.jobs.tasks import run_job_task

    if not target.startswith("smartvillage."):
        raise ValueError(f"job target outside the project: {target}")
    import_string(target)  # fail now, in the request, rather than in the worker
    with transaction.atomic():
        job = Job.objects.create(
            target=target,
            title=title[:300],
            user=user if getattr(user, "pk", None) else None,
            params=params or {},
            back_url=back_url[:500],
        )
        enqueue_on_commit(run_job_task, str(job.pk))
    return job


class _Reporter:
    def __init__(self, job_id: Any) -> None:
        self.job_id = job_id
        self.saved: tuple[str, int] | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        last = self.saved
        if last is None or last[0] != phase or done - last[1] >= SAVE_EVERY or done >= total:
            self.saved = (phase, done)
            Job.objects.filter(pk=self.job_id).update(
                phase=phase[:200], done=done, total=total, updated_at=timezone.now()
            )


def job_folder(job: Job) -> str:
    """The storage folder of a job's produced file (a name in the media storage, not a path)."""
    return f"jobs/{job.pk}"


def open_job_file(job: Job) -> File | None:
    """The finished job's file opened for reading through the media storage, or None when there
    is none (not done, purged, or gone from the storage)."""
    if job.status != Status.DONE or not job.file:
        return None
    try:
        return media.storage().open(job.file, "rb")
    except (FileNotFoundError, OSError):
        return None


def read_job_file(job: Job) -> bytes:
    """The finished job's file's bytes (b"" when there is none)."""
    handle = open_job_file(job)
    if handle is None:
        return b""
    with handle:
        return handle.read()


def run_job(job_id: str) -> str:
    """Run one job (in the worker). Returns its final status. A job already finished is left
    alone, so a task run twice (a retry after a lost worker) does not redo finished work."""
    job = Job.objects.filter(pk=job_id).select_related("user").first()
    if job is None or job.status in (Status.DONE, Status.FAILED):
        return job.status if job else "missing"
    Job.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    job.status, job.attempts = Status.RUNNING, job.attempts + 1
    try:
        fn = import_string(job.target)
        output = fn(job, _Reporter(job.pk))
    except DomainError as exc:
        return _finish(job, Status.FAILED, message=exc.message)
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.target)
        return _finish(job, Status.FAILED, message=FAILED_MESSAGE)
    if not isinstance(output, JobOutput):
        output = JobOutput()
    relative = ""
    if output.data is not None:
        # Through the media storage (a bucket when several nodes share the media): the web node
        # that serves the download need not be the worker that wrote it. A retry after a lost
        # worker first drops what the dead attempt may have left; the row names the file only
        # once it is written, so a half-written file is never offered.
        media.delete_folder(job_folder(job))
        name = _stored_name(output.file_name)
        relative = media.save_bytes(f"{job_folder(job)}/{name}", output.data)
    return _finish(
        job,
        Status.DONE,
        message=output.message,
        file=relative,
        file_name=output.file_name,
        content_type=output.content_type if relative else "",
    )


def _stored_name(file_name: str) -> str:
    """A safe last part for the stored name (the download keeps `file_name` as given)."""
    base = PurePosixPath(file_name.replace("\\", "/")).name
    try:
        return media.storage().get_valid_name(base) or "ket-qua"
    except SuspiciousFileOperation:
        return "ket-qua"


def _finish(job: Job, status: str, **fields: Any) -> str:
    now = timezone.now()
    fields = {"status": status, "finished_at": now, "updated_at": now, **fields}
    Job.objects.filter(pk=job.pk).update(**fields)
    for key, value in fields.items():
        setattr(job, key, value)
    return status


def purge_old_files(now: dt.datetime | None = None) -> int:
    """Delete produced files older than KEEP_FILES (they may hold personal data)."""
    cutoff = (now or timezone.now()) - KEEP_FILES
    count = 0
    for job in Job.objects.filter(finished_at__lt=cutoff).exclude(file=""):
        media.storage().delete(job.file)
        media.delete_folder(job_folder(job))
        Job.objects.filter(pk=job.pk).update(
            file="", message="Tệp kết quả đã được xóa sau 2 ngày; hãy tạo lại."
        )
        count += 1
    return count


# ---- lost workers -------------------------------------------------------------------------------

# task module path -> handler(args, kwargs, retrying) that updates the row the page polls.
LostHandler = Callable[[list[Any], dict[str, Any], bool], None]
_LOST_HANDLERS: dict[str, LostHandler] = {}


def when_lost(task: Any) -> Callable[[LostHandler], LostHandler]:
    """Register what to tell the page when `task`'s worker died under it."""

    def register(handler: LostHandler) -> LostHandler:
        _LOST_HANDLERS[task.module_path] = handler
        return handler

    return register


def make_worker_id() -> str:
    """host:pid:random, so a worker on the same host can tell that this one's process is gone."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(8)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _worker_gone(worker_id: str, started_at: dt.datetime | None, now: dt.datetime) -> bool:
    host, _, rest = worker_id.partition(":")
    pid = rest.partition(":")[0]
    if host == socket.gethostname()[:40] and pid.isdigit():
        return not _pid_alive(int(pid))
    lost_after = dt.timedelta(seconds=getattr(settings, "JOBS_LOST_AFTER_SECONDS", 6 * 3600))
    return started_at is None or now - started_at > lost_after


def recover_lost(now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """Tasks left "running" by a dead worker: back to the queue (once) or failed with a message.

    Returns [(task id, "retried" | "failed")]. Nothing the dead worker was writing survives it:
    every job writes in one transaction (or renames a finished file), so the database rolled
    its half back when the connection dropped.
    """
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    out: list[tuple[str, str]] = []
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        last = result.worker_ids[-1] if result.worker_ids else ""
        if not _worker_gone(str(last), result.started_at, now):
            continue
        retrying = len(result.worker_ids) < MAX_ATTEMPTS
        with transaction.atomic():
            claimed = DBTaskResult.objects.filter(
                pk=result.pk, status=TaskResultStatus.RUNNING, worker_ids=result.worker_ids
            )
            if retrying:
                changed = claimed.update(status=TaskResultStatus.READY, started_at=None)
            else:
                changed = claimed.update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    exception_class_path="smartvillage.jobs.services.WorkerLost",
                    traceback=LOST_MESSAGE,
                )
            if not changed:
                continue  # another worker recovered it first
            with contextlib.suppress(ImportError):
                import_string(result.task_path)  # registers the task's lost handler
            handler = _LOST_HANDLERS.get(result.task_path)
            args = result.args_kwargs.get("args", [])
            if handler is not None:
                handler(args, result.args_kwargs.get("kwargs", {}), retrying)
        log.warning(
            "task %s (%s): its worker %s is gone; %s",
            result.pk,
            result.task_path,
            last,
            "retried" if retrying else "failed",
        )
        out.append((str(result.pk), "retried" if retrying else "failed"))
    return out


def job_lost(args: list[Any], kwargs: dict[str, Any], retrying: bool) -> None:
    """The page's row of a lost generic job: waiting again, or failed with the reason."""
    job_id = args[0] if args else kwargs.get("job_id")
    if retrying:
        Job.objects.filter(pk=job_id).update(
            status=Status.QUEUED,
            message="Đang chạy lại sau khi tiến trình xử lý bị dừng giữa chừng.",
            updated_at=timezone.now(),
        )
    else:
        Job.objects.filter(pk=job_id).update(
            status=Status.FAILED, message=LOST_MESSAGE, finished_at=timezone.now()
        )


# ---- worker heartbeats --------------------------------------------------------------------------

# A worker beats every housekeeping round (60 s); silent for this long, it is not counted.
BEAT_ALIVE = dt.timedelta(minutes=3)


def beat(worker_id: str, now: dt.datetime | None = None) -> None:
    """This worker is alive (and beats older than a day are forgotten)."""
    now = now or timezone.now()
    WorkerBeat.objects.update_or_create(worker_id=worker_id[:64], defaults={"seen_at": now})
    WorkerBeat.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()


def forget(worker_id: str) -> None:
    WorkerBeat.objects.filter(worker_id=worker_id[:64]).delete()


def workers_alive(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return WorkerBeat.objects.filter(seen_at__gte=now - BEAT_ALIVE).count()


def queue_state() -> dict[str, int]:
    """For /healthz: tasks waiting, and workers seen in the last minutes."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return {
        "waiting": DBTaskResult.objects.filter(status=TaskResultStatus.READY).count(),
        "workers": workers_alive(),
    }


# ---- daily schedules ----------------------------------------------------------------------------


def schedules() -> list[tuple[str, Any]]:
    from smartvillage.jobs.tasks import refresh_results_daily

    return [("results-refresh-daily", refresh_results_daily)]


def enqueue_due(today: dt.date | None = None) -> list[str]:
    """Enqueue every daily schedule not yet enqueued for `today` (local date). Idempotent: a
    unique (name, day) row decides, so several workers or a restart enqueue it once."""
    today = today or timezone.localdate()
    enqueued = []
    for name, task in schedules():
        if ScheduledRun.objects.filter(name=name, day=today).exists():
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(name=name, day=today)
                enqueue_on_commit(task, today.isoformat())
        except IntegrityError:
            continue  # another worker won the race
        enqueued.append(name)
    return enqueued
