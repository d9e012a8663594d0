"""Action functions for evidence records: check permission, validate, write atomically, audit.

Views, the admin and the API call these; nothing else writes EvidenceRecord rows or their files.

A file that a submitted assessment froze (its snapshot lists the record with that file's sha256)
is kept: replacing or removing the file, or deleting the record, is refused with a message that
names the assessment. The record's other fields stay editable, and new evidence can be added.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, QuerySet

from smartvillage.accounts.permissions import Action, can
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.core import concurrency
from smartvillage.core.errors import DomainError
from smartvillage.evidence import catalogue
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.evidence.uploads import check_upload
from smartvillage.units.models import AdminUnit

EDITABLE_FIELDS = (
    "category",
    "type",
    "title",
    "number",
    "issued_date",
    "issuer",
    "description",
    "since",
    "valid_until",
    "link",
    "location",
    "quantity",
    "attributes",
)


def _require(user: Any, action: Action, unit: AdminUnit) -> None:
    if not can(user, action, unit):
        raise PermissionDenied(f"{action} on {unit}")


def _snap(record: EvidenceRecord) -> dict[str, Any]:
    data = audit.snapshot(record)
    data["file"] = record.file.name if record.file else ""
    return data


def _validate(record: EvidenceRecord) -> None:
    if not catalogue.is_known(record.category, record.type):
        raise DomainError(
            f"Loại minh chứng “{record.category}/{record.type}” không có trong danh mục.",
            "evidence_type",
        )
    if record.valid_until and (record.issued_date or record.since):
        start = record.issued_date or record.since
        if record.valid_until < start:
            raise DomainError("“Hiệu lực đến” phải sau ngày ban hành/hoạt động.", "evidence_dates")
    try:
        record.full_clean(exclude=["file", "unit", "created_by", "updated_by"])
    except ValidationError as exc:
        parts = []
        for name, messages in exc.message_dict.items():
            label = record._meta.get_field(name).verbose_name if name != "__all__" else ""
            parts.append(f"{label}: {' '.join(messages)}" if label else " ".join(messages))
        raise DomainError("; ".join(parts), "evidence_invalid") from exc


def _attach(record: EvidenceRecord, name: str, stream: IO[bytes], size: int | None) -> None:
    checked = check_upload(name, stream, size)
    record.file_name = checked.name[:255]
    record.content_type = checked.content_type
    record.file_size = checked.size
    record.file_sha256 = checked.sha256
    # upload_to builds the stored name from the hash and the checked extension.
    record.file.save(f"upload.{checked.extension}", File(stream), save=False)


@transaction.atomic
def do_create_evidence(
    user: Any, unit: AdminUnit, *, upload: Any = None, **fields: Any
) -> EvidenceRecord:
    _require(user, Action.MANAGE_EVIDENCE, unit)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    record = EvidenceRecord(unit=unit, created_by=user, updated_by=user, **fields)
    _validate(record)
    if upload is not None:
        _attach(record, upload.name, upload, getattr(upload, "size", None))
    try:
        record.save()
    except Exception:
        _discard_file(record)
        raise
    audit.record(
        actor=user, action=AuditAction.CREATE, instance=record, unit=unit, after=_snap(record)
    )
    return record


def _mentions(node: Any, record_id: int, sha256: str) -> bool:
    """Whether a snapshot document lists the evidence record with this file (anywhere: the unit's
    evidence, a criterion's evidence, a village's result inside a commune's snapshot)."""
    if isinstance(node, dict):
        if (
            node.get("id") == record_id
            and node.get("file_sha256") == sha256
            and "category" in node
            and node.get("has_file", True)
        ):
            return True
        return any(_mentions(value, record_id, sha256) for value in node.values())
    if isinstance(node, list):
        return any(_mentions(item, record_id, sha256) for item in node)
    return False


def frozen_in(record: EvidenceRecord) -> list[tuple[int, int]]:
    """(assessment id, version) of every submitted version whose snapshot holds the record's
    current file. Snapshots of the record's unit and of the units above it (a commune's snapshot
    holds its villages' results) are searched."""
    if not record.file or not record.file_sha256:
        return []
    from smartvillage.assessments.models import AssessmentVersion

    unit_ids = [record.unit_id, *(u.pk for u in record.unit.ancestors())]
    versions = (
        AssessmentVersion.objects.filter(assessment__unit_id__in=unit_ids)
        .order_by("assessment_id", "number")
        .only("assessment_id", "number", "snapshot")
    )
    return [
        (v.assessment_id, v.number)
        for v in versions.iterator()
        if _mentions((v.snapshot or {}).get("data"), record.pk, record.file_sha256)
    ]


def _refuse_if_frozen(record: EvidenceRecord, doing: str) -> None:
    refs = frozen_in(record)
    if not refs:
        return
    where = ", ".join(f"hồ sơ số {a} (phiên bản {n})" for a, n in refs[:3])
    if len(refs) > 3:
        where += f" và {len(refs) - 3} phiên bản khác"
    raise DomainError(
        f"Không thể {doing}: tệp “{record.file_name or record.title}” là minh chứng đã chốt trong "
        f"{where} đã nộp; số liệu đã chốt phải giữ nguyên tệp minh chứng. Nếu có tệp mới, hãy thêm "
        "một minh chứng mới (có thể ghi “Hiệu lực đến” cho minh chứng cũ).",
        "upload_frozen",
    )


def _discard_file(record: EvidenceRecord) -> None:
    if record.file:
        record.file.storage.delete(record.file.name)


@transaction.atomic
def do_update_evidence(
    user: Any,
    record: EvidenceRecord,
    *,
    upload: Any = None,
    remove_file: bool = False,
    expected_version: int | None = None,
    **fields: Any,
) -> EvidenceRecord:
    _require(user, Action.MANAGE_EVIDENCE, record.unit)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    locked = EvidenceRecord.objects.select_for_update().get(pk=record.pk)
    # Optimistic locking, as audit.update_audited does it (this action also swaps files).
    if expected_version is not None and locked.version != expected_version:
        raise concurrency.StaleEdit(
            locked, expected_version, concurrency.other_changes(locked, expected_version)
        )
    if upload is not None or remove_file:
        _refuse_if_frozen(locked, "thay hoặc xóa tệp")
    before = _snap(locked)
    old_file = locked.file.name if locked.file else ""
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.updated_by = user
    _validate(locked)
    if upload is not None:
        _attach(locked, upload.name, upload, getattr(upload, "size", None))
    elif remove_file:
        locked.file = ""
        locked.file_name = locked.content_type = locked.file_sha256 = ""
        locked.file_size = None
    locked.save()
    after = _snap(locked)
    if before != after:
        EvidenceRecord.objects.filter(pk=locked.pk).update(version=F("version") + 1)
        locked.version += 1
        audit.record(
            actor=user,
            action=AuditAction.UPDATE,
            instance=locked,
            unit=locked.unit,
            before=before,
            after=after,
        )
    new_file = locked.file.name if locked.file else ""
    if (
        old_file
        and old_file != new_file
        and not EvidenceRecord.objects.filter(file=old_file).exists()
    ):
        # Remove the replaced file only once the new state is committed.
        storage = locked.file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return locked


@transaction.atomic
def do_delete_evidence(user: Any, record: EvidenceRecord) -> None:
    _require(user, Action.MANAGE_EVIDENCE, record.unit)
    locked = EvidenceRecord.objects.select_for_update().get(pk=record.pk)
    _refuse_if_frozen(locked, "xóa minh chứng")
    audit.record(
        actor=user,
        action=AuditAction.DELETE,
        instance=locked,
        unit=locked.unit,
        before=_snap(locked),
    )
    old_file = locked.file.name if locked.file else ""
    storage = locked.file.storage
    locked.delete()
    if old_file and not EvidenceRecord.objects.filter(file=old_file).exists():
        transaction.on_commit(lambda: storage.delete(old_file))


def records_for(
    unit: AdminUnit, at: dt.date | None = None
) -> QuerySet[EvidenceRecord] | list[EvidenceRecord]:
    """The unit's evidence; with `at`, only the records valid at that reference date."""
    qs = EvidenceRecord.objects.filter(unit=unit).order_by("category", "type", "-issued_date", "id")
    if at is None:
        return qs
    return [r for r in qs if r.is_valid_at(at)]


def audit_download(user: Any, record: EvidenceRecord) -> None:
    """Downloads of evidence files are recorded (they may show people and places)."""
    audit.record(
        actor=user,
        action=AuditAction.VIEW,
        instance=record,
        unit=record.unit,
        note=f"Tải tệp minh chứng {record.file_name}",
    )
