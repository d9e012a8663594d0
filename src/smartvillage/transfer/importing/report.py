"""What an import found and planned: issues with where they are, sheet layouts, the parsed
households and persons, and the report handed to the web step and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import column_index_from_string

from smartvillage.audit.models import AuditEvent
from smartvillage.registry.models import Household, Person
from smartvillage.transfer import headers as H
from smartvillage.transfer.reader import column_letter
from smartvillage.units.models import AdminUnit

ProgressFn = Callable[[str, int, int], None]  # (phase, done, total)

ERROR, WARNING = "error", "warning"


def _vn_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@dataclass
class Issue:
    level: str
    reason: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    header: str = ""
    value: str = ""
    fix: str = ""  # a proposed correction of the value (the rejected-rows file offers it)

    @property
    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"trang “{self.sheet}”")
        if self.row is not None:
            parts.append(f"dòng {_vn_int(self.row)}")
        if self.column:
            parts.append(f"cột {self.column}" + (f" ({self.header})" if self.header else ""))
        return ", ".join(parts)

    def message(self) -> str:
        where = self.where
        text = f"{where}: {self.reason}" if where else self.reason
        return text[0].upper() + text[1:]

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "value": self.value,
            "fix": self.fix,
            "reason": self.reason,
            "message": self.message(),
        }


@dataclass
class Column:
    index: int
    header: str
    field: H.Field
    state: str = "mapped"  # mapped | proposed | explicit (the user's mapping)

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class SheetLayout:
    name: str
    role: str  # "households" | "persons" | "ignored"
    header_row: int | None = None
    columns: list[Column] = field(default_factory=list)
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (letter, header)
    # letter -> (field label, letter of the column that has the field)
    duplicates: dict[str, tuple[str, str]] = field(default_factory=dict)
    # (letter, header) of the columns left out on purpose: STT, Kobo bookkeeping, "ignore" mappings
    ignored: list[tuple[str, str]] = field(default_factory=list)
    data_rows: int = 0
    header_rows: list[int] = field(default_factory=list)  # Excel rows of the header band
    headers: list[str] = field(default_factory=list)  # every column's header, " / "-joined
    questions: list[dict[str, Any]] = field(default_factory=list)  # see importing/__init__
    proposed: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "header_row": self.header_row,
            "header_rows": self.header_rows,
            "data_rows": self.data_rows,
            "columns": [
                {
                    "letter": c.letter,
                    "header": c.header,
                    "field": c.field.key,
                    "label": c.field.label,
                    "state": c.state,
                }
                for c in self.columns
            ],
            "unmatched": [
                {"letter": letter, "header": header} for letter, header in self.unmatched
            ],
            "all_columns": self.all_columns(),
        }

    def all_columns(self) -> list[dict[str, Any]]:
        """Every column of the header row with what the import does with it (the mapping step)."""
        out = [
            {
                "letter": c.letter,
                "header": c.header,
                "field": c.field.key,
                "label": c.field.label,
                "state": "matched",
            }
            for c in self.columns
        ]
        for letter, header in self.unmatched:
            duplicate = self.duplicates.get(letter)
            out.append(
                {
                    "letter": letter,
                    "header": header,
                    "field": "",
                    "state": "duplicate" if duplicate else "unmatched",
                    "note": (
                        f"cũng là “{duplicate[0]}” như cột {duplicate[1]}" if duplicate else ""
                    ),
                }
            )
        out.extend(
            {"letter": letter, "header": header, "field": "", "state": "ignored"}
            for letter, header in self.ignored
        )
        out.extend(
            {
                "letter": q["column"],
                "header": q["header"],
                "field": "",
                "state": "question",
                "note": q["reason"],
            }
            for q in self.questions
        )
        out.sort(key=lambda c: column_index_from_string(c["letter"]))
        return out


@dataclass(slots=True)
class Src:
    sheet: str
    row: int


@dataclass(slots=True)
class HouseholdIn:
    src: Src
    code: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    row_key: str = ""
    persons: list[PersonIn] = field(default_factory=list)
    instance: Household | None = None
    action: str = ""  # create | update | unchanged
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class PersonIn:
    src: Src
    fields: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    household_code: str = ""
    parent_key: str = ""
    head_name: str = ""
    # The phone on this person's row of a list of persons (the household keeps one: plan.py).
    phone: Any = None
    household: HouseholdIn | None = None
    instance: Person | None = None
    pk: int | None = None
    action: str = ""
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass
class ImportReport:
    village: AdminUnit
    file_names: list[str]
    layouts: list[SheetLayout] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    households: list[HouseholdIn] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    event: AuditEvent | None = None
    applied: bool = False
    paths: list[Any] = field(default_factory=list)  # the files read (a partial apply re-reads them)
    skipped_rows: list[dict[str, Any]] = field(default_factory=list)
    preview_rows: list[dict[str, Any]] = field(default_factory=list)
    rejected: int = 0  # rows left out by a partial apply
    rejected_path: str = ""  # their XLSX, with a "Lỗi" column
    rejected_households: int = 0

    def ready(self, accept_proposed: bool = False) -> bool:
        """No open column question, and no unconfirmed proposal (unless accepted)."""
        return not self.questions and (accept_proposed or not self.proposed)

    @property
    def partial_possible(self) -> bool:
        """May a partial apply leave the errors out? Only when each names its row."""
        return bool(self.households) and all(i.row is not None and i.sheet for i in self.errors)

    @property
    def questions(self) -> list[dict[str, Any]]:
        return [q for layout in self.layouts for q in layout.questions]

    @property
    def proposed(self) -> list[dict[str, Any]]:
        return [q for layout in self.layouts for q in layout.proposed]

    @property
    def layout_signature(self) -> str:
        from smartvillage.transfer.importing.layout import layout_signature

        return layout_signature(self.layouts)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def unmatched(self) -> list[tuple[str, str, str]]:
        return [
            (layout.name, letter, header)
            for layout in self.layouts
            for letter, header in layout.unmatched
        ]

    def summary(self) -> str:
        c = {k: _vn_int(v) for k, v in self.counts.items()}
        return (
            f"Hộ: {c.get('households_created', 0)} thêm, {c.get('households_updated', 0)} sửa, "
            f"{c.get('households_unchanged', 0)} giữ nguyên; nhân khẩu: {c.get('persons_created', 0)} thêm, "
            f"{c.get('persons_updated', 0)} sửa, {c.get('persons_unchanged', 0)} giữ nguyên"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "village": self.village.pk,
            "files": self.file_names,
            "ok": self.ok,
            "applied": self.applied,
            "counts": self.counts,
            "summary": self.summary(),
            "layouts": [layout.to_dict() for layout in self.layouts],
            "errors": [i.to_dict() for i in self.errors[:1000]],
            "warnings": [i.to_dict() for i in self.warnings[:1000]],
            "error_count": len(self.errors),
            "warning_count": len(self.warnings),
            "event": self.event.pk if self.event else None,
            "questions": self.questions,
            "proposed": self.proposed,
            "skipped_rows": self.skipped_rows[:1000],
            "skipped_row_count": len(self.skipped_rows),
            "preview_rows": self.preview_rows,
            "layout_signature": self.layout_signature,
            "rejected": self.rejected,
            "rejected_households": self.rejected_households,
            "rejected_path": self.rejected_path,
        }
