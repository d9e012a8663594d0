"""Vietnamese wording of criterion results, shared by pages, plans and reports.

Works on the JSON form of a result (CriterionResult.to_dict() or a frozen snapshot's entry), so a
report written from a snapshot and one written live say the same thing for the same numbers.
"""

from __future__ import annotations

import math
import re
from typing import Any

from smartvillage.core.formats import format_number, format_percent

STATUS_LABELS = {
    "pass": "Đạt",
    "fail": "Chưa đạt",
    "no_data": "Chưa có dữ liệu",
    "monitor": "Không có mức đạt (theo dõi)",
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


def _unit_words() -> list[str]:
    from smartvillage.units.models import NAME_PREFIX, UnitType

    words = {str(t.label) for t in UnitType} | {str(w) for w in NAME_PREFIX.values()}
    return sorted(words, key=len, reverse=True)


def in_sentence(name: str) -> str:
    """A unit's full name as written inside a sentence: the type word in lower case.

    "Xã Hy Cương" -> "xã Hy Cương", "Thôn Chí Phúc" -> "thôn Chí Phúc", "Khu dân cư số 3" ->
    "khu dân cư số 3", "Thành phố Hà Nội" -> "thành phố Hà Nội" (Decree 30/2020 writes "UBND xã …",
    "Trưởng thôn …"). The proper name keeps its capitals; a name without a type word is unchanged.
    """
    text = (name or "").strip()
    for word in _unit_words():
        if text.lower().startswith(word.lower() + " "):
            return word.lower() + text[len(word) :]
    return text


def unit_in_sentence(unit: Any) -> str:
    """in_sentence() of a unit model or of a snapshot's unit dict ({"full_name": …})."""
    full_name = unit.get("full_name", "") if isinstance(unit, dict) else unit.full_name
    return in_sentence(full_name)


_EMBEDDED_REQUIREMENT = re.compile(r"([.;:])\s*Yêu cầu\s*:\s*")
_LEADING_REQUIREMENT = re.compile(r"^\s*yêu cầu(?: của tiêu chí)?\s*:\s*", re.IGNORECASE)
_PERCENT = re.compile(r"(\d)\s*%")


def requirement_text(text: str | None) -> str:
    """A criterion's requirement for a line that the document already labels "Yêu cầu: ".

    Phú Thọ writes "≥ 80%. Yêu cầu: Thống kê danh sách …" (the level, then the proof the guidance
    asks for, under its heading "Điều kiện đạt và yêu cầu hồ sơ kiểm chứng"); printed after the
    label that gave "Yêu cầu: ≥ 80%. Yêu cầu: …". A leading "Yêu cầu:" is dropped, an embedded one
    becomes "Hồ sơ kiểm chứng:", and percentages take the Vietnamese space ("80 %").
    """
    cleaned = " ".join((text or "").split())
    cleaned = _LEADING_REQUIREMENT.sub("", cleaned)
    cleaned = _EMBEDDED_REQUIREMENT.sub(lambda m: f"{m.group(1)} Hồ sơ kiểm chứng: ", cleaned)
    return _PERCENT.sub(r"\1 %", cleaned)


def _lower_label(label: str) -> str:
    """Lower-case the first letter of a catalogue label used mid-sentence, unless its first word is
    an acronym ("OCOP")."""
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return label
    return label[:1].lower() + label[1:]


def count_label(result: dict[str, Any]) -> str:
    """What a count criterion counts, from the evidence catalogue: "điểm wifi miễn phí công cộng",
    "mô hình ứng dụng CNTT, chuyển đổi số", "nhóm Zalo / nhóm/trang Facebook".

    Works on the result JSON alone (a frozen snapshot has no criteria-set file behind it): the
    counted records name their category and type; with none, the "missing" entry names the types.
    """
    from smartvillage.evidence import catalogue

    if result.get("unit_label"):
        return str(result["unit_label"])
    records = result.get("evidence") or []
    pairs = list(dict.fromkeys((r.get("category", ""), r.get("type", "")) for r in records))
    if not pairs:
        wanted = [part.strip() for part in " / ".join(result.get("missing") or []).split(" / ")]
        for category, data in catalogue.categories().items():
            for key, label in (data.get("types") or {}).items():
                if label in wanted:
                    pairs.append((category, key))
    if not pairs:
        return ""
    categories = {category for category, _type in pairs}
    if categories == {"it_model"}:
        # IT models are typed by their field (health, education, …); what is counted is the model.
        return _lower_label(catalogue.category_label("it_model"))
    labels: dict[tuple[str, str], str] = {}
    for r in records:  # a frozen record keeps the label it had when it was frozen
        pair = (r.get("category", ""), r.get("type", ""))
        labels.setdefault(pair, r.get("type_label") or catalogue.type_label(*pair))
    for pair in pairs:
        labels.setdefault(pair, catalogue.type_label(*pair))
    return " / ".join(dict.fromkeys(_lower_label(labels[pair]) for pair in pairs))


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def money(value: int | None) -> str:
    """1234000 -> "1.234.000 đồng"; None -> ""."""
    if value is None:
        return ""
    return f"{format_number(value)} đồng"


def _percent(value: float | None) -> str:
    return "" if value is None else format_percent(value * 100)


def reported_percent(value: float | None) -> str:
    """A reported share cut (not rounded) to one decimal, as the documents print their own
    figures: 117/133 = 87,97 % is "87,9 %" in Đồng Tháp's plan, never an overstated "88,0 %"."""
    if value is None:
        return ""
    return format_percent(math.floor(round(value * 1000, 6)) / 10)


def is_full(threshold: float | None) -> bool:
    return threshold is not None and float(threshold) >= 1


def threshold_phrase(threshold: float) -> str:
    """ "từ 80 % trở lên"; a 100 % target is "đạt 100 %" (nothing lies above 100 %)."""
    if is_full(threshold):
        return f"đạt {_percent(1)}"
    return f"từ {_percent(threshold)} trở lên"


def requirements_met(result: dict[str, Any]) -> str:
    """ "1/3 yêu cầu": how many of an evidence criterion's requirements are met (not how many
    records there are)."""
    return (
        f"{format_number(result.get('numerator') or 0)}/"
        f"{format_number(result.get('denominator') or 0)} yêu cầu"
    )


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
        value = result.get("value")
        shown = reported_percent(value) if kind == "reported" else _percent(value)
        text = f"Tỷ lệ {shown} ({format_number(num)}/{format_number(den)}{' ' + unit_label if unit_label else ''})"
        if result.get("threshold") is not None:
            text += f", yêu cầu {threshold_phrase(result['threshold'])}"
        if status == "fail" and result.get("gap"):
            text += f", còn thiếu {format_number(result['gap'])}{' ' + unit_label if unit_label else ''}"
        return text + end
    if kind == "count":
        label = count_label(result)
        text = f"Có {format_number(result.get('numerator') or 0)}{' ' + label if label else ''}"
        if result.get("threshold") is not None:
            text += f" (yêu cầu tối thiểu {format_number(result['threshold'])})"
        starred = [
            r for r in result.get("evidence") or [] if (r.get("attributes") or {}).get("ocop_stars")
        ]
        if starred:
            # Đồng Tháp 3.7 "Mức độ đạt chuẩn của sản phẩm OCOP": the level is per product.
            text += ": " + "; ".join(
                f"{r.get('title')} ({r['attributes']['ocop_stars']} sao)" for r in starred
            )
        return text + end
    # evidence / prerequisite
    parts = []
    titles = evidence_titles(result)
    if titles and with_evidence:
        parts.append("Đã có: " + "; ".join(titles))
    elif titles:
        text = f"Đã có {format_number(len(titles))} minh chứng"
        if result.get("denominator"):
            # Records and requirements are different counts (two records may meet one requirement).
            text += f" (đáp ứng {requirements_met(result)})"
        parts.append(text)
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
        stars = (record.get("attributes") or {}).get("ocop_stars")
        if stars:
            text += f" – OCOP {stars} sao"
        if record.get("quantity") and record.get("quantity") != 1:
            text += f" – {format_number(record['quantity'])}"
        out.append(text)
    return out
