"""The plan (kế hoạch) as a DOCX in the layout of the seeds' plans (seed 001, seed 003):
national header, I. purpose and requirements, II. per criterion the requirement, the result and
the tasks of the village and of the commune (budget, person responsible, deadline), III. time,
IV. budget with a table of totals per criterion, V. organisation, "Nơi nhận" and the signature."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from smartvillage.core.formats import format_date, format_number, place_date_line, vietnamese_date
from smartvillage.documents import rendering
from smartvillage.documents.wording import in_sentence, money

OVERDUE_MARK = "(quá hạn)"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _task(task: Any, village_word: str, today: dt.date | None = None) -> dict[str, Any]:
    text = task.description.strip()
    details = []
    survey = getattr(task, "survey_deadline", None)
    if task.deadline and not survey:
        text = f"{text.rstrip('.;')}; thời gian hoàn thành trước {format_date(task.deadline)}."
    elif survey:
        # Seed 001's two deadlines, in its words and order.
        details.append(f"Thời gian điều tra tổng hợp hoàn thành trước {format_date(survey)}.")
        if task.deadline:
            details.append(f"Thời gian hoàn thành trước {format_date(task.deadline)}.")
    if task.budget:
        details.append(
            f"Kinh phí: {money(task.budget)}{' (' + task.budget_note + ')' if task.budget_note else ''}"
        )
    elif task.budget_note:
        details.append(f"Kinh phí: {task.budget_note}")
    if task.responsible:
        details.append(f"Trách nhiệm thực hiện: {task.responsible}")
    status = task.get_status_display()
    late = getattr(task, "is_late", None)
    if late is None:
        late = task.is_overdue(today)
    if late:
        # Past its deadline and neither done nor cancelled: it stands out in print as on screen.
        status = f"{status} {OVERDUE_MARK}"
    progress = f"Tình hình thực hiện: {status}"
    if task.progress_note:
        progress += f" – {task.progress_note.strip()}"
    details.append(progress)
    return {"text": text, "details": details}


def _millions(value: int) -> str:
    """90000000 -> "90 triệu đồng" (whole millions, as plans write them); else "1.234.500 đồng"."""
    if value and value % 1_000_000 == 0:
        return f"{format_number(value // 1_000_000)} triệu đồng"
    return money(value)


def state_lines(plan: Any) -> list[str]:
    """Seed 003's "Diện tích tự nhiên: 251,3 ha." / "Dân số: 2420 người (761 hộ)." and the text."""
    lines = []
    area = getattr(plan, "area_ha", None)
    if area is not None:
        lines.append(f"Diện tích tự nhiên: {format_number(area)} ha.")
    population, households = getattr(plan, "population", None), getattr(plan, "households", None)
    if population is not None:
        tail = f" ({format_number(households)} hộ)" if households is not None else ""
        lines.append(f"Dân số: {format_number(population)} người{tail}.")
    elif households is not None:
        lines.append(f"Số hộ: {format_number(households)} hộ.")
    return lines + _lines(getattr(plan, "current_state", ""))


def plan_context(
    plan: Any, at: dt.date | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    from smartvillage.plans.services import commune_of, plan_view_model

    model = plan_view_model(plan, at=at, today=today)
    today = model["today"]
    unit = plan.unit
    commune = commune_of(unit) or unit
    village_word = unit.get_unit_type_display() if unit.is_village else "xã"
    number = plan.number.strip()
    if not number:
        number_line = "Số:        /KH-UBND"
    else:
        number_line = f"Số: {number}" if "/" in number else f"Số: {number}/KH-UBND"
    items = []
    for index, entry in enumerate(model["items"], start=1):
        item = entry["item"]
        written = item.result_text.strip()
        computed = entry["computed"]
        if written and computed:
            result = f"{written} (Số liệu hệ thống: {computed})"
        else:
            result = written or computed or "Chưa tổng hợp đánh giá."
        groups = []
        if entry["village_tasks"]:
            groups.append(
                {
                    "label": f"Đối với {village_word.lower()}:",
                    "tasks": [_task(t, village_word, today) for t in entry["village_tasks"]],
                }
            )
        if entry.get("head_tasks"):
            groups.append(
                {
                    "label": f"Đối với Trưởng {village_word.lower()}:",
                    "tasks": [_task(t, village_word, today) for t in entry["head_tasks"]],
                }
            )
        if entry["commune_tasks"]:
            groups.append(
                {
                    "label": "Đối với UBND xã:",
                    "tasks": [_task(t, village_word, today) for t in entry["commune_tasks"]],
                }
            )
        owners: dict[str, list[Any]] = {}
        for t in entry.get("org_tasks") or []:
            owners.setdefault(t.owner.strip() or "tổ chức phối hợp", []).append(t)
        for owner, tasks in owners.items():
            groups.append(
                {
                    "label": f"Đối với {owner}:",
                    "tasks": [_task(t, village_word, today) for t in tasks],
                }
            )
        items.append(
            {
                "number": index,
                "code": item.criterion_code,
                "title": item.title,
                "requirement": item.requirement,
                "result": result,
                "groups": groups,
                "no_tasks": "" if groups else " Chưa giao nhiệm vụ.",
                "budget_text": money(entry["budget"]) if entry["budget"] else "",
                "budget_number": format_number(entry["budget"]) if entry["budget"] else "",
            }
        )
    total = model["total_budget"]
    planned = getattr(plan, "budget_planned", None)
    basis = _lines(plan.preamble)
    state = state_lines(plan)
    directions = _lines(getattr(plan, "directions", ""))
    # Section numbers follow the sections present (seed 001: I–V; seed 003 adds II. HIỆN TRẠNG
    # and III. PHƯƠNG HƯỚNG).
    names = ["purpose", *(["state"] if state else []), "content"]
    names += [*(["directions"] if directions else []), "time", "budget", "organisation"]
    numerals = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
    section = {name: numerals[i] for i, name in enumerate(names)}
    headings = {
        "purpose": f"{section['purpose']}. MỤC ĐÍCH, YÊU CẦU",
        "state": f"{section.get('state', '')}. HIỆN TRẠNG",
        "content": f"{section['content']}. NỘI DUNG THỰC HIỆN",
        "directions": f"{section.get('directions', '')}. PHƯƠNG HƯỚNG THỰC HIỆN",
        "time": f"{section['time']}. THỜI GIAN: ",
        "budget": f"{section['budget']}. KINH PHÍ THỰC HIỆN: ",
        "organisation": f"{section['organisation']}. TỔ CHỨC THỰC HIỆN",
    }
    if planned:
        # As the seed writes it: "Dự kiến khoảng 90 triệu đồng".
        budget_text = f"Dự kiến khoảng {_millions(planned)}."
    elif total:
        budget_text = f"Dự kiến khoảng {money(total)}."
    else:
        budget_text = "Chưa xác định."
    funding = [
        f"- {label}: {money(amount)}." if amount else f"- {label}."
        for label, amount in (plan.funding_lines if hasattr(plan, "funding_lines") else [])
    ]
    funding += _lines(getattr(plan, "funding_note", ""))
    return {
        "ISSUER_PARENT": "ỦY BAN NHÂN DÂN",
        "ISSUER": commune.full_name.upper(),
        "NUMBER_LINE": number_line,
        # An undated plan is dated by hand, in the plan's year.
        "PLACE_DATE": place_date_line(plan.place or commune.name, plan.issued_date, year=plan.year),
        "subject": plan.title,
        "basis": basis,
        "overdue_count": model["overdue_count"],
        "intro": f"UBND {in_sentence(commune.full_name)} ban hành kế hoạch {_lower_first(plan.title)}, cụ thể như sau:",
        "purpose": _lines(plan.purpose),
        "requirements": _lines(plan.requirements),
        "items": items,
        "deadline_text": f"Hoàn thành trước {vietnamese_date(plan.deadline)}."
        if plan.deadline
        else "Theo tiến độ từng nhiệm vụ.",
        "H": headings,
        "state": state,
        "directions": directions,
        "funding": funding,
        "total_budget_text": budget_text,
        "total_budget_number": format_number(total),
        "organisation": _lines(plan.organisation),
        "closing": f"Trên đây là kế hoạch {_lower_first(plan.title)}./.",
        "recipients": plan.recipient_lines,
        "SIGNER_AUTHORITY": plan.signer_authority,
        "SIGNER_TITLE": plan.signer_title,
        "SIGNER_NAME": plan.signer_name,
    }


def export_plan(plan: Any, fmt: str = "docx", at: dt.date | None = None) -> bytes:
    """The plan document as at `at` (default today): computed results at that date, and tasks
    past their deadline by then marked "(quá hạn)". Its timestamps are the plan's last edit, so
    an unchanged plan exported twice for the same date gives the same bytes."""
    at = at or timezone.localdate()
    context = plan_context(plan, at=at, today=at)
    data = rendering.render_docx("plan.docx", context, fixed_time=plan.updated_at, title=plan.title)
    if fmt == "pdf":
        return rendering.docx_to_pdf(data, fixed_time=plan.updated_at)
    return data
