"""Action functions for plans: create from a criteria set, edit, and manage tasks.

Each checks Action.MANAGE_PLAN on the plan's unit, writes in one transaction and audits.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from smartvillage.accounts.permissions import Action, can
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.core.errors import DomainError
from smartvillage.core.formats import vietnamese_date
from smartvillage.plans.models import Plan, PlanItem, PlanTask, TaskStatus
from smartvillage.units.models import AdminUnit, Level

PLAN_FIELDS = (
    "title",
    "year",
    "number",
    "issued_date",
    "place",
    "preamble",
    "purpose",
    "requirements",
    "deadline",
    "area_ha",
    "population",
    "households",
    "current_state",
    "directions",
    "budget_planned",
    "funding_state",
    "funding_socialisation",
    "funding_households",
    "funding_note",
    "organisation",
    "recipients",
    "signer_authority",
    "signer_title",
    "signer_name",
)
TASK_FIELDS = (
    "executor",
    "owner",
    "description",
    "responsible",
    "budget",
    "budget_note",
    "survey_deadline",
    "deadline",
    "status",
    "progress_note",
    "order",
)


def _require(user: Any, unit: AdminUnit) -> None:
    if not can(user, Action.MANAGE_PLAN, unit):
        raise PermissionDenied(f"manage_plan on {unit}")


def _clean(instance: Any, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        parts = []
        for name, messages in exc.message_dict.items():
            label = instance._meta.get_field(name).verbose_name if name != "__all__" else ""
            parts.append(f"{label}: {' '.join(messages)}" if label else " ".join(messages))
        raise DomainError("; ".join(parts), "plan_invalid") from exc


def _get_set(slug: str, version: int | None = None) -> Any:
    from smartvillage.criteria.loader import get_set

    return get_set(slug, version)


def commune_of(unit: AdminUnit) -> AdminUnit | None:
    return unit.ancestor_of_level(Level.COMMUNE)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


_PERIOD = re.compile(r"[\s,]*\(?giai đoạn\s+\d{4}\s*[-–]\s*\d{4}\)?.*$", re.IGNORECASE)
_PLACE = re.compile(
    r"\s+(?:áp dụng\s+)?(?:trên địa bàn\s+)?(?:tỉnh|thành phố)\s+[^,;]+$", re.IGNORECASE
)


def plan_goal(cset_title: str) -> str:
    """What a one-year plan aims at, from the set's title, as seed 001 words it ("… đạt tiêu chí
    thôn thông minh năm 2022"): without the set's period ("giai đoạn 2022 - 2025", which clashes with
    the plan's year) and the province (the set's, implied by the issuing commune).

    "Tiêu chí thôn thông minh tỉnh Thanh Hóa giai đoạn 2022 - 2025" -> "tiêu chí thôn thông minh".
    """
    goal = _PERIOD.sub("", cset_title.strip())
    goal = _PLACE.sub("", goal).strip(" ,;-–")
    return _lower_first(goal or cset_title.strip())


def default_plan_fields(unit: AdminUnit, cset: Any, year: int) -> dict[str, Any]:
    """The wording of seed 001, filled for this unit and set; everything stays editable."""
    basis = cset.legal_basis
    commune = commune_of(unit)
    commune_name = commune.name if commune else unit.name
    from smartvillage.documents.wording import in_sentence, legal_reference

    unit_phrase = in_sentence(unit.full_name)

    kind, subject = legal_reference(basis.number, basis.title)
    basis_text = f"{kind} số {basis.number} {vietnamese_date(basis.date)} của {basis.issuer}"
    if subject:
        basis_text += f" {subject}"
    return {
        "title": f"Xây dựng {unit_phrase} đạt {plan_goal(cset.title)} năm {year}",
        "place": commune_name,
        "preamble": f"Thực hiện {basis_text}.",
        "purpose": f"Cụ thể hóa các nội dung quy định tại {basis_text.split(' của ')[0]}; giúp nhân dân "
        "sử dụng các ứng dụng trên nền tảng số, đảm bảo an ninh trật tự, tiếp cận các giao dịch trên mạng Internet.",
        "requirements": "Xác định rõ nội dung công việc, lộ trình thực hiện và phân công trách nhiệm cụ thể cho "
        "từng cá nhân, đơn vị; theo dõi, đánh giá thường xuyên.",
        "organisation": (
            "1. UBND xã: Xây dựng kế hoạch, phân công nhiệm vụ cho tập thể, cá nhân có liên quan triển khai thực hiện.\n"
            f"2. Trưởng {unit.get_unit_type_display().lower()}: Tuyên truyền, cụ thể hóa các nội dung đã được phân công; "
            "tổ chức họp dân để thống nhất triển khai theo đúng tiến độ.\n"
            "3. Đề nghị UBMTTQ và các tổ chức đoàn thể: Tuyên truyền vận động đoàn viên, hội viên và nhân dân tích cực "
            "tham gia."
        ),
        "recipients": f"TTr Đảng ủy, HĐND (để b/c);\nMTTQ, các đoàn thể (để phối hợp t/h);\n"
        f"Trưởng {unit_phrase} (để t/h);\nLưu: VT.",
        "deadline": dt.date(year, 12, 31)
        if cset.valid_to is None or cset.valid_to.year >= year
        else cset.valid_to,
    }


@transaction.atomic
def do_create_plan(
    user: Any,
    unit: AdminUnit,
    criteria_set: str,
    *,
    year: int | None = None,
    version: int | None = None,
    **fields: Any,
) -> Plan:
    _require(user, unit)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    cset = _get_set(criteria_set, version)
    if cset.level == Level.VILLAGE and unit.level != Level.VILLAGE:
        raise DomainError(
            f"Bộ tiêu chí “{cset.title}” dành cho thôn; hãy chọn một thôn.", "plan_level"
        )
    if cset.level == Level.COMMUNE and unit.level != Level.COMMUNE:
        raise DomainError(f"Bộ tiêu chí “{cset.title}” dành cho xã; hãy chọn một xã.", "plan_level")
    year = year or timezone.localdate().year
    values = {
        **default_plan_fields(unit, cset, year),
        **{k: v for k, v in fields.items() if v not in (None, "")},
    }
    plan = Plan(
        unit=unit,
        criteria_set_slug=cset.slug,
        criteria_set_version=cset.version,
        year=year,
        created_by=user,
        **values,
    )
    _clean(plan, exclude=["unit", "created_by"])
    plan.save()
    PlanItem.objects.bulk_create(
        [
            PlanItem(
                plan=plan,
                criterion_code=c.code,
                order=index,
                title=c.title,
                requirement=c.requirement,
            )
            for index, c in enumerate(cset.criteria)
        ]
    )
    audit.record(
        actor=user, action=AuditAction.CREATE, instance=plan, unit=unit, after=audit.snapshot(plan)
    )
    return plan


@transaction.atomic
def do_update_plan(
    user: Any, plan: Plan, *, expected_version: int | None = None, **fields: Any
) -> Plan:
    _require(user, plan.unit)
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    return audit.update_audited(
        user,
        plan,
        fields,
        unit=plan.unit,
        validate=lambda locked: _clean(locked, exclude=["unit", "created_by"]),
        expected_version=expected_version,
    )


@transaction.atomic
def do_update_item(
    user: Any, item: PlanItem, *, result_text: str | None = None, requirement: str | None = None
) -> PlanItem:
    _require(user, item.plan.unit)
    fields = {
        name: value
        for name, value in (("result_text", result_text), ("requirement", requirement))
        if value is not None
    }
    return audit.update_audited(
        user, item, fields, unit=item.plan.unit, validate=lambda locked: None
    )


@transaction.atomic
def do_add_task(user: Any, item: PlanItem, **fields: Any) -> PlanTask:
    _require(user, item.plan.unit)
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    task = PlanTask(item=item, **fields)
    _clean(task, exclude=["item"])
    task.save()
    audit.record(
        actor=user,
        action=AuditAction.CREATE,
        instance=task,
        unit=item.plan.unit,
        after=audit.snapshot(task),
    )
    return task


@transaction.atomic
def do_update_task(
    user: Any, task: PlanTask, *, expected_version: int | None = None, **fields: Any
) -> PlanTask:
    unit = task.item.plan.unit
    _require(user, unit)
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    return audit.update_audited(
        user,
        task,
        fields,
        unit=unit,
        validate=lambda locked: _clean(locked, exclude=["item"]),
        expected_version=expected_version,
    )


@transaction.atomic
def do_delete_task(user: Any, task: PlanTask) -> None:
    unit = task.item.plan.unit
    _require(user, unit)
    audit.record(
        actor=user, action=AuditAction.DELETE, instance=task, unit=unit, before=audit.snapshot(task)
    )
    task.delete()


def plans_with_overdue(plans: QuerySet[Plan], today: dt.date | None = None) -> QuerySet[Plan]:
    """The plans, each with `overdue_count`: its tasks past their deadline and neither done nor
    cancelled (the same rule as PlanTask.is_overdue), counted in the database."""
    today = today or timezone.localdate()
    late = Q(items__tasks__deadline__lt=today) & ~Q(
        items__tasks__status__in=[TaskStatus.DONE, TaskStatus.CANCELLED]
    )
    return plans.annotate(
        overdue_count=Count("items__tasks", filter=late), task_count=Count("items__tasks")
    )


def plan_with_tasks(plan_id: int) -> Plan:
    return (
        Plan.objects.select_related("unit")
        .prefetch_related(Prefetch("items", queryset=PlanItem.objects.prefetch_related("tasks")))
        .get(pk=plan_id)
    )


def live_results(plan: Plan, at: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """The computed current result of each criterion (as JSON dicts), keyed by criterion code.

    Empty when the criteria set is not available (e.g. a removed file): the written result remains.
    """
    from smartvillage.criteria.engine import evaluate

    try:
        cset = _get_set(plan.criteria_set_slug, plan.criteria_set_version)
    except DomainError:
        return {}
    result = evaluate(plan.unit, cset, at or timezone.localdate())
    return {c.code: c.to_dict() for c in result.criteria}


def plan_view_model(
    plan: Plan, at: dt.date | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    """Everything the plan page and the DOCX export show: items with computed results, tasks
    split by executor, overdue flags and budget totals."""
    from smartvillage.documents.wording import describe, money, status_label

    today = today or timezone.localdate()
    results = live_results(plan, at)
    items = []
    total = 0
    overdue = 0
    for item in plan.items.all():
        tasks = list(item.tasks.all())
        for task in tasks:
            task.is_late = task.is_overdue(today)
            overdue += task.is_late
        item_total = sum(t.budget or 0 for t in tasks)
        total += item_total
        result = results.get(item.criterion_code)
        items.append(
            {
                "item": item,
                "code": item.criterion_code,
                "result": result,
                "status": result.get("status") if result else None,
                "status_label": status_label(result["status"]) if result else "",
                "computed": describe(result) if result else "",
                "village_tasks": [t for t in tasks if t.executor == "village"],
                "commune_tasks": [t for t in tasks if t.executor == "commune"],
                # Seed 001: "Đối với Trưởng thôn", and organisations such as the telecom company.
                "head_tasks": [t for t in tasks if t.executor == "head"],
                "org_tasks": [t for t in tasks if t.executor == "org"],
                "tasks": tasks,
                "budget": item_total,
                "budget_text": money(item_total) if item_total else "",
            }
        )
    return {
        "plan": plan,
        "items": items,
        "total_budget": total,
        "total_budget_text": money(total),
        "overdue_count": overdue,
        "today": today,
    }
