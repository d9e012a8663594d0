"""Column choices that outlive one upload: remembered per commune and header layout, carried to a
corrected file.

A job's mapping names columns by sheet and letter ("Nhân khẩu!B": field key, "" = skip the
column). That is exact for one file but not for the next one: the next village's sheet has
another name, a corrected file may have a column more. So a remembered mapping is *portable*:
one entry per decided column with its sheet position, sheet name, letter and header text, and
it is laid onto a new file's columns by header (the same sheet and letter win a tie).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from smartvillage.registry.facts import fold
from smartvillage.transfer.headers import all_fields
from smartvillage.transfer.models import ImportJob, JobStatus, SavedMapping
from smartvillage.units.models import AdminUnit, Level


def commune_of(village: AdminUnit) -> AdminUnit | None:
    parent = village.parent
    if parent is not None and parent.level == Level.COMMUNE:
        return parent
    return village.ancestor_of_level(Level.COMMUNE)


def _layouts(report: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """(position among the file's sheets, layout) of the sheets that are imported."""
    return [
        (index, layout)
        for index, layout in enumerate(report.get("layouts", []))
        if layout.get("role") != "ignored" and layout.get("all_columns")
    ]


def _columns(report: dict[str, Any]) -> list[tuple[int, str, str, str]]:
    """(sheet position, sheet name, letter, header) of every column of the imported sheets,
    including the columns asked about, should a sheet's column list leave them out."""
    out = []
    seen = set()
    positions = {}
    for index, layout in _layouts(report):
        positions[layout["name"]] = index
        for column in layout["all_columns"]:
            seen.add((layout["name"], column["letter"]))
            out.append((index, layout["name"], column["letter"], column.get("header") or ""))
    for item in [*report.get("questions", []), *report.get("proposed", [])]:
        sheet, letter = item.get("sheet", ""), item.get("column", "")
        if sheet in positions and (sheet, letter) not in seen:
            seen.add((sheet, letter))
            out.append((positions[sheet], sheet, letter, item.get("header") or ""))
    return out


def layout_signature(report: dict[str, Any]) -> str:
    """A hash of the header layout: each imported sheet's folded headers, in column order.

    Sheet and file names are left out on purpose (each village names its sheet or file after
    itself), which is why this is not the engine's `layout_signature` (that one includes the
    sheet names: right for recognising one file again, wrong for the next village's file).
    """
    shape = [
        [fold(str(column.get("header") or "")) for column in layout["all_columns"]]
        for _, layout in _layouts(report)
    ]
    if not shape:
        return ""
    return hashlib.sha256(json.dumps(shape, ensure_ascii=False).encode()).hexdigest()


def portable(mapping: dict[str, str], report: dict[str, Any]) -> list[dict[str, Any]]:
    """A job's mapping as entries that name each column by sheet position, letter and header."""
    columns = {
        fold(f"{sheet}!{letter}"): (i, sheet, letter, h) for i, sheet, letter, h in _columns(report)
    }
    out = []
    for ref, field in mapping.items():
        found = columns.get(fold(ref))
        if found is not None:
            index, sheet, letter, header = found
            out.append(
                {
                    "sheet_index": index,
                    "sheet": sheet,
                    "letter": letter,
                    "header": header,
                    "field": field,
                }
            )
        elif "!" not in ref:  # a header text (older jobs): applies wherever that header is
            out.append(
                {"sheet_index": None, "sheet": "", "letter": "", "header": ref, "field": field}
            )
    return out


def translate(entries: list[dict[str, Any]], report: dict[str, Any]) -> dict[str, str]:
    """Portable entries laid onto this report's columns: {"Sheet!B": field}.

    A column is found by its header (folded); among several, the same sheet position and letter
    win. An entry whose header is not in the file is dropped (the file no longer has the column).
    """
    fields = all_fields()
    columns = _columns(report)
    taken: set[str] = set()
    out: dict[str, str] = {}
    for entry in entries:
        field = entry.get("field", "")
        if field and field not in fields:
            continue
        header = fold(str(entry.get("header") or ""))
        best: tuple[int, str] | None = None
        for index, sheet, letter, column_header in columns:
            ref = f"{sheet}!{letter}"
            if ref in taken:
                continue
            if header and fold(column_header) != header:
                continue
            if not header and (index, letter) != (entry.get("sheet_index"), entry.get("letter")):
                continue
            score = (
                2 * (index == entry.get("sheet_index"))
                + (letter == entry.get("letter"))
                + (fold(sheet) == fold(str(entry.get("sheet") or "")))
            )
            if best is None or score > best[0]:
                best = (score, ref)
        if best is not None:
            taken.add(best[1])
            out[best[1]] = field
    return out


def find_saved(village: AdminUnit, signature: str) -> SavedMapping | None:
    commune = commune_of(village)
    if commune is None or not signature:
        return None
    return (
        SavedMapping.objects.select_related("village", "created_by", "updated_by")
        .filter(commune=commune, layout_signature=signature)
        .first()
    )


def _unconfirmed_same_layout(job: ImportJob, signature: str) -> ImportJob | None:
    """The user's latest unconfirmed job of the village with the same header layout: the file
    corrected and uploaded again from the start page keeps the choices made for it."""
    if job.user_id is None or not signature:
        return None
    recent = (
        ImportJob.objects.filter(
            village=job.village,
            user_id=job.user_id,
            status=JobStatus.PREVIEWED,
            layout_signature=signature,
            created_at__lte=job.created_at,
        )
        .exclude(pk=job.pk)
        .order_by("-created_at")[:5]
    )
    return next((other for other in recent if other.mapping), None)


def do_offer_mapping(job: ImportJob) -> bool:
    """After a job's first preview: lay the earlier job's choices (a corrected file) or the
    commune's remembered mapping for this header layout onto the file, and check it again.

    Runs once per job; returns True when a new preview was started.
    """
    from smartvillage.transfer import jobs

    if job.status != JobStatus.PREVIEWED or job.mapping_offered:
        return False
    report = job.report or {}
    signature = layout_signature(report)
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, mapping_offered=False).update(
            mapping_offered=True, layout_signature=signature
        )
    if not claimed:  # another request got here first
        return False
    job.mapping_offered, job.layout_signature = True, signature
    entries: list[dict[str, Any]] = []
    saved = None
    previous = job.previous or _unconfirmed_same_layout(job, signature)
    if previous is not None and previous.mapping and previous.report:
        entries = portable(previous.mapping, previous.report)
    if not entries:
        saved = find_saved(job.village, signature)
        if saved is not None:
            entries = saved.mapping
    mapping = {**translate(entries, report), **job.mapping}
    if not mapping or mapping == job.mapping:
        return False
    job.mapping = mapping
    job.saved_mapping = saved
    job.previous = previous if saved is None else job.previous
    job.save(update_fields=["mapping", "saved_mapping", "previous", "updated_at"])
    if saved is not None:
        SavedMapping.objects.filter(pk=saved.pk).update(uses=F("uses") + 1)
    jobs.start_preview(job)
    return True


def do_remember_mapping(job: ImportJob, user: Any) -> SavedMapping | None:
    """Remember the job's confirmed column choices for its commune and header layout."""
    commune = commune_of(job.village)
    signature = job.layout_signature or layout_signature(job.report or {})
    entries = portable(job.mapping, job.report or {})
    if commune is None or not signature or not entries:
        return None
    actor = user if getattr(user, "pk", None) else None
    values = {
        "mapping": entries,
        "village": job.village,
        "file_name": job.file_label[:200],
        "updated_by": actor,
    }
    for _attempt in range(2):
        try:
            with transaction.atomic():
                saved = (
                    SavedMapping.objects.select_for_update()
                    .filter(commune=commune, layout_signature=signature)
                    .first()
                )
                if saved is None:
                    return SavedMapping.objects.create(
                        commune=commune, layout_signature=signature, created_by=actor, **values
                    )
                for name, value in values.items():
                    setattr(saved, name, value)
                saved.save()
                return saved
        except IntegrityError:  # created by a concurrent confirm: update that one
            continue
    return None
