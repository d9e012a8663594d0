"""Running an import job: inline for small files, as a queued task for large ones.

Large files go to the task queue (Django's Tasks API, database backend: `smartvillage worker`
runs them), enqueued when the request's transaction commits; the job row in the database is the
source of truth the page polls (status, phase, done/total). A web restart loses nothing (the task
waits in the database); a worker killed mid-job leaves nothing half-written (the write is one
transaction) and the job is retried once, then failed with a message (jobs.services.recover_lost).

Progress is saved to the job row every SAVE_EVERY_ROWS rows (and at each new phase), with
`updated_at` as the heartbeat, so the page served by the web process sees it. The write phase runs
in one transaction; its progress is saved through a second connection so it is not part of that
transaction (PostgreSQL). SQLite allows one writer at a time and the import's transaction is it,
so there the write phase is only in the small in-process dict, which the progress view reads
first when the job runs in the web process (inline). A job whose heartbeat stops is `stale()`:
the page offers to start again (nothing was written: the write is one transaction). Inline or
queued, an error ends the job "failed" with a message, never a traceback and never a job left
"running".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
)
from django.utils import timezone
from django_tasks import task

from smartvillage.core.errors import DomainError
from smartvillage.jobs import media
from smartvillage.jobs.services import enqueue_on_commit, when_lost
from smartvillage.transfer import importer
from smartvillage.transfer.models import ImportJob, JobStatus

log = logging.getLogger(__name__)

# Files up to this size run inline, in the request (a village list of a few thousand rows);
# settings.TRANSFER_INLINE_BYTES overrides it.
INLINE_BYTES = 512 * 1024
# No heartbeat for this long: the job's process is gone. Heartbeats come every SAVE_EVERY_ROWS
# rows; the longest gap is SQLite's write transaction (seconds for 100.000 persons).
STALE_AFTER = dt.timedelta(minutes=10)
SAVE_EVERY_ROWS = 2000
FAILED_MESSAGE = "Lỗi hệ thống khi xử lý tệp; chưa ghi gì."
MISSING_MESSAGE = "Không còn tệp đã tải lên (đã bị xóa?); chưa ghi gì. Hãy tải lên lại."

_progress: dict[str, tuple[str, int, int]] = {}
_lock = threading.Lock()


def job_folder(job: ImportJob) -> str:
    """The job's uploaded files' folder in the media storage (a name, not a path: with several
    nodes the storage is a bucket and the worker reading the files is not the web node)."""
    return f"imports/{job.pk}"


def rejected_name(job: ImportJob) -> str:
    """Where a partial import's rejected-rows XLSX is kept in the media storage."""
    return f"imports/rejected/{job.pk}.xlsx"


def stored_names(job: ImportJob) -> list[str]:
    """The storage names of the job's uploaded files, in upload order. Jobs uploaded before
    the storage API (an absolute "path" under MEDIA_ROOT/imports/<id>/) map to the same name."""
    out = []
    for entry in job.files:
        if entry.get("file"):
            out.append(entry["file"])
        elif entry.get("path"):
            out.append(f"{job_folder(job)}/{PurePosixPath(str(entry['path'])).name}")
    return out


def pending_files(job: ImportJob) -> list[str]:
    """Every file actually stored for the job (erasure searches and deletes these)."""
    return media.list_files(job_folder(job))


def delete_files(job: ImportJob) -> list[str]:
    """Delete the job's uploaded files from the media storage; returns their names."""
    return media.delete_folder(job_folder(job))


@contextlib.contextmanager
def local_files(job: ImportJob) -> Iterator[list[Path]]:
    """Temporary local copies of the job's files for the readers (they need real paths),
    fetched through the storage and removed on exit."""
    try:
        with media.local_copies(stored_names(job)) as paths:
            yield paths
    except media.MissingFile as exc:
        # Purged, erased or lost: a refusal in words, like any other unusable file.
        raise DomainError(MISSING_MESSAGE, "import_file_missing") from exc


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
        delete_files(job)
        rejected = (job.report or {}).get("rejected_file") or ""
        if rejected.startswith("imports/rejected/"):
            media.storage().delete(rejected)
        job.files = []
        job.report = {}
        job.message = "Tệp đã được xóa sau 2 ngày không xác nhận; hãy tải lên lại."
        job.status = JobStatus.FAILED if job.status != JobStatus.DONE else job.status
        job.save(update_fields=["files", "report", "message", "status"])
        count += 1
    # Rejected-rows files of partial writes from the command line (written to this machine's
    # data directory, the CLI names the file) hold names and identity numbers too.
    rejected = Path(settings.DATA_DIR) / "rejected"
    if rejected.is_dir():
        for path in rejected.iterdir():
            if path.is_file() and path.stat().st_mtime < cutoff.timestamp():
                path.unlink(missing_ok=True)
    return count


def create_job(village: Any, user: Any, uploads: list[Any]) -> ImportJob:
    """Store the uploaded files (outside the web root) on a new job."""
    purge_old_uploads()
    job = ImportJob.objects.create(
        village=village, user=user if getattr(user, "pk", None) else None
    )
    files = []
    for index, upload in enumerate(uploads):
        name = Path(upload.name).name or f"tep-{index}"
        target = f"{job_folder(job)}/{index}{Path(name).suffix.lower()[:8]}"
        # Stored under a name of ours (index + suffix), never the user's file name.
        stored = media.storage().save(target, upload)
        files.append({"file": stored, "name": name, "size": upload.size})
    job.files = files
    job.save(update_fields=["files"])
    return job


def _names(job: ImportJob) -> list[str]:
    return [f["name"] for f in job.files]


def size(job: ImportJob) -> int:
    """The uploaded files' total size (recorded at upload; asked of the storage otherwise)."""
    total = 0
    for entry, name in zip(job.files, stored_names(job), strict=False):
        if entry.get("size") is not None:
            total += int(entry["size"])
            continue
        with contextlib.suppress(OSError):
            total += media.storage().size(name)
    return total


def progress_of(job: ImportJob) -> tuple[str, int, int]:
    with _lock:
        if str(job.pk) in _progress:
            return _progress[str(job.pk)]
    return job.phase, job.done, job.total


class _Reporter:
    """The importer's progress callback: in-process numbers, and the job row every N rows."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.saved: tuple[str, int] | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        with _lock:
            _progress[self.job_id] = (phase, done, total)
        last = self.saved
        if (
            last is None
            or last[0] != phase
            or abs(done - last[1]) >= SAVE_EVERY_ROWS
            or (total and done >= total)
        ):
            self.saved = (phase, done)
            _save_progress(self.job_id, phase, done, total)


def _reporter(job_id: str) -> _Reporter:
    return _Reporter(job_id)


def _save_progress(job_id: str, phase: str, done: int, total: int) -> None:
    """phase/done/total and the heartbeat on the job row, committed at once, whatever the caller's
    transaction (the import's write transaction must not hold it back or roll it back)."""
    now = timezone.now()
    try:
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=job_id).update(
                phase=phase, done=done, total=total, updated_at=now
            )
        elif connection.vendor != "sqlite":
            _update_on_side_connection(job_id, phase, done, total, now)
        # SQLite inside the write transaction: one writer at a time, and it is the import.
    except DatabaseError:
        log.warning("could not save the progress of import job %s", job_id, exc_info=True)


def _update_on_side_connection(
    job_id: str, phase: str, done: int, total: int, now: dt.datetime
) -> None:
    side = connections.create_connection(DEFAULT_DB_ALIAS)  # autocommit, not the caller's
    try:
        if side.vendor == "postgresql":
            # Should the caller's transaction hold the job row, give up rather than wait for it.
            with side.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
        meta = ImportJob._meta
        q = side.ops.quote_name
        columns = [q(meta.get_field(name).column) for name in ("phase", "done", "total")]
        updated, pk = q(meta.get_field("updated_at").column), q(meta.pk.column)
        sets = ", ".join(f"{c} = %s" for c in [*columns, updated])
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {q(meta.db_table)} SET {sets} WHERE {pk} = %s",
                [
                    phase,
                    done,
                    total,
                    side.ops.adapt_datetimefield_value(now),
                    meta.pk.get_db_prep_value(uuid.UUID(str(job_id)), side),
                ],
            )
    finally:
        side.close()


def _run_preview(job: ImportJob) -> None:
    try:
        with local_files(job) as paths:
            report = importer.preview(
                job.village,
                paths,
                mapping=job.mapping,
                names=_names(job),
                progress=_reporter(str(job.pk)),
            )
    except DomainError as exc:
        job.status, job.message, job.report = JobStatus.FAILED, exc.message, {}
    else:
        job.status, job.report, job.message = JobStatus.PREVIEWED, report.to_dict(), ""
    job.save(update_fields=["status", "message", "report", "updated_at"])


# Concurrency (issue #11, item 4): the confirmed file is planned again and written under the
# village's registry lock, so a second import of the same village waits and then plans against the
# first one's households and persons. Should that plan add fewer than the preview the user
# confirmed (someone else added them meanwhile), nothing is written and the new preview is shown.
REGISTRY_MOVED_MESSAGE = (
    "Trong lúc chờ xác nhận, sổ của thôn đã thay đổi: %(households)s hộ và %(persons)s nhân khẩu "
    "trong tệp vừa được thêm bởi một lượt nhập hoặc người khác. Chưa ghi gì; hãy xem lại kết quả "
    "kiểm tra mới rồi xác nhận lại."
)
CODE_CLASH_MESSAGE = (
    "Một lượt nhập khác vừa thêm cùng mã hộ vào thôn này; chưa ghi gì. "
    "Hãy xem lại kết quả kiểm tra rồi xác nhận lại."
)


def _registry_moved(planned: dict[str, int], counts: dict[str, int]) -> str:
    households = planned.get("households_created", 0) - counts.get("households_created", 0)
    persons = planned.get("persons_created", 0) - counts.get("persons_created", 0)
    if households <= 0 and persons <= 0:
        return ""
    return REGISTRY_MOVED_MESSAGE % {"households": max(households, 0), "persons": max(persons, 0)}


def _store_rejected(job: ImportJob, local: str) -> str:
    """Keep the rejected-rows XLSX in the media storage; its name, or "" when there is none.
    The valid households are already written: a storage failure here must not turn the job into
    a failure that says nothing was written, so it only costs the download (logged)."""
    if not local:
        return ""
    try:
        return media.save_local(rejected_name(job), local)
    except Exception:
        log.exception("import job %s: could not store the rejected rows", job.pk)
        return ""


def _run_apply(job: ImportJob) -> None:
    planned = dict((job.report or {}).get("counts") or {})
    try:
        with local_files(job) as paths, tempfile.TemporaryDirectory(prefix="sv-rej-") as tmp:
            # import_files plans and writes under registry.services.village_registry_lock.
            report = importer.import_files(
                job.village,
                paths,
                user=job.user,
                mapping=job.mapping,
                names=_names(job),
                progress=_reporter(str(job.pk)),
                expected_counts=planned or None,
                # "Ghi các hộ hợp lệ": whole valid households written, the rest returned as a
                # file, kept in the media storage so that any web node can serve it.
                partial=job.partial,
                rejected_dir=Path(tmp),
            )
            rejected = _store_rejected(job, report.rejected_path)
    except (DomainError, PermissionDenied) as exc:
        job.status, job.message = (
            JobStatus.FAILED,
            getattr(exc, "message", "") or "Không có quyền nhập vào thôn này.",
        )
        job.save(update_fields=["status", "message", "updated_at"])
        return
    except IntegrityError:
        # Not through the lock (a household added on the web the same instant): still a refusal
        # in words, never a system error; the transaction rolled back, nothing was written.
        job.status, job.message = JobStatus.PREVIEWED, CODE_CLASH_MESSAGE
        job.save(update_fields=["status", "message", "updated_at"])
        return
    moved = "" if report.applied else _registry_moved(planned, report.counts)
    # The local rejected-rows copy is gone with its temporary folder: the report names the
    # stored one.
    job.report = {**report.to_dict(), "rejected_path": "", "rejected_file": rejected}
    if report.applied:
        job.status, job.event, job.message = JobStatus.DONE, report.event, ""
        delete_files(job)  # the personal data is in the registry now
    elif moved:
        job.status, job.message = JobStatus.PREVIEWED, moved
    else:
        # The file changed between preview and confirm, or a new error appeared: nothing written.
        job.status, job.message = JobStatus.PREVIEWED, "Tệp có lỗi; chưa ghi gì."
    job.save(update_fields=["status", "report", "event", "message", "updated_at"])


def _finish(job_id: str) -> None:
    with _lock:
        _progress.pop(job_id, None)


def _guarded(job_id: str, fn, job: ImportJob | None = None) -> ImportJob | None:
    """Run fn(job); any error leaves the job failed with a message (inline and background)."""
    try:
        if job is None:
            job = ImportJob.objects.select_related("village", "user").get(pk=job_id)
        fn(job)
    except Exception:
        log.exception("import job %s failed", job_id)
        now = timezone.now()
        ImportJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, message=FAILED_MESSAGE, updated_at=now
        )
        if job is not None:
            job.status, job.message, job.updated_at = JobStatus.FAILED, FAILED_MESSAGE, now
    finally:
        _finish(job_id)
    return job


_STEPS = {"preview": _run_preview, "apply": _run_apply}
LOST_MESSAGE = (
    "Tiến trình xử lý bị dừng giữa chừng và đã thử lại không thành; chưa ghi gì. Hãy thử lại."
)


@task()
def run_import_step(job_id: str, step: str) -> str:
    """The queued half of an import (in the worker): preview or apply one job."""
    job = _guarded(job_id, _STEPS[step])
    return job.status if job is not None else "missing"


@when_lost(run_import_step)
def _import_lost(args: list[Any], kwargs: dict[str, Any], retrying: bool) -> None:
    job_id = args[0] if args else kwargs.get("job_id")
    if retrying:
        ImportJob.objects.filter(pk=job_id).update(updated_at=timezone.now())
    else:
        ImportJob.objects.filter(
            pk=job_id, status__in=[JobStatus.PREVIEWING, JobStatus.APPLYING]
        ).update(status=JobStatus.FAILED, message=LOST_MESSAGE, updated_at=timezone.now())


def _start(job: ImportJob, status: str, step: str, background: bool | None) -> ImportJob:
    job.status = status
    job.save(update_fields=["status", "updated_at"])
    if background is None:
        background = size(job) > getattr(settings, "TRANSFER_INLINE_BYTES", INLINE_BYTES)
    if not background:
        _guarded(str(job.pk), _STEPS[step], job)
        return job
    enqueue_on_commit(run_import_step, str(job.pk), step)
    return job


def start_preview(job: ImportJob, background: bool | None = None) -> ImportJob:
    return _start(job, JobStatus.PREVIEWING, "preview", background)


def start_apply(job: ImportJob, background: bool | None = None) -> ImportJob:
    # Applies once (issue #11): only the request whose conditional UPDATE moves the job from
    # "previewed" to "applying" runs it; a second confirm at the same time (double click, two
    # tabs, a retried API call) updates 0 rows and returns the job as it is.
    claimed = ImportJob.objects.filter(pk=job.pk, status=JobStatus.PREVIEWED).update(
        status=JobStatus.APPLYING, updated_at=timezone.now()
    )
    if not claimed:
        job.refresh_from_db()
        return job
    return _start(job, JobStatus.APPLYING, "apply", background)


def stale(job: ImportJob) -> bool:
    """Running, but no heartbeat saved for STALE_AFTER: the process running it is gone."""
    return job.is_running and timezone.now() - job.updated_at > STALE_AFTER


# ---- large lists as background jobs --------------------------------------------------------------

# A province's or district's list runs to tens of thousands of rows (seconds of XLSX writing):
# above this many villages the page starts a job instead of answering in the request.
LIST_JOB_MIN_VILLAGES = 50


def list_needs_job(unit: Any) -> bool:
    """True for units whose lists are large enough to be worth a job (above a commune)."""
    from smartvillage.units.models import Level

    return unit.level in (Level.PROVINCE, Level.DISTRICT) or (
        unit.level == Level.COMMUNE
        and type(unit).objects.filter(path__startswith=unit.path, level=Level.VILLAGE).count()
        > LIST_JOB_MIN_VILLAGES
    )


def start_list_export(
    user: Any,
    unit: Any,
    set_slug: str,
    criterion_code: str,
    fmt: str,
    at: dt.date | None,
    back_url: str = "",
) -> Any:
    """A job that writes a criterion's list (lists.export_list: permission and audit included);
    redirect the user to `jobs:job` with the returned job's pk."""
    from smartvillage.jobs.services import do_start_job

    return do_start_job(
        target="smartvillage.transfer.jobs.export_list_job",
        title=f"Danh sách tiêu chí {criterion_code} ({fmt.upper()}) – {unit.full_name}",
        user=user,
        params={
            "unit": unit.pk,
            "set": set_slug,
            "criterion": criterion_code,
            "fmt": fmt,
            "at": at.isoformat() if at else None,
        },
        back_url=back_url,
    )


def export_list_job(job: Any, progress: Any) -> Any:
    from smartvillage.jobs.services import JobOutput
    from smartvillage.transfer import lists
    from smartvillage.units.models import AdminUnit

    p = job.params
    progress("Đang lập danh sách", 0, 2)
    unit = AdminUnit.objects.filter(pk=p["unit"]).first()
    if unit is None:
        raise DomainError("Không tìm thấy đơn vị.")
    try:
        content, name, ctype = lists.export_list(
            job.user,
            unit,
            p["set"],
            p["criterion"],
            p["fmt"],
            dt.date.fromisoformat(p["at"]) if p.get("at") else None,
        )
    except PermissionDenied as exc:
        raise DomainError("Tài khoản không có quyền xuất dữ liệu cá nhân của đơn vị này.") from exc
    progress("Đang lưu tệp", 1, 2)
    return JobOutput(data=content, file_name=name, content_type=ctype)
