"""The import report (ImportJob.report, the engine's ImportReport.to_dict()) as the web step shows
it: Vietnamese labels only, no field keys, no command-line hints, identity numbers masked.

Keys the engine may not have written yet (older jobs) are read with defaults.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartvillage.registry.facts import fold
from smartvillage.registry.models import mask_identity
from smartvillage.transfer.headers import all_fields

# Keys of the engine's own bookkeeping columns, named for people (never "_index (row_key)").
_INTERNAL_LABELS = {
    "row_key": gettext_lazy("Mã dòng của phiếu (bản xuất ODK/Kobo)"),
    "parent_key": gettext_lazy("Mã dòng của hộ (bản xuất ODK/Kobo)"),
    "stt": gettext_lazy("Số thứ tự"),
}
_LEVELS = (
    ("person", gettext_lazy("Nhân khẩu")),
    ("household", gettext_lazy("Hộ gia đình")),
    ("link", gettext_lazy("Liên kết hộ – nhân khẩu")),
)
# "(…; dòng lệnh: --map "X!B=mã_trường")", "dòng lệnh: --skip-column …": CLI hints, CLI only.
_CLI_HINT = re.compile(r"\s*[;,]?\s*(?:dòng lệnh|command line)\s*:[^)]*", re.IGNORECASE)
_CLI_FLAG = re.compile(
    r"\s*(?:hoặc|or)?\s*--(?:map|skip-column)(?:\s*=?\s*\"[^\"]*\"|\s+\S+)?", re.IGNORECASE
)


def field_label(key: str) -> str:
    if key in _INTERNAL_LABELS:
        return str(_INTERNAL_LABELS[key])
    field = all_fields().get(key)
    return field.label if field is not None else key


def grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The fields a user can give a column, by level, labels only (option groups of a select)."""
    fields = all_fields()
    groups = []
    for level, title in _LEVELS:
        options = sorted(
            (
                (key, field.label)
                for key, field in fields.items()
                if field.level == level and key not in _INTERNAL_LABELS
            ),
            key=lambda option: fold(option[1]),
        )
        if options:
            groups.append((str(title), options))
    return groups


def clean_reason(text: str) -> str:
    """A message without the command-line syntax the engine adds for the CLI."""
    text = _CLI_FLAG.sub("", _CLI_HINT.sub("", text or ""))
    text = re.sub(r"\(\s*\)", "", text)
    return re.sub(r"\s+([,.;)])", r"\1", text).strip()


def issues(report: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """Errors or warnings for the page: no CLI syntax, identity numbers masked (the row and the
    column say where to look), the engine's proposed correction shown."""
    identity = {
        (layout.get("name"), column.get("letter"))
        for layout in report.get("layouts", [])
        for column in layout.get("all_columns", [])
        if column.get("field") == "identity_number"
    }
    out = []
    for issue in report.get(key, []):
        value, fix = issue.get("value", ""), issue.get("fix", "")
        if (issue.get("sheet"), issue.get("column")) in identity:
            value = mask_identity(str(value)) if value else value
            fix = mask_identity(str(fix)) if fix else fix
        out.append(
            {**issue, "reason": clean_reason(issue.get("reason", "")), "value": value, "fix": fix}
        )
    return out


def _ref(item: dict[str, Any]) -> str:
    return f"{item.get('sheet', '')}!{item.get('column', '')}"


def questions(report: dict[str, Any], key: str = "questions") -> list[dict[str, Any]]:
    """Open questions (or proposals): header, 5 samples, up to 3 candidate fields in Vietnamese."""
    out = []
    for index, item in enumerate(report.get(key, [])):
        candidates = [
            {**c, "label": c.get("label") or field_label(c.get("field", ""))}
            for c in item.get("candidates", [])[:3]
            if c.get("field")
        ]
        chosen = item.get("field", "")
        if chosen and not any(c["field"] == chosen for c in candidates):
            candidates.insert(0, {"field": chosen, "label": field_label(chosen)})
        out.append(
            {
                "index": index,
                "ref": _ref(item),
                "sheet": item.get("sheet", ""),
                "column": item.get("column", ""),
                "header": item.get("header", ""),
                "samples": [_sample(v) for v in item.get("samples", [])[:5]],
                "candidates": candidates,
                "chosen": chosen,
                "chosen_label": field_label(chosen) if chosen else "",
                "reason": clean_reason(item.get("reason", "")),
            }
        )
    return out


def _sample(value: Any) -> str:
    return "" if value is None else str(value)


def show_value(value: Any, label: str = "") -> str:
    """A previewed value as the page shows it: Có/Không, dd/mm/yyyy, identity numbers masked."""
    if value is None or value == "":
        return ""
    if value is True:
        return _("Có")
    if value is False:
        return _("Không")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return f"{text[8:10]}/{text[5:7]}/{text[0:4]}"
    if "cccd" in fold(label) or "dinh danh" in fold(label):
        # The engine masks them already; masked twice is still masked.
        return text if "*" in text else mask_identity(text)
    return text


def preview_tables(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The first rows of each sheet as the import understood them."""
    tables = []
    for table in report.get("preview_rows", []):
        columns = [field_label(c) if c in all_fields() else c for c in table.get("columns", [])]
        rows = [
            [show_value(v, columns[i] if i < len(columns) else "") for i, v in enumerate(row)]
            for row in table.get("rows", [])[:10]
        ]
        tables.append({"sheet": table.get("sheet", ""), "columns": columns, "rows": rows})
    return tables


def mapping_sheets(job_mapping: dict[str, str], report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every column of every imported sheet with its current field (the full mapping table)."""
    fields = all_fields()
    decided = {fold(ref) for ref in job_mapping}
    out = []
    for layout in report.get("layouts", []):
        if layout.get("role") == "ignored" or "all_columns" not in layout:
            continue
        columns = []
        for column in layout["all_columns"]:
            ref = f"{layout['name']}!{column['letter']}"
            key = column.get("field") or ""
            # A field not offered in the list (the household's "Ghi chú", an x under "Nam", an
            # ODK key): its own option, so that sending the form keeps it.
            own = key and (key not in fields or key in _INTERNAL_LABELS)
            label = column.get("label") or field_label(key)
            columns.append(
                {
                    **column,
                    "ref": ref,
                    "mapped": fold(ref) in decided,
                    "label": field_label(key) if key in _INTERNAL_LABELS else label,
                    "own_option": (key, field_label(key) if key in _INTERNAL_LABELS else label)
                    if own
                    else None,
                }
            )
        out.append({"name": layout["name"], "columns": columns})
    return out


def role_label(role: str) -> str:
    return {"households": _("hộ gia đình"), "persons": _("nhân khẩu")}.get(role, _("bỏ qua"))
