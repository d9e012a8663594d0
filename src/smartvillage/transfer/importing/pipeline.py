"""The entry points: preview (read, detect, parse, link, plan) and import_files."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied

from smartvillage.accounts.permissions import Action, can
from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.core.errors import DomainError
from smartvillage.transfer import headers as H
from smartvillage.transfer.importing.layout import (
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


def preview(
    village: AdminUnit,
    paths: list[Path],
    *,
    mapping: dict[str, str] | None = None,
    names: list[str] | None = None,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Parse and validate the files and plan the changes, writing nothing (the dry run)."""
    if village.level != Level.VILLAGE:
        raise DomainError(
            f"Chỉ nhập hộ, nhân khẩu vào một thôn; “{village}” là {village.get_level_display()}.",
            "not_a_village",
        )
    names = names or [p.name for p in paths]
    report = ImportReport(village, names)
    columns_map = _split_mapping(mapping)
    table = H.lookup_table()
    fields = H.all_fields()
    score = functools.partial(
        header_score, table=table, mapping=columns_map.header_keys, fields=fields
    )
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
    found = [(sheet, _find_header(sheet, table, columns_map, fields)) for sheet in sheets]
    _letters_for_unused_headers(columns_map)
    done_rows = 0
    for sheet, header in found:
        if header is None:
            report.layouts.append(SheetLayout(sheet.name, "ignored"))
            done_rows += len(sheet.rows)
            continue
        layout, start = _assemble(sheet, header, columns_map, fields)
        report.layouts.append(layout)
        _fix_ambiguous(sheet, layout, start, table)
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
) -> ImportReport:
    """Preview, then apply unless `dry_run` or there are errors. The one call the CLI makes."""
    if user is not None and not can(user, Action.EDIT_REGISTRY, village):
        raise PermissionDenied(f"edit_registry on {village}")
    report = preview(village, paths, mapping=mapping, names=names, progress=progress)
    if report.ok and not dry_run:
        apply(report, user, progress)
    return report


def import_events(village: AdminUnit):
    """Past import events of a village, newest first, with how many rows each changed."""
    from django.db.models import Count

    return (
        AuditEvent.objects.filter(unit=village, action=AuditAction.IMPORT, batch__isnull=True)
        .annotate(changes=Count("items"))
        .order_by("-at", "-id")
    )
