"""The entry points: preview (read, detect, parse, link, plan) and import_files."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied

from smartvillage.accounts.permissions import Action, can
from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.core.errors import DomainError
from smartvillage.registry.facts import derived_from
from smartvillage.registry.services import village_registry_lock
from smartvillage.transfer import headers as H
from smartvillage.transfer.importing.layout import (
    CORE_KEYS,
    LayoutContext,
    _assemble,
    _find_header,
    _fix_ambiguous,
    header_score,
)
from smartvillage.transfer.importing.link import _link
from smartvillage.transfer.importing.mapping import (
    _letters_for_unused_headers,
    _mapping_errors,
    _split_mapping,
)
from smartvillage.transfer.importing.parse import _parse_sheet, _Parser
from smartvillage.transfer.importing.plan import _validate_and_plan
from smartvillage.transfer.importing.report import (
    ERROR,
    WARNING,
    ImportReport,
    Issue,
    ProgressFn,
    SheetLayout,
)
from smartvillage.transfer.importing.write import apply
from smartvillage.transfer.reader import Sheet, read_file
from smartvillage.units.models import AdminUnit, Level

log = logging.getLogger(__name__)


def criterion_facts(village: AdminUnit) -> frozenset[str]:
    """Facts any criterion of the village's province's sets (and national sets) counts."""
    from smartvillage.criteria import expressions
    from smartvillage.criteria.services import sets_for_unit

    keys: set[str] = set()
    try:
        sets = sets_for_unit(village)
    except Exception:  # a broken set file must not stop an import; the core fields still count
        log.warning("criteria sets not loaded for the import of %s", village, exc_info=True)
        return frozenset()
    for cset in sets:
        for criterion in cset.criteria:
            for node in (criterion.numerator_node, criterion.population_filter_node):
                if node is not None:
                    keys.update(name.rsplit(".", 1)[-1] for name in expressions.names(node))
    # A fact derived from a column (the digital address code) makes that column count too.
    for key in list(keys):
        keys.update(source for source, _when in derived_from(key))
    return frozenset(keys)


def preview(
    village: AdminUnit,
    paths: list[Path],
    *,
    mapping: dict[str, str] | None = None,
    names: list[str] | None = None,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Parse and validate the files and plan the changes, writing nothing (the dry run).

    Open questions (columns that may hold a core field or a criterion's fact and could not be
    mapped with confidence) and proposals (medium confidence) are in the report; `apply`
    refuses until the mapping answers them.
    """
    if village.level != Level.VILLAGE:
        raise DomainError(
            f"Chỉ nhập hộ, nhân khẩu vào một thôn; “{village}” là {village.get_level_display()}.",
            "not_a_village",
        )
    names = names or [p.name for p in paths]
    report = ImportReport(village, names)
    report.paths = list(paths)
    columns_map = _split_mapping(mapping)
    fields = H.all_fields()
    ctx = LayoutContext(columns_map, fields, important=CORE_KEYS | criterion_facts(village))

    def score(rows: list) -> int:
        return header_score(rows, ctx=ctx)

    sheets: list[Sheet] = []
    for path, name in zip(paths, names, strict=True):

        def _read_progress(done: int) -> None:
            if progress:
                progress("read", done, 0)

        file_sheets = read_file(path, _read_progress, display_name=name, header_score=score)
        if not any(sheet.rows for sheet in file_sheets):
            report.issues.append(
                Issue(
                    ERROR,
                    f"tệp trống: “{name}” không có dòng nào (tệp 0 byte hoặc mọi trang đều trống)",
                )
            )
            continue
        sheets.extend(file_sheets)
    if not sheets:
        return report
    total_rows = sum(len(s.rows) for s in sheets)
    if progress:
        progress("validate", 0, total_rows)
    parser = _Parser(report)
    out: dict[str, list] = {"households": [], "persons": []}
    has_code_column = False
    relationship_known = False
    head_name_known = False
    # First every sheet's header row (a bare "--map B=…" is a letter only if no header reads "B"),
    # then the columns, with the user's choices by letter.
    found = [(sheet, _find_header(sheet, ctx)) for sheet in sheets]
    _letters_for_unused_headers(columns_map)
    done_rows = 0
    for sheet, header in found:
        if header is None:
            report.layouts.append(SheetLayout(sheet.name, "ignored"))
            done_rows += len(sheet.rows)
            continue
        layout, start = _assemble(sheet, header, ctx)
        report.layouts.append(layout)
        _fix_ambiguous(sheet, layout, start)
        keys = {c.field.key for c in layout.columns}
        if layout.role == "persons":
            has_code_column |= "household_code" in keys
            relationship_known |= "relationship" in keys
        head_name_known |= "head_name" in keys

        def _tick(n: int, base: int = done_rows) -> None:
            if progress:
                progress("validate", base + n, total_rows)

        _parse_sheet(sheet, layout, start, parser, report, out, _tick if progress else None)
        done_rows += len(sheet.rows)
        # The rows are parsed: let them go (a large file is not held twice).
        sheet.rows = []
        for letter, header_text in layout.unmatched:
            if letter in layout.duplicates:
                label, first = layout.duplicates[letter]
                reason = (
                    f"cột “{header_text}” cũng là “{label}” như cột {first}: bỏ qua cột {letter}; "
                    f"để nhập cột này, chọn cho nó một trường khác ở bước gán cột "
                    f'(dòng lệnh: --map "{sheet.name}!{letter}=mã_trường")'
                )
            else:
                reason = (
                    f"không nhận ra cột “{header_text}”: bỏ qua (hãy chọn trường cho cột này nếu cần; "
                    f'dòng lệnh: --map "{sheet.name}!{letter}=mã_trường")'
                )
            report.issues.append(
                Issue(WARNING, reason, sheet.name, layout.header_row, letter, header_text)
            )
    report.issues.extend(_mapping_errors(columns_map, sheets, report.layouts))
    if not any(layout.role != "ignored" for layout in report.layouts):
        report.issues.append(
            Issue(
                ERROR,
                "không tìm thấy dòng tiêu đề (cần ít nhất cột “Họ và tên” hoặc “Mã hộ” và một cột khác) trong các trang: "
                + ", ".join(f"“{s.name}”" for s in sheets),
            )
        )
        return report
    if not out["households"] and not out["persons"]:
        report.issues.append(Issue(ERROR, "tệp không có dòng dữ liệu nào dưới dòng tiêu đề"))
        return report
    households = _link(report, out["households"], out["persons"], has_code_column)
    out.clear()
    _validate_and_plan(report, households, relationship_known, head_name_known)
    report.households = households
    if progress:
        progress("validate", total_rows, total_rows)
    return report


def import_files(
    village: AdminUnit,
    paths: list[Path],
    *,
    user: Any = None,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
    names: list[str] | None = None,
    progress: ProgressFn | None = None,
    partial: bool = False,
    accept_proposed: bool = False,
    expected_counts: dict[str, int] | None = None,
    rejected_dir: Path | None = None,
) -> ImportReport:
    """Preview, then apply unless `dry_run`, errors (unless `partial`) or open questions.

    `expected_counts`: the counts of the preview the user confirmed (an import job); when the plan
    made under the lock adds fewer households or persons (someone added them meanwhile), nothing
    is written and the report comes back unapplied (transfer.jobs says why).

    The one call the CLI makes. `accept_proposed` takes the medium-confidence proposals as
    confirmed (the CLI's --accept-proposed); otherwise they wait, like the questions.
    """
    if user is not None and not can(user, Action.EDIT_REGISTRY, village):
        raise PermissionDenied(f"edit_registry on {village}")
    if dry_run:
        return preview(village, paths, mapping=mapping, names=names, progress=progress)
    # Plan and write under the village's registry lock: a parallel import of the same village
    # waits, then plans against this one's rows and cannot add the same persons again (#11).
    with village_registry_lock(village):
        report = preview(village, paths, mapping=mapping, names=names, progress=progress)
        if expected_counts and any(
            report.counts.get(key, 0) < expected_counts.get(key, 0)
            for key in ("households_created", "persons_created")
        ):
            return report
        if report.ready(accept_proposed) and (report.ok or (partial and report.partial_possible)):
            apply(
                report,
                user,
                progress,
                partial=partial,
                accept_proposed=accept_proposed,
                rejected_dir=rejected_dir,
            )
    return report


def import_events(village: AdminUnit):
    """Past import events of a village, newest first, with how many rows each changed."""
    from django.db.models import Count

    return (
        AuditEvent.objects.filter(unit=village, action=AuditAction.IMPORT, batch__isnull=True)
        .annotate(changes=Count("items"))
        .order_by("-at", "-id")
    )
