"""The inbox "Việc cần xử lý": what waits for the signed-in user, by what her roles let her do.

Each section is a count, a link and a few rows. Sections come from permissions, not from role
names: whoever may confirm a village's dossier sees the submissions to confirm, whoever may
appraise sees the confirmed dossiers, and so on; a workflow step is shown only where
`assessments.services.may` would allow it, so the inbox and the buttons never disagree.

`counts()` is what the navigation shows on every page: database counts only. `sections()` adds
what needs an evaluation (failing criteria, villages furthest from passing), through
`criteria.engine`, never by counting persons here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from smartvillage.accounts import permissions
from smartvillage.accounts.models import Role
from smartvillage.accounts.names import actor_label
from smartvillage.accounts.permissions import Action
from smartvillage.assessments import services as workflow
from smartvillage.assessments.models import Assessment, State, StepAction
from smartvillage.plans.models import PlanTask, TaskStatus
from smartvillage.transfer.models import ImportJob, JobStatus
from smartvillage.units.models import AdminUnit, Level

ROWS_SHOWN = 8
FAILED_JOBS_DAYS = 30

VILLAGE = "village"
COMMUNE = "commune"
APPRAISER = "appraiser"
ADMIN = "admin"
NONE = "none"


@dataclass
class Row:
    text: str
    url: str = ""
    detail: str = ""


@dataclass
class Section:
    key: str
    label: str
    count: int
    url: str = ""
    rows: list[Row] = field(default_factory=list)
    # False for what is information rather than a task (failing criteria): not in the nav count.
    counted: bool = True
    # How many lie in each district (or 2025 commune) of the province: [(name, count)].
    groups: list[tuple[str, int]] = field(default_factory=list)


def home_kind(user: Any) -> str:
    """Which home the user gets: the widest of her roles (admin > appraiser > commune > village)."""
    if not getattr(user, "is_authenticated", False):
        return NONE
    roles = {a.role for a in permissions.roles_on(user)}
    if user.is_superuser or Role.SYSTEM_ADMIN in roles:
        return ADMIN
    if Role.APPRAISER in roles:
        return APPRAISER
    if roles & {Role.COMMUNE_OFFICER, Role.COMMUNE_LEADER}:
        return COMMUNE
    if roles & {Role.VILLAGE_HEAD, Role.DIGITAL_TEAM}:
        return VILLAGE
    return NONE


def _where(unit: AdminUnit) -> str:
    """ "Thôn X, Xã Y" (the commune, and the district when there is one) for a row."""
    names = [unit.full_name]
    parent = unit.parent
    while parent is not None and parent.level != Level.PROVINCE:
        names.append(parent.full_name)
        parent = parent.parent
    return ", ".join(names)


def _under_province(unit: AdminUnit) -> AdminUnit:
    """The province's direct child the unit lies in (a district, or a 2025 commune)."""
    node = unit
    while node.parent is not None and node.parent.level != Level.PROVINCE:
        node = node.parent
    return node


def _groups(units: list[AdminUnit]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for unit in units:
        name = _under_province(unit).full_name
        counts[name] = counts.get(name, 0) + 1
    return sorted(counts.items())


def _assessments(user: Any, states: list[str], action: Action) -> list[Assessment]:
    """Assessments in `states` on units where the user may do `action` (candidates only)."""
    units = permissions.visible_units(user, action)
    return list(
        Assessment.objects.filter(state__in=states, unit__in=units)
        .select_related("unit__parent__parent__parent")
        .order_by("unit__path", "-at")[:500]
    )


def _dossier_section(
    user: Any, key: str, label: str, states: list[str], action: Action, step: str
) -> Section:
    found = [a for a in _assessments(user, states, action) if workflow.may(user, a, step)]
    rows = [
        Row(
            _where(a.unit),
            reverse("assessments:detail", args=[a.pk]),
            f"{a.get_state_display()} · {a.at:%d/%m/%Y}",
        )
        for a in found[:ROWS_SHOWN]
    ]
    return Section(key, label, len(found), rows=rows, groups=_groups([a.unit for a in found]))


def _returned(user: Any) -> Section:
    return _dossier_section(
        user,
        "returned",
        _("Hồ sơ bị trả lại"),
        [State.RETURNED],
        Action.SUBMIT,
        StepAction.SUBMIT,
    )


def _to_confirm(user: Any) -> Section:
    return _dossier_section(
        user,
        "to_confirm",
        _("Hồ sơ thôn đã nộp, chờ xã xác nhận"),
        [State.SUBMITTED],
        Action.CONFIRM,
        StepAction.CONFIRM,
    )


def _to_appraise(user: Any) -> Section:
    return _dossier_section(
        user,
        "to_appraise",
        _("Hồ sơ chờ thẩm định"),
        [State.CONFIRMED, State.SUBMITTED],
        Action.APPRAISE,
        StepAction.APPRAISE,
    )


def _to_recognise(user: Any) -> Section:
    return _dossier_section(
        user,
        "to_recognise",
        _("Hồ sơ đã thẩm định, chờ công nhận"),
        [State.APPRAISED],
        Action.APPRAISE,
        StepAction.RECOGNISE,
    )


def _overdue_tasks(user: Any, today: dt.date) -> Section:
    tasks = (
        PlanTask.objects.filter(
            item__plan__unit__in=permissions.visible_units(user, Action.MANAGE_PLAN),
            deadline__lt=today,
        )
        .exclude(status__in=[TaskStatus.DONE, TaskStatus.CANCELLED])
        .select_related("item__plan__unit")
        .order_by("deadline")
    )
    by_unit: dict[int, list[PlanTask]] = {}
    for task in tasks[:500]:
        by_unit.setdefault(task.item.plan.unit_id, []).append(task)
    rows = []
    for group in list(by_unit.values())[:ROWS_SHOWN]:
        plan = group[0].item.plan
        rows.append(
            Row(
                plan.unit.full_name,
                reverse("plans:detail", args=[plan.pk]),
                ngettext(
                    "%(n)d nhiệm vụ quá hạn, sớm nhất %(d)s",
                    "%(n)d nhiệm vụ quá hạn, sớm nhất %(d)s",
                    len(group),
                )
                % {"n": len(group), "d": f"{group[0].deadline:%d/%m/%Y}"},
            )
        )
    return Section("overdue", _("Nhiệm vụ kế hoạch quá hạn"), tasks.count(), rows=rows)


def _imports_waiting(user: Any) -> Section:
    jobs = (
        ImportJob.objects.filter(
            village__in=permissions.visible_units(user, Action.EDIT_REGISTRY),
            status=JobStatus.PREVIEWED,
        )
        .select_related("village")
        .order_by("-created_at")
    )
    rows = [
        Row(
            job.village.full_name,
            reverse("transfer:job", args=[job.pk]),
            _("kiểm tra lúc %(t)s")
            % {"t": timezone.localtime(job.created_at).strftime("%H:%M %d/%m/%Y")},
        )
        for job in jobs[:ROWS_SHOWN]
    ]
    return Section("imports", _("Tệp nhập đã kiểm tra, chờ quyết định"), jobs.count(), rows=rows)


def _users_without_role() -> Section:
    users = User.objects.filter(is_active=True, is_superuser=False, roles__isnull=True).order_by(
        "username"
    )
    rows = [
        Row(actor_label(u), reverse("admin:auth_user_change", args=[u.pk]))
        for u in users[:ROWS_SHOWN]
    ]
    return Section(
        "no_role",
        _("Tài khoản chưa được phân vai trò"),
        users.count(),
        reverse("admin:accounts_roleassignment_add"),
        rows,
    )


def _failed_jobs(today: dt.date) -> Section:
    """Imports and background jobs that failed in the last 30 days (the admin looks at why)."""
    from django.apps import apps

    since = timezone.now() - dt.timedelta(days=FAILED_JOBS_DAYS)
    imports = (
        ImportJob.objects.filter(status=JobStatus.FAILED, updated_at__gte=since)
        .select_related("village")
        .order_by("-updated_at")
    )
    rows = [
        Row(
            job.village.full_name, reverse("transfer:job", args=[job.pk]), (job.message or "")[:120]
        )
        for job in imports[:ROWS_SHOWN]
    ]
    count = imports.count()
    if apps.is_installed("smartvillage.jobs"):
        from smartvillage.jobs.models import Job, Status

        jobs = Job.objects.filter(status=Status.FAILED, updated_at__gte=since).order_by(
            "-updated_at"
        )
        count += jobs.count()
        rows += [
            Row(job.title, reverse("jobs:job", args=[job.pk]), (job.message or "")[:120])
            for job in jobs[:ROWS_SHOWN]
        ]
    return Section(
        "failed_jobs",
        _("Việc nhập dữ liệu và việc chạy nền bị lỗi (30 ngày qua)"),
        count,
        rows=rows,
    )


def counted_sections(user: Any, today: dt.date | None = None) -> list[Section]:
    """The task sections (database counts only), in the order of the user's day."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = today or timezone.localdate()
    kind = home_kind(user)
    if kind == ADMIN:
        return [_users_without_role(), _failed_jobs(today)]
    out = [_returned(user)]
    if kind in (VILLAGE, COMMUNE):
        out.append(_overdue_tasks(user, today))
    if kind == VILLAGE:
        out.append(_imports_waiting(user))
    if kind == COMMUNE:
        out.insert(0, _to_confirm(user))
    if kind == APPRAISER:
        out = [_to_appraise(user), _to_recognise(user), *out]
    return out


def count(user: Any) -> int:
    """The number in the navigation: tasks waiting for the user."""
    return sum(s.count for s in counted_sections(user) if s.counted)


def has_any(sections: list[Section]) -> bool:
    return any(s.count for s in sections)


def visible_sections(sections: list[Section]) -> list[Section]:
    """Sections with something in them (an empty inbox says so once instead)."""
    return [s for s in sections if s.count]


def village_units(user: Any) -> list[AdminUnit]:
    """The villages her village roles are on (a village head's home)."""
    return [
        a.unit
        for a in permissions.roles_on(user)
        if a.unit is not None
        and a.unit.level == Level.VILLAGE
        and a.role in (Role.VILLAGE_HEAD, Role.DIGITAL_TEAM)
    ]


def commune_units(user: Any) -> list[AdminUnit]:
    return [
        a.unit
        for a in permissions.roles_on(user)
        if a.unit is not None
        and a.unit.level == Level.COMMUNE
        and a.role in (Role.COMMUNE_OFFICER, Role.COMMUNE_LEADER)
    ]


def top_area_units(user: Any) -> list[AdminUnit]:
    """The provinces/districts of an appraiser (her dashboard's units)."""
    return [
        a.unit
        for a in permissions.roles_on(user)
        if a.unit is not None and a.role == Role.APPRAISER
    ]


def search_units(user: Any, query: str, limit: int = 12) -> list[AdminUnit]:
    """Units she may view whose name contains `query`, ignoring case and diacritics."""
    from smartvillage.registry.facts import fold

    needle = fold(query or "").strip()
    if len(needle) < 2:
        return []
    visible = permissions.visible_units(user).filter(is_active=True)
    # Names are short and a province has a few thousand units: fold in Python, as the village
    # household search does, so SQLite and PostgreSQL agree without an unaccent extension.
    found = [
        (pk, path)
        for pk, name, path in visible.values_list("pk", "name", "path").iterator(chunk_size=5000)
        if needle in fold(name)
    ]
    found.sort(key=lambda row: (row[1].count("/"), row[1]))
    ids = [pk for pk, _path in found[:limit]]
    units = {u.pk: u for u in AdminUnit.objects.filter(pk__in=ids).select_related("parent")}
    return [units[pk] for pk in ids if pk in units]
