"""Vietnamese wording of criterion results, shared by pages, plans and reports.

Works on the JSON form of a result (CriterionResult.to_dict() or a frozen snapshot's entry), so a
report written from a snapshot and one written live say the same thing for the same numbers.
"""

from __future__ import annotations

from typing import Any

from smartvillage.core.formats import format_number, format_percent

STATUS_LABELS = {
    "pass": "Đạt",
    "fail": "Chưa đạt",
    "no_data": "Chưa có dữ liệu",
    "not_applicable": "Chưa áp dụng",
}


_KINDS = (
    "Quyết định",
    "Công văn",
    "Hướng dẫn",
    "Kế hoạch",
    "Thông báo",
    "Nghị quyết",
    "Chỉ thị",
    "Văn bản",
)
_KIND_BY_CODE = {
    "QĐ": "Quyết định",
    "HD": "Hướng dẫn",
    "KH": "Kế hoạch",
    "TB": "Thông báo",
    "NQ": "Nghị quyết",
    "CT": "Chỉ thị",
}


def legal_reference(number: str, title: str = "") -> tuple[str, str]:
    """The kind of an issued document and its subject, from its title or its number's code.

    ("1491/QĐ-UBND", "Quyết định về việc …") -> ("Quyết định", "về việc …");
    ("2431/UBND-NNTN", "Về việc …") -> ("Văn bản", "về việc …"), an official letter has no type code.
    """
    subject = (title or "").strip()
    for kind in _KINDS:
        if subject.lower().startswith(kind.lower()):
            rest = subject[len(kind) :].strip()
            return kind, rest[:1].lower() + rest[1:]
    code = number.split("/", 1)[1] if "/" in number else ""
    kind = _KIND_BY_CODE.get(code.split("-", 1)[0].upper(), "Văn bản")
    return kind, subject[:1].lower() + subject[1:]


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def money(value: int | None) -> str:
    """1234000 -> "1.234.000 đồng"; None -> ""."""
    if value is None:
        return ""
    return f"{format_number(value)} đồng"


def _percent(value: float | None) -> str:
    return "" if value is None else format_percent(value * 100)


def describe(
    result: dict[str, Any], *, with_evidence: bool = True, with_status: bool = True
) -> str:
    """One sentence on where a criterion stands, e.g.
    "Tỷ lệ 87,9 % (29/33 hộ), yêu cầu từ 80 % trở lên: Đạt."

    Reports that list the evidence and the verdict on their own lines pass with_evidence=False,
    with_status=False so nothing is said twice.
    """
    kind = result.get("kind")
    status = result.get("status")
    if status == "not_applicable":
        return "Chưa áp dụng tại thời điểm đánh giá."
    label = status_label(status or "")
    end = f": {label}." if with_status else "."
    unit_label = result.get("unit_label") or ""
    if kind in ("ratio", "reported", "aggregate"):
        if status == "no_data":
            missing = "; ".join(result.get("missing") or [])
            return f"Chưa có dữ liệu{': ' + missing if missing else ''}."
        num, den = result.get("numerator"), result.get("denominator")
        text = f"Tỷ lệ {_percent(result.get('value'))} ({format_number(num)}/{format_number(den)}{' ' + unit_label if unit_label else ''})"
        if result.get("threshold") is not None:
            text += f", yêu cầu từ {_percent(result['threshold'])} trở lên"
        if status == "fail" and result.get("gap"):
            text += f", còn thiếu {format_number(result['gap'])}{' ' + unit_label if unit_label else ''}"
        return text + end
    if kind == "count":
        text = f"Có {format_number(result.get('numerator') or 0)}"
        if result.get("threshold") is not None:
            text += f" (yêu cầu tối thiểu {format_number(result['threshold'])})"
        return text + end
    # evidence / prerequisite
    parts = []
    titles = evidence_titles(result)
    if titles and with_evidence:
        parts.append("Đã có: " + "; ".join(titles))
    elif titles:
        parts.append(f"Đã có {format_number(len(titles))} minh chứng")
    if result.get("missing"):
        parts.append("Còn thiếu: " + "; ".join(result["missing"]))
    body = ". ".join(parts) if parts else "Chưa có minh chứng"
    return f"{body}. Kết quả: {label}." if with_status else f"{body}."


def evidence_titles(result: dict[str, Any]) -> list[str]:
    out = []
    for record in result.get("evidence") or []:
        text = record.get("title") or record.get("type_label") or record.get("type") or ""
        if record.get("number"):
            text += f" (số {record['number']}"
            if record.get("issued_date"):
                day = record["issued_date"]
                text += f" ngày {day[8:10]}/{day[5:7]}/{day[0:4]}"
            text += ")"
        if record.get("location"):
            text += f" – {record['location']}"
        if record.get("quantity") and record.get("quantity") != 1:
            text += f" – {format_number(record['quantity'])}"
        out.append(text)
    return out
