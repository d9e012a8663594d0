"""The official reports, built from an assessment's frozen snapshot (or live for a draft):

* ``mau01``    Phú Thọ "Mẫu số 01": Báo cáo kết quả thực hiện tiêu chí khu dân cư thông minh, with
               sections I–IV of the guidance and the lists Biểu 01–04 as annexes;
* ``criteria`` a criterion-by-criterion report for any set (requirement, current state, result),
               in the manner of seed 003;
* ``commune``  the commune summary (Kon Tum xã NTM thông minh): each village's result and the
               commune's own criteria.

Each builder turns the snapshot's "data" document into a flat context of ready-formatted strings
(Vietnamese dates, 87,9 %, 1.234.000 đồng); the DOCX template only lays them out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from smartvillage.core.errors import DomainError
from smartvillage.core.formats import (
    format_date,
    format_number,
    format_percent,
    place_date_line,
    vietnamese_date,
)
from smartvillage.documents import rendering
from smartvillage.documents.lists import list_context
from smartvillage.documents.recipients import recipients_for
from smartvillage.documents.wording import (
    describe,
    evidence_titles,
    in_sentence,
    is_full,
    legal_reference,
    reported_percent,
    requirement_text,
    requirements_met,
    status_label,
)

KINDS = ("mau01", "criteria", "commune")
FORMATS = ("docx", "pdf")
KIND_LABELS = {
    "mau01": "Mẫu số 01 (Phú Thọ)",
    "criteria": "Báo cáo theo từng tiêu chí",
    "commune": "Báo cáo tổng hợp của xã",
}
# Mẫu số 01 is the form of the Phú Thọ guidance (Sở TT&TT, 07/2023) for the province's own
# "khu dân cư thông minh" criteria; other provinces' sets get the generic criteria report.
MAU01_PROVINCES = ("Phú Thọ",)


@dataclass
class ReportSource:
    """Where a report's numbers come from: a frozen version, or a live evaluation."""

    data: dict[str, Any]
    narrative: dict[str, str]
    fixed_time: dt.datetime | None
    provenance: str
    frozen: bool


# ---- sources --------------------------------------------------------------------------------------


def source_from_version(version: Any) -> ReportSource:
    """A frozen version's report: its snapshot's numbers, and the report metadata and narrative
    of that version (as the commune finalised them by confirmation; as submitted before that)."""
    submitted = timezone.localtime(version.submitted_at)
    narrative = getattr(version, "report_meta", None) or version.snapshot.get("narrative") or {}
    return ReportSource(
        data=version.snapshot["data"],
        narrative=narrative,
        fixed_time=version.submitted_at,
        frozen=True,
        provenance=(
            f"Số liệu chốt khi nộp hồ sơ lúc {submitted:%H:%M} ngày {submitted:%d/%m/%Y} "
            f"(hồ sơ số {version.assessment_id}, phiên bản {version.number}; mã kiểm tra {version.content_hash[:16]})."
            + appraisal_note(version)
        ),
    )


def appraisal_note(version: Any) -> str:
    """The sentence "Thẩm định kết luận đạt …: 2.2 – <lý do>; …" for the criteria the frozen result did not
    pass and the appraiser concluded passed (with the recognition decision once recognised), so
    every document of the version carries the grounds as the recognition record does."""
    from smartvillage.assessments.services import appraisal_verdicts

    overrides = [
        v for v in appraisal_verdicts(version) if v.counts and not v.frozen_passed and v.passed
    ]
    if not overrides:
        return ""
    assessment = version.assessment
    reasons = "; ".join(f"{v.code} – {v.comment}" for v in overrides)
    if assessment.state == "recognised" and assessment.recognition_date:
        return (
            f" Công nhận theo Quyết định số {assessment.recognition_number} ngày "
            f"{assessment.recognition_date:%d/%m/%Y}; các tiêu chí kết quả chốt chưa đạt, thẩm "
            f"định kết luận đạt: {reasons}."
        )
    return f" Các tiêu chí kết quả chốt chưa đạt, thẩm định kết luận đạt: {reasons}."


def source_live(
    unit: Any, cset: Any, at: dt.date, narrative: dict[str, str] | None = None
) -> ReportSource:
    from smartvillage.assessments.snapshot import build_data, set_info
    from smartvillage.criteria.engine import evaluate_children
    from smartvillage.units.models import Level

    data = build_data(unit, cset, at)
    if "villages" not in data and unit.level != Level.VILLAGE and cset.level == Level.VILLAGE:
        # The commune summary over a village set: every village of the commune against it.
        data["villages"] = {
            "criteria_set": set_info(cset),
            "results": [r.to_dict() for r in evaluate_children(unit, cset, at)],
        }
    return ReportSource(
        data=data,
        narrative=narrative or {},
        fixed_time=None,
        frozen=False,
        provenance=f"Số liệu tính trực tiếp từ hệ thống tại ngày tham chiếu {format_date(at)} (chưa chốt).",
    )


def source_for_assessment(assessment: Any, version_number: int | None = None) -> ReportSource:
    """The assessment's frozen version (the latest unless a number is given); a never-submitted
    draft is reported live with its narrative."""
    from smartvillage.assessments.services import get_set_for, narrative_of

    versions = assessment.versions.all()
    version = (
        versions.filter(number=version_number).first()
        if version_number
        else versions.order_by("-number").first()
    )
    if version_number and version is None:
        raise DomainError(
            f"Hồ sơ số {assessment.pk} không có phiên bản {version_number}.", "version_not_found"
        )
    if version is not None:
        return source_from_version(version)
    return source_live(
        assessment.unit, get_set_for(assessment), assessment.at, narrative_of(assessment)
    )


# ---- which report fits which unit and set ----------------------------------------------------------

_LEVEL_WORDS = {"village": "thôn (khu dân cư)", "commune": "xã"}


def _set_fields(cset: Any) -> tuple[str, str, str]:
    """(level, province, title) of a CriteriaSet or of a snapshot's criteria_set dict."""
    if isinstance(cset, dict):
        return cset.get("level", ""), cset.get("province") or "", cset.get("title", "")
    return cset.level, cset.province or "", cset.title


def mau01_applies(cset: Any) -> bool:
    level, province, _title = _set_fields(cset)
    return level == "village" and province in MAU01_PROVINCES


def unsuitable(kind: str, unit_level: str, unit_name: str, cset: Any) -> str:
    """Why report `kind` does not fit this unit and criteria set ("" when it does)."""
    level, _province, title = _set_fields(cset)
    if kind not in KINDS:
        return f"Loại báo cáo “{kind}” không có; chọn một trong: {', '.join(KINDS)}."
    if unit_level not in _LEVEL_WORDS:
        return f"Báo cáo chỉ lập cho một thôn hoặc một xã; {unit_name} không phải thôn hay xã."
    if kind == "commune":
        if unit_level != "commune":
            return (
                f"Báo cáo tổng hợp của xã (commune) lập cho một xã; {unit_name} không phải xã. "
                "Với một thôn, dùng báo cáo theo từng tiêu chí (criteria)."
            )
        return ""
    if level != unit_level:
        text = (
            f"Bộ tiêu chí “{title}” dùng để đánh giá {_LEVEL_WORDS.get(level, level)}; "
            f"{unit_name} là {_LEVEL_WORDS[unit_level]}, không lập báo cáo "
            f"{'Mẫu số 01' if kind == 'mau01' else 'theo từng tiêu chí'} theo bộ này được."
        )
        if unit_level == "commune" and level == "village":
            text += (
                " Để tổng hợp kết quả các thôn của xã theo bộ này, dùng báo cáo tổng hợp (commune)."
            )
        return text
    if kind == "mau01" and not mau01_applies(cset):
        return (
            "Mẫu số 01 là mẫu báo cáo kết quả thực hiện tiêu chí khu dân cư thông minh của tỉnh "
            f"Phú Thọ; không áp dụng cho bộ tiêu chí “{title}”. Dùng báo cáo theo từng tiêu chí "
            "(criteria)."
        )
    return ""


def check_suitable(kind: str, unit_level: str, unit_name: str, cset: Any) -> None:
    reason = unsuitable(kind, unit_level, unit_name, cset)
    if reason:
        raise DomainError(reason, "report_unsuitable")


def kinds_for(unit_level: str, cset: Any) -> list[str]:
    """The report kinds offered for a unit of this level and this set, in display order."""
    return [k for k in ("mau01", "commune", "criteria") if not unsuitable(k, unit_level, "", cset)]


def person_lists(kind: str, data: dict[str, Any]) -> list[tuple[str, int]]:
    """The person/household lists a report prints (Mẫu số 01's Biểu 01–04) and their row counts.

    A report that prints any is personal data (Law 91/2025): downloading it needs
    Action.EXPORT_PERSONAL and is recorded in the audit trail.
    """
    if kind != "mau01":
        return []
    out = []
    for c in data["result"]["criteria"]:
        code = c.get("list_code")
        people = (data.get("members") or {}).get(c["code"])
        if code and people is not None:
            out.append((code, sum(1 for m in people if m["met"])))
    return out


def person_lists_note(kind: str, data: dict[str, Any]) -> str:
    lists = person_lists(kind, data)
    return "; ".join(f"{code}: {format_number(rows)} dòng" for code, rows in lists)


# ---- shared formatting ----------------------------------------------------------------------------


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _lines(text: str | None) -> list[str]:
    return [
        line.strip().lstrip("-+• ").strip() for line in (text or "").splitlines() if line.strip()
    ]


def _commune(data: dict[str, Any]) -> dict[str, Any]:
    unit = data["unit"]
    if unit["level"] == "commune":
        return {"name": unit["name"], "full_name": unit["full_name"]}
    return unit.get("commune") or {"name": unit["name"], "full_name": unit["full_name"]}


def _citation(document: dict[str, Any], fallback_subject: str = "") -> str:
    kind, subject = legal_reference(document["number"], document.get("title") or "")
    text = f"Căn cứ {kind} số {document['number']}"
    if document.get("date"):
        text += f" {vietnamese_date(_date(document['date']))}"
    if document.get("issuer"):
        text += f" của {document['issuer']}"
    if subject:
        text += f" {subject}"
    elif fallback_subject:
        text += f" {fallback_subject}"
    return text


def basis_line(cset: dict[str, Any]) -> str:
    """ "Căn cứ Quyết định số 1491/QĐ-UBND ngày 20 tháng 7 năm 2023 của UBND tỉnh Phú Thọ về việc …" """
    return _citation(cset["legal_basis"], f"ban hành {_lower_first(cset['title'])}") + ";"


def basis_lines(cset: dict[str, Any], *, with_guidance: bool = False) -> list[str]:
    """The "Căn cứ …" lines: the set's legal basis, then (Mẫu số 01, as the seed's form cites it)
    the implementing guidance when the set records one ({"guidance": {number, date, issuer,
    title}}); ";" between them and "." after the last, as Decree 30/2020 punctuates them."""
    lines = [basis_line(cset).rstrip(";")]
    guidance = cset.get("guidance") if with_guidance else None
    if guidance and guidance.get("number"):
        lines.append(_citation(guidance))
    return [line + (";" if index < len(lines) - 1 else ".") for index, line in enumerate(lines)]


def target_text(c: dict[str, Any]) -> str:
    threshold = c.get("threshold")
    if c["kind"] in ("ratio", "reported", "aggregate") and threshold is not None:
        if is_full(threshold):
            return format_percent(100)  # "100 %": nothing lies above it
        return f"≥ {format_percent(threshold * 100)}"
    if c["kind"] == "count" and threshold is not None:
        return f"≥ {format_number(threshold)}"
    if c["kind"] in ("evidence", "prerequisite"):
        return "Có minh chứng"
    return ""


def value_text(c: dict[str, Any]) -> str:
    if c["status"] == "not_applicable":
        return "Chưa áp dụng"
    if c["status"] == "no_data":
        return "Chưa có dữ liệu"
    if c["kind"] == "reported":
        return f"{reported_percent(c.get('value') or 0)} ({format_number(c.get('numerator'))}/{format_number(c.get('denominator'))})"
    if c["kind"] in ("ratio", "reported", "aggregate"):
        return f"{format_percent((c.get('value') or 0) * 100)} ({format_number(c.get('numerator'))}/{format_number(c.get('denominator'))})"
    if c["kind"] == "count":
        return format_number(c.get("numerator") or 0)
    # Requirements met, not records: two records may meet one requirement ("Đã có 2 minh chứng").
    return requirements_met(c)


def figure_texts(code: str, data: dict[str, Any], cset: Any) -> list[str]:
    """The reported figures a criterion shows beside its result (its `figures`), from the unit's
    statistic records: "Hồ sơ thủ tục hành chính trực tuyến: 87,9 % (117/133 hồ sơ)"."""
    try:
        wanted = cset.criterion(code).figures if cset is not None else []
    except DomainError:
        return []
    out = []
    for figure in wanted:
        records = [
            r
            for r in data.get("evidence") or []
            if r.get("category") == "statistic" and r.get("type") == figure
        ]
        if not records:
            continue
        record = max(records, key=lambda r: (r.get("issued_date") or "", r.get("id") or 0))
        attributes = record.get("attributes") or {}
        try:
            num, den = int(attributes["numerator"]), int(attributes["denominator"])
        except (KeyError, TypeError, ValueError):
            continue
        if not den:
            continue
        label = record.get("type_label") or figure
        unit_label = attributes.get("unit_label") or ""
        year = f" năm {record['issued_date'][:4]}" if record.get("issued_date") else ""
        out.append(
            f"{label}{year}: {reported_percent(num / den)} "
            f"({format_number(num)}/{format_number(den)}{' ' + unit_label if unit_label else ''})"
        )
    return out


def criterion_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    cset = _published_set(data)
    for c in data["result"]["criteria"]:
        rows.append(
            {
                "code": c["code"],
                "title": c["title"],
                "requirement": requirement_text(c.get("requirement")),
                "description": " ".join(
                    [
                        describe(c, with_evidence=False, with_status=False),
                        *(f"{text}." for text in figure_texts(c["code"], data, cset)),
                    ]
                ),
                "evidence": evidence_titles(c),
                "status": c["status"],
                "status_label": status_label(c["status"]),
                "target": target_text(c),
                "value_text": value_text(c),
                "group_code": c.get("group_code") or "",
            }
        )
    return rows


def _counts(data: dict[str, Any]) -> tuple[int, int]:
    criteria = data["result"]["criteria"]
    applicable = [c for c in criteria if c["status"] != "not_applicable"]
    return sum(1 for c in applicable if c["status"] == "pass"), len(applicable)


def _number_line(narrative: dict[str, str], suffix: str) -> str:
    number = (narrative.get("report_number") or "").strip()
    if not number:
        return f"Số:        /{suffix}"
    return f"Số: {number}" if "/" in number else f"Số: {number}/{suffix}"


def report_day(source: ReportSource) -> dt.date | None:
    """The report's date: the one the commune wrote in its metadata, else the submission's day;
    None for a live draft (the date line then leaves day and month blank)."""
    written = (source.narrative.get("report_date") or "").strip()
    if written:
        return _date(written)
    return timezone.localtime(source.fixed_time).date() if source.fixed_time else None


def _common(
    source: ReportSource, subject: str, recipients: list[str], *, with_guidance: bool = False
) -> dict[str, Any]:
    data = source.data
    commune = _commune(data)
    at = _date(data["at"])
    passed_count, applicable_count = _counts(data)
    overall = bool(data["result"]["passed"])
    return {
        "ISSUER_PARENT": "ỦY BAN NHÂN DÂN",
        "ISSUER": commune["full_name"].upper(),
        "NUMBER_LINE": _number_line(source.narrative, "BC-UBND"),
        # An undated draft is dated by hand, in the year the report is about.
        "PLACE_DATE": place_date_line(commune["name"], report_day(source), year=at.year),
        "subject": subject,
        "basis": basis_lines(data["criteria_set"], with_guidance=with_guidance),
        "criteria": criterion_rows(data),
        "passed_count": passed_count,
        "applicable_count": applicable_count,
        "overall_label": "Đạt" if overall else "Không đạt",
        "overall_word": "ĐẠT" if overall else "KHÔNG ĐẠT",
        "recipients": recipients,
        "SIGNER_AUTHORITY": "TM. ỦY BAN NHÂN DÂN",
        "SIGNER_TITLE": "CHỦ TỊCH",
        "SIGNER_NAME": source.narrative.get("signer_name") or "",
        "provenance": source.provenance,
        "unit_name": data["unit"]["full_name"],
        "commune_name": commune["full_name"],
        # The same names inside a sentence: "UBND xã An", "của thôn Một".
        "unit_phrase": in_sentence(data["unit"]["full_name"]),
        "commune_phrase": in_sentence(commune["full_name"]),
        "at_text": format_date(_date(data["at"])),
        "validity_note": validity_note(data, report_day(source)),
    }


def _published_set(data: dict[str, Any]) -> Any:
    """The set a report was made with (sets are immutable per version), or None if gone."""
    from smartvillage.criteria.loader import get_set

    info = data["criteria_set"]
    try:
        return get_set(info["slug"], info.get("version"))
    except DomainError:
        return None


def _recipients(kind: str, data: dict[str, Any]) -> list[str]:
    cset = _published_set(data)
    province = (
        (data.get("unit") or {}).get("province") or data["criteria_set"].get("province") or ""
    )
    if isinstance(province, dict):
        province = province.get("name", "")
    return recipients_for(kind, getattr(cset, "recipients", None), province)


def validity_note(data: dict[str, Any], day: dt.date | None) -> str:
    """ "Lưu ý: …" when the reference date (or the document's date) lies outside the validity
    of the set the report applies; "" otherwise (and for a set no longer loaded)."""
    cset = _published_set(data)
    if cset is None:
        return ""
    period = f"từ {format_date(cset.valid_from)}" + (
        f" đến {format_date(cset.valid_to)}" if cset.valid_to else ""
    )
    at = _date(data["at"])
    if not cset.is_valid_at(at):
        return (
            f"Lưu ý: ngày số liệu {format_date(at)} nằm ngoài thời gian hiệu lực của bộ tiêu chí "
            f"áp dụng ({period})."
        )
    if day is not None and not cset.is_valid_at(day):
        return (
            f"Lưu ý: văn bản lập ngày {format_date(day)}, ngoài thời gian hiệu lực của bộ tiêu chí "
            f"áp dụng ({period}); số liệu tính tại ngày {format_date(at)}."
        )
    return ""


def context_phrase(unit: dict[str, Any]) -> str:
    return in_sentence(unit["full_name"])


def _organisation(data: dict[str, Any], narrative: dict[str, str]) -> list[str]:
    lines = _lines(narrative.get("organisation_text"))
    if lines:
        return lines
    for record in data.get("evidence") or []:
        if record["category"] != "document":
            continue
        label = record.get("type_label") or record["type"]
        # "Quyết định thành lập tổ …: Quyết định thành lập tổ … Khu 5" says it twice.
        same = record["title"].lower().startswith(label.lower()[:20])
        text = record["title"] if same else f"{label}: {record['title']}"
        details = []
        if record.get("number"):
            details.append(f"số {record['number']}")
        if record.get("issued_date"):
            details.append(f"ngày {format_date(_date(record['issued_date']))}")
        if record.get("issuer"):
            details.append(f"của {record['issuer']}")
        lines.append(text + (f" ({' '.join(details)})" if details else ""))
    return lines or ["Chưa có văn bản chỉ đạo, triển khai được cập nhật trên hệ thống."]


def _strengths(
    rows: list[dict[str, Any]], narrative: dict[str, str], passed: int, applicable: int
) -> list[str]:
    lines = _lines(narrative.get("strengths"))
    if lines:
        return lines
    done = [r["code"] for r in rows if r["status"] == "pass"]
    if not done:
        return ["Chưa có tiêu chí đạt."]
    return [f"Đạt {passed}/{applicable} tiêu chí (tiêu chí {', '.join(done)})."]


def _difficulties(rows: list[dict[str, Any]], narrative: dict[str, str]) -> list[str]:
    lines = _lines(narrative.get("difficulties"))
    if lines:
        return lines
    open_rows = [r for r in rows if r["status"] in ("fail", "no_data")]
    return [f"Tiêu chí {r['code']}: {r['description']}" for r in open_rows] or ["Không có."]


# ---- the three reports ----------------------------------------------------------------------------


def mau01_context(source: ReportSource) -> dict[str, Any]:
    data = source.data
    at = _date(data["at"])
    unit = data["unit"]
    context = _common(
        source,
        f"Kết quả thực hiện tiêu chí khu dân cư thông minh năm {at.year}",
        _recipients("mau01", data),
        with_guidance=True,
    )
    rows = context["criteria"]
    context["intro"] = (
        f"UBND {context['commune_phrase']} báo cáo kết quả thực hiện tiêu chí khu dân cư thông minh của "
        f"{context['unit_phrase']} (số liệu tại ngày {context['at_text']}) cụ thể như sau:"
    )
    context["organisation"] = _organisation(data, source.narrative)
    context["strengths"] = _strengths(
        rows, source.narrative, context["passed_count"], context["applicable_count"]
    )
    context["difficulties"] = _difficulties(rows, source.narrative)
    context["self_assessment_prefix"] = f"{unit['full_name']}: "
    context["self_assessment_suffix"] = (
        f" tiêu chí khu dân cư thông minh theo {legal_reference(data['criteria_set']['legal_basis']['number'])[0]} "
        f"số {data['criteria_set']['legal_basis']['number']} "
        f"của {data['criteria_set']['legal_basis']['issuer']} (đạt {context['passed_count']}/{context['applicable_count']} tiêu chí)."
    )
    lists = []
    for c in data["result"]["criteria"]:
        code = c.get("list_code")
        people = (data.get("members") or {}).get(c["code"])
        if not code or people is None:
            continue
        met = [m for m in people if m["met"]]
        lists.append(
            list_context(
                code=code,
                title=c.get("list_title") or c["title"],
                village_name=unit["full_name"],
                commune_name=_commune(data)["full_name"] if unit["level"] != "commune" else "",
                at=at,
                households=c.get("population") == "households",
                rows=[(m["name"], f"Mã hộ {m['household_code']}") for m in met],
            )
        )
    context["lists"] = lists
    return context


def criteria_context(source: ReportSource) -> dict[str, Any]:
    data = source.data
    unit = data["unit"]
    cset = data["criteria_set"]
    context = _common(
        source,
        f"Kết quả thực hiện {_lower_first(cset['title'])} của {context_phrase(unit)}",
        _recipients("criteria", data),
    )
    context["intro"] = (
        f"UBND {context['commune_phrase']} báo cáo kết quả thực hiện các tiêu chí của "
        f"{context['unit_phrase']} (số liệu tại ngày {context['at_text']}) như sau:"
    )
    counts = data.get("population") or {}
    info = [
        f"Đơn vị: {unit['full_name']}"
        + (f", {context['commune_phrase']}." if unit["level"] != "commune" else ".")
    ]
    if counts:
        info.append(
            f"Dân số: {format_number(counts.get('persons', 0))} người ({format_number(counts.get('households', 0))} hộ)."
        )
    info.append(f"Bộ tiêu chí: {cset['title']} (phiên bản {cset['version']}).")
    context["unit_info"] = info
    by_code = {r["code"]: r for r in context["criteria"]}
    context["groups"] = [
        {
            "code": g["code"],
            "title": g["title"],
            "criteria": [by_code[code] for code in g["codes"] if code in by_code],
        }
        for g in cset["groups"]
    ]
    context["self_assessment_prefix"] = f"{unit['full_name']}: "
    context["self_assessment_suffix"] = (
        f" theo {_lower_first(cset['title'])} (đạt {context['passed_count']}/{context['applicable_count']} tiêu chí)."
    )
    return context


def commune_context(source: ReportSource) -> dict[str, Any]:
    data = source.data
    unit = data["unit"]
    cset = data["criteria_set"]
    context = _common(
        source,
        f"Tổng hợp kết quả thực hiện {_lower_first(cset['title'])} của {context_phrase(unit)}",
        _recipients("commune", data),
    )
    context["intro"] = (
        f"UBND {context['commune_phrase']} báo cáo tổng hợp kết quả của các thôn và các tiêu chí của xã "
        f"(số liệu tại ngày {context['at_text']}) như sau:"
    )
    villages = (data.get("villages") or {}).get("results") or []
    village_set = (data.get("villages") or {}).get("criteria_set")
    rows = []
    for index, result in enumerate(villages, start=1):
        criteria = result["criteria"]
        applicable = [c for c in criteria if c["status"] != "not_applicable"]
        passed = sum(1 for c in applicable if c["status"] == "pass")
        failing = [c["code"] for c in applicable if c["status"] != "pass"]
        rows.append(
            {
                "index": format_number(index),
                "name": result["unit"]["full_name"],
                "passed_text": f"{passed}/{len(applicable)}",
                "failing": ", ".join(failing) or "–",
                "status_label": "Đạt" if result["passed"] else "Chưa đạt",
            }
        )
    context["villages"] = rows
    context["villages_total"] = format_number(len(rows))
    context["villages_passed"] = format_number(sum(1 for r in villages if r["passed"]))
    if village_set:
        context["villages_intro"] = (
            f"Đánh giá từng thôn theo {_lower_first(village_set['title'])}: "
            f"{context['villages_passed']}/{context['villages_total']} thôn đạt."
        )
    else:
        context["villages_intro"] = "Bộ tiêu chí không có tiêu chí đánh giá theo từng thôn."
    if data["criteria_set"]["level"] == "village":
        # A village set reported for a commune: its "own" criteria are the villages' criteria.
        context["criteria"] = []
    context["self_assessment_prefix"] = f"{unit['full_name']}: "
    context["self_assessment_suffix"] = (
        f" theo {_lower_first(cset['title'])} (đạt {context['passed_count']}/{context['applicable_count']} tiêu chí của xã; "
        f"{context['villages_passed']}/{context['villages_total']} thôn đạt)."
    )
    return context


BUILDERS = {"mau01": mau01_context, "criteria": criteria_context, "commune": commune_context}


def render_report(kind: str, source: ReportSource, fmt: str = "docx") -> bytes:
    if kind not in BUILDERS:
        raise DomainError(
            f"Loại báo cáo “{kind}” không có; chọn một trong: {', '.join(KINDS)}.", "report_kind"
        )
    if fmt not in FORMATS:
        raise DomainError(f"Định dạng “{fmt}” không hỗ trợ; chọn docx hoặc pdf.", "report_format")
    unit = source.data["unit"]
    check_suitable(kind, unit["level"], unit["full_name"], source.data["criteria_set"])
    context = BUILDERS[kind](source)
    data = rendering.render_docx(
        f"{kind}.docx", context, fixed_time=source.fixed_time, title=context["subject"]
    )
    if fmt == "pdf":
        return rendering.docx_to_pdf(data, fixed_time=source.fixed_time)
    return data


def report_filename(kind: str, source: ReportSource, fmt: str) -> str:
    unit = source.data["unit"]
    return f"{kind}-{unit['code']}-{source.data['at']}.{fmt}"
