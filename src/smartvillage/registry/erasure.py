"""A data subject's rights (Law 91/2025/QH15): everything held about a person, and its erasure.

`person_data` gathers every copy of a person's data the product holds; `erase` removes or
pseudonymises every one of them (docs/decisions/006-erasure.md):

- the person's row (deleted);
- the household's head name, address, note and facts, and housemates' notes, where they name
  the person;
- the audit trail: the person's own entries lose their before/after values, entries of the
  household (and of imports into the village) have the name and identity number replaced;
- free-text survey answers of the household that name the person (replaced);
- pending import files of the village that contain the name (files deleted, job failed with a
  reason; its preview report scrubbed), and rejected-rows files of partial imports that name
  the person (deleted; all through the media storage);
- frozen assessment snapshots (submitted to the commune, district, province): the person's row is
  kept for the counts, the name is replaced by a pseudonym, and the snapshot records when and on
  what legal basis. The version's content hash stays that of the original submission, so a printed
  report still identifies the version that was submitted.

Both actions are audited without the erased values.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from smartvillage.audit.models import AuditEvent
from smartvillage.jobs import media
from smartvillage.registry.facts import column_facts
from smartvillage.registry.models import Household, Person

PSEUDONYM = "(đã xóa theo yêu cầu)"
LEGAL_BASIS = (
    "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15: xóa dữ liệu theo yêu cầu của chủ thể dữ liệu; "
    "hồ sơ đã nộp được giữ để thực hiện nhiệm vụ theo luật định, tên được thay bằng bí danh"
)


@dataclass
class ErasureReport:
    """What an erasure changed (counts only: no personal data)."""

    audit_entries: int = 0
    households: int = 0
    housemates: int = 0
    snapshots: int = 0
    import_jobs: int = 0
    survey_answers: int = 0
    files: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.audit_entries} mục nhật ký, {self.households} hộ, {self.housemates} ghi chú "
            f"người cùng hộ, {self.snapshots} hồ sơ đã chốt (thay bằng bí danh), "
            f"{self.import_jobs} lần nhập đang chờ ({len(self.files)} tệp xóa), "
            f"{self.survey_answers} câu trả lời khảo sát"
        )


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def needles(person: Person) -> list[str]:
    """The strings that identify the person: the name and the identity number.

    A name of one word ("An") is replaced only where it is the whole value, never inside other
    text ("Xã An"); a full name of two words or more, and the identity number, wherever they occur.
    """
    out = []
    name = _nfc(person.full_name).strip()
    if name:
        out.append(name)
    if person.identity_number and len(person.identity_number) >= 6:
        out.append(person.identity_number)
    return out


def _replace(text: str, words: list[str]) -> str:
    text = _nfc(text)
    for word in words:
        if word.strip() == text.strip() and text.strip():
            return PSEUDONYM
        if (" " in word or word.isdigit()) and word in text:
            text = text.replace(word, PSEUDONYM)
    return text


def scrub(value: Any, words: list[str]) -> Any:
    """`value` (str, or JSON of dicts and lists) with every needle replaced by the pseudonym."""
    if isinstance(value, str):
        return _replace(value, words)
    if isinstance(value, list):
        return [scrub(v, words) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, words) for k, v in value.items()}
    return value


def mentions(value: Any, words: list[str]) -> bool:
    return scrub(value, words) != value


def _audit_scope(person: Person) -> Q:
    household = person.household
    return (
        Q(object_type="person", object_id=str(person.pk))
        | Q(household_id=household.pk)
        | Q(object_type="household", object_id=str(household.pk))
        | Q(batch__isnull=False, unit_id=household.village_id)
        | Q(batch__isnull=True, items__isnull=False, unit_id=household.village_id)
    )


def _snapshot_rows(snapshot: dict, person: Person) -> list[tuple[str, dict]]:
    """(criterion code, row) of the snapshot's member rows that are this person (or, for
    household criteria, this person as the household's head)."""
    name = _nfc(person.full_name).strip()
    code = person.household.code
    out = []
    members = (snapshot.get("data") or {}).get("members") or snapshot.get("members") or {}
    if not isinstance(members, dict):
        return out
    for criterion, rows in members.items():
        for row in rows or []:
            if (
                isinstance(row, dict)
                and _nfc(str(row.get("name", ""))).strip() == name
                and str(row.get("household_code", "")) == code
            ):
                out.append((criterion, row))
    return out


def _versions_with(person: Person) -> list[Any]:
    from smartvillage.assessments.models import AssessmentVersion

    words = needles(person)
    village = person.household.village
    versions = AssessmentVersion.objects.select_related("assessment__unit").filter(
        Q(assessment__unit_id=village.pk) | Q(assessment__unit_id=village.parent_id)
    )
    return [
        v
        for v in versions
        if _snapshot_rows(v.snapshot, person)
        or mentions(v.snapshot, words)
        or mentions(v.report_meta, words)
    ]


def _pending_jobs(person: Person) -> list[Any]:
    from smartvillage.transfer import jobs
    from smartvillage.transfer.models import ImportJob, JobStatus

    words = needles(person)
    found = []
    for job in ImportJob.objects.filter(village_id=person.household.village_id).exclude(
        status=JobStatus.DONE
    ):
        hit = mentions(job.report, words) or mentions(job.message, words)
        if hit or any(_file_mentions(name, words) for name in jobs.pending_files(job)):
            found.append(job)
    return found


def _file_mentions(name: str, words: list[str]) -> bool:
    """Whether a stored import file (a list) names the person. Read through the media storage
    (a temporary local copy: the readers need a path); an unreadable file cannot be searched,
    so it counts as naming them."""
    from smartvillage.transfer.reader import read_file

    try:
        with media.local_copies([name]) as (path,):
            sheets = read_file(path)
    except Exception:
        return True
    return any(
        isinstance(v, str) and mentions(v, words)
        for s in sheets
        for _n, values in s.rows
        for v in values
    )


def _rejected_files(person: Person) -> list[Any]:
    """Finished partial imports of the village whose rejected-rows file names the person."""
    from smartvillage.transfer import jobs
    from smartvillage.transfer.models import ImportJob, JobStatus

    words = needles(person)
    return [
        job
        for job in ImportJob.objects.filter(
            village_id=person.household.village_id, status=JobStatus.DONE
        ).exclude(report={})
        if (job.report or {}).get("rejected_file") == jobs.rejected_name(job)
        and _file_mentions(job.report["rejected_file"], words)
    ]


def person_data(person: Person) -> dict[str, Any]:
    """Everything held about one person (a data-subject access request)."""
    household = person.household
    words = needles(person)
    own = AuditEvent.objects.filter(object_type="person", object_id=str(person.pk))
    household_events = AuditEvent.objects.filter(
        object_type="household", object_id=str(household.pk)
    )
    return {
        "person": {
            "id": person.pk,
            "full_name": person.full_name,
            "birth_date": person.birth_date.isoformat() if person.birth_date else None,
            "birth_year_only": person.birth_year_only,
            "sex": person.sex,
            "relationship": person.relationship,
            "identity_number": person.identity_number,
            "note": person.note,
            "facts": {
                **{f.key: getattr(person, f.key) for f in column_facts("person")},
                **(person.extra or {}),
            },
        },
        "household": {
            "code": household.code,
            "head_name": household.head_name,
            "address": household.address,
            "village": household.village.full_name,
            "note": household.note,
        },
        "audit": [_event(e) for e in own.order_by("at", "pk")],
        "household_history": [
            _event(e) for e in household_events.order_by("at", "pk") if e.action != "view"
        ],
        "snapshots": [
            {
                "assessment": v.assessment_id,
                "unit": v.assessment.unit.full_name,
                "version": v.number,
                "submitted_at": v.submitted_at.isoformat(),
                "rows": [{"criterion": c, **row} for c, row in _snapshot_rows(v.snapshot, person)],
            }
            for v in _versions_with(person)
        ],
        "pending_imports": [
            {
                "job": str(job.pk),
                "created_at": job.created_at.isoformat(),
                "status": job.status,
                "files": [f.get("name") if isinstance(f, dict) else str(f) for f in job.files],
            }
            for job in _pending_jobs(person)
        ],
        "mentioned_in": sorted(
            {
                f"{e.object_type} {e.object_id}"
                for e in AuditEvent.objects.filter(_audit_scope(person)).exclude(
                    object_type="person", object_id=str(person.pk)
                )
                if mentions([e.before, e.after, e.object_repr, e.note], words)
            }
        ),
    }


def _event(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor_name,
        "action": event.action,
        "before": event.before,
        "after": event.after,
        "note": event.note,
    }


@transaction.atomic
def erase(person: Person) -> ErasureReport:
    """Remove or pseudonymise every copy of the person's data; the caller audits and deletes."""
    report = ErasureReport()
    words = needles(person)
    household = Household.objects.select_for_update().get(pk=person.household_id)

    # The audit trail: own entries lose their values; others have the name replaced.
    for event in AuditEvent.objects.filter(_audit_scope(person)).distinct():
        own = event.object_type == "person" and event.object_id == str(person.pk)
        before = None if own else scrub(event.before, words)
        after = None if own else scrub(event.after, words)
        object_repr = PSEUDONYM if own else _replace(event.object_repr, words)
        note = _replace(event.note, words)
        if (before, after, object_repr, note) != (
            event.before,
            event.after,
            event.object_repr,
            event.note,
        ):
            AuditEvent.objects.filter(pk=event.pk).update(
                before=before, after=after, object_repr=object_repr, note=note
            )
            report.audit_entries += 1

    # The household's head name, address, note and extra facts; housemates' notes.
    changes = {}
    for name in ("head_name", "address", "note", "extra"):
        value = getattr(household, name)
        cleaned = scrub(value, words)
        if cleaned != value:
            changes[name] = cleaned
    if changes:
        Household.objects.filter(pk=household.pk).update(**changes)
        report.households += 1
    for mate in Person.objects.filter(household=household).exclude(pk=person.pk):
        cleaned = _replace(mate.note, words)
        if cleaned != mate.note:
            Person.objects.filter(pk=mate.pk).update(note=cleaned)
            report.housemates += 1

    # Free-text survey answers of the household that name the person.
    try:
        from smartvillage.surveys.models import Answer
    except ImportError:  # the surveys app is optional
        Answer = None  # noqa: N806
    if Answer is not None:
        for answer in Answer.objects.filter(response__household_id=household.pk):
            cleaned = scrub(answer.value, words)
            if cleaned != answer.value:
                Answer.objects.filter(pk=answer.pk).update(value=cleaned)
                report.survey_answers += 1

    # Frozen snapshots: pseudonymised with a recorded note (docs/decisions/006-erasure.md).
    now = timezone.now()
    for version in _versions_with(person):
        snapshot = version.snapshot
        for _criterion, row in _snapshot_rows(snapshot, person):
            row["name"] = PSEUDONYM
        snapshot = scrub(snapshot, words)
        snapshot.setdefault("erasures", []).append(
            {"at": now.isoformat(timespec="seconds"), "basis": LEGAL_BASIS}
        )
        version.snapshot = snapshot
        version.report_meta = scrub(version.report_meta, words)
        version.save(update_fields=["snapshot", "report_meta"])
        report.snapshots += 1

    # Pending import files that contain the person: deleted, the job failed with the reason.
    from smartvillage.transfer import jobs
    from smartvillage.transfer.models import ImportJob, JobStatus

    for job in _pending_jobs(person):
        # Deleted through the media storage (the bucket too, when media is in one).
        report.files += [PurePosixPath(name).name for name in jobs.delete_files(job)]
        ImportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            report=scrub(job.report, words) if job.report else {},
            message=(
                "Tệp đang chờ nhập đã bị xóa vì có dữ liệu của một người đã được xóa theo yêu "
                "cầu (Luật 91/2025/QH15). Hãy tải lên lại tệp đã bỏ người này."
            ),
        )
        report.import_jobs += 1
    # Rejected-rows files of partial imports that name the person (kept 2 days for the user to
    # correct): deleted through the media storage, the job keeps its counts.
    for job in _rejected_files(person):
        media.storage().delete(job.report["rejected_file"])
        report.files.append(PurePosixPath(job.report["rejected_file"]).name)
        ImportJob.objects.filter(pk=job.pk).update(
            report={**scrub(job.report, words), "rejected_file": ""}
        )
    return report


def media_mentions(person_words: list[str], root: Path | None = None) -> list[str]:
    """Media files whose bytes contain a needle (for tests and for an operator's check): every
    file in the media storage, or under the local folder `root` when one is given."""
    encoded = [w.encode() for w in person_words]
    if root is not None:
        return [
            str(p)
            for p in Path(root).rglob("*")
            if p.is_file() and any(word in p.read_bytes() for word in encoded)
        ]
    store = media.storage()
    found = []
    for name in media.list_files("", store):
        with store.open(name, "rb") as handle:
            data = handle.read()
        if any(word in data for word in encoded):
            found.append(name)
    return found
