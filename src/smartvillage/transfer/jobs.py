"""Running an import job: inline for small files, in a background thread for large ones.

Why a thread and not a queue: the embedded default is one process on SQLite with no Redis; a
daemon thread in the web process needs nothing else to run, and the job row in the database is
the source of truth the page polls (status, phase, done/total). Progress inside the write
transaction is invisible to other connections, so the current numbers are also kept in a small
in-process dict that the progress view reads first. A job interrupted by a restart stays
"running" with an old `updated_at`; `stale()` lets the page offer to start again (nothing was
written: the write is one transaction).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections
from django.utils import timezone

from smartvillage.core.errors import DomainError
from smartvillage.transfer import importer
from smartvillage.transfer.models import ImportJob, JobStatus

log = logging.getLogger(__name__)

# Files up to this size run inline, in the request (a village list of a few thousand rows);
# settings.TRANSFER_INLINE_BYTES overrides it.
INLINE_BYTES = 512 * 1024
STALE_AFTER = dt.timedelta(minutes=30)

_progress: dict[str, tuple[str, int, int]] = {}
_lock = threading.Lock()


def job_dir(job: ImportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / str(job.pk)


KEEP_UPLOADS = dt.timedelta(days=2)


def purge_old_uploads() -> int:
    """Delete the uploaded files of jobs left unconfirmed for KEEP_UPLOADS (personal data).

    Runs on every new upload; returns how many jobs were purged.
    """
    cutoff = timezone.now() - KEEP_UPLOADS
    old = (
        ImportJob.objects.filter(updated_at__lt=cutoff)
        .exclude(files=[])
        .exclude(status__in=[JobStatus.PREVIEWING, JobStatus.APPLYING])
    )
    count = 0
    for job in old:
        shutil.rmtree(job_dir(job), ignore_errors=True)
        job.files = []
        job.report = {}
        job.message = "Tệp đã được xóa sau 2 ngày không xác nhận; hãy tải lên lại."
        job.status = JobStatus.FAILED if job.status != JobStatus.DONE else job.status
        job.save(update_fields=["files", "report", "message", "status"])
        count += 1
    return count


def create_job(village: Any, user: Any, uploads: list[Any]) -> ImportJob:
    """Store the uploaded files (outside the web root) on a new job."""
    purge_old_uploads()
    job = ImportJob.objects.create(
        village=village, user=user if getattr(user, "pk", None) else None
    )
    folder = job_dir(job)
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for index, upload in enumerate(uploads):
        name = Path(upload.name).name or f"tep-{index}"
        target = folder / f"{index}{Path(name).suffix.lower()[:8]}"
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        files.append({"path": str(target), "name": name})
    job.files = files
    job.save(update_fields=["files"])
    return job


def _paths(job: ImportJob) -> tuple[list[Path], list[str]]:
    return [Path(f["path"]) for f in job.files], [f["name"] for f in job.files]


def size(job: ImportJob) -> int:
    return sum(Path(f["path"]).stat().st_size for f in job.files if Path(f["path"]).exists())


def progress_of(job: ImportJob) -> tuple[str, int, int]:
    with _lock:
        if str(job.pk) in _progress:
            return _progress[str(job.pk)]
    return job.phase, job.done, job.total


def _reporter(job_id: str):
    def report(phase: str, done: int, total: int) -> None:
        with _lock:
            _progress[job_id] = (phase, done, total)

    return report


def _run_preview(job: ImportJob) -> None:
    paths, names = _paths(job)
    try:
        report = importer.preview(
            job.village, paths, mapping=job.mapping, names=names, progress=_reporter(str(job.pk))
        )
    except DomainError as exc:
        job.status, job.message, job.report = JobStatus.FAILED, exc.message, {}
    else:
        job.status, job.report, job.message = JobStatus.PREVIEWED, report.to_dict(), ""
    job.save(update_fields=["status", "message", "report", "updated_at"])


def _run_apply(job: ImportJob) -> None:
    paths, names = _paths(job)
    try:
        report = importer.import_files(
            job.village,
            paths,
            user=job.user,
            mapping=job.mapping,
            names=names,
            progress=_reporter(str(job.pk)),
        )
    except (DomainError, PermissionDenied) as exc:
        job.status, job.message = (
            JobStatus.FAILED,
            getattr(exc, "message", "") or "Không có quyền nhập vào thôn này.",
        )
        job.save(update_fields=["status", "message", "updated_at"])
        return
    job.report = report.to_dict()
    if report.applied:
        job.status, job.event, job.message = JobStatus.DONE, report.event, ""
        shutil.rmtree(job_dir(job), ignore_errors=True)  # the personal data is in the registry now
    else:
        # The file changed between preview and confirm, or a new error appeared: nothing written.
        job.status, job.message = JobStatus.PREVIEWED, "Tệp có lỗi; chưa ghi gì."
    job.save(update_fields=["status", "report", "event", "message", "updated_at"])


def _finish(job_id: str) -> None:
    with _lock:
        _progress.pop(job_id, None)


def _target(job_id: str, fn) -> None:
    try:
        job = ImportJob.objects.select_related("village", "user").get(pk=job_id)
        fn(job)
    except Exception:  # a background thread must leave the job in a final state
        log.exception("import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            message="Lỗi hệ thống khi xử lý tệp; chưa ghi gì.",
            updated_at=timezone.now(),
        )
    finally:
        _finish(job_id)
        close_old_connections()


def _start(job: ImportJob, status: str, fn, background: bool | None) -> ImportJob:
    job.status = status
    job.save(update_fields=["status", "updated_at"])
    if background is None:
        background = size(job) > getattr(settings, "TRANSFER_INLINE_BYTES", INLINE_BYTES)
    if not background:
        fn(job)
        _finish(str(job.pk))
        return job
    thread = threading.Thread(
        target=_target, args=(str(job.pk), fn), name=f"import-{job.pk}", daemon=True
    )
    thread.start()
    job._thread = thread  # tests join it
    return job


def start_preview(job: ImportJob, background: bool | None = None) -> ImportJob:
    return _start(job, JobStatus.PREVIEWING, _run_preview, background)


def start_apply(job: ImportJob, background: bool | None = None) -> ImportJob:
    return _start(job, JobStatus.APPLYING, _run_apply, background)


def stale(job: ImportJob) -> bool:
    return (
        job.is_running
        and str(job.pk) not in _progress
        and timezone.now() - job.updated_at > STALE_AFTER
    )
