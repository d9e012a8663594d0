"""Plan pages: the unit's plans, one plan with its criteria and tasks (overdue tasks stand out,
budget totals per criterion and per plan), task editing and the DOCX export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartvillage.accounts.permissions import Action, can
from smartvillage.core import concurrency
from smartvillage.core.errors import DomainError
from smartvillage.documents.plan_export import state_lines
from smartvillage.plans import services
from smartvillage.plans.forms import ItemForm, PlanCreateForm, PlanForm, TaskForm
from smartvillage.plans.models import Plan, PlanItem, PlanTask
from smartvillage.units.models import AdminUnit


def _visible(request: HttpRequest, unit: AdminUnit, action: Action = Action.VIEW) -> None:
    if not can(request.user, Action.VIEW, unit):
        raise Http404
    if not can(request.user, action, unit):
        raise PermissionDenied


def _sets_for(unit: AdminUnit) -> list[Any]:
    from smartvillage.criteria.services import sets_for_unit

    return sets_for_unit(unit, own_level=True)


@login_required
def plan_list(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = get_object_or_404(AdminUnit, pk=unit_pk)
    _visible(request, unit)
    may_manage = can(request.user, Action.MANAGE_PLAN, unit)
    form = (
        PlanCreateForm(
            request.POST or None, sets=_sets_for(unit), initial={"year": timezone.localdate().year}
        )
        if may_manage
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                plan = services.do_create_plan(
                    request.user,
                    unit,
                    form.cleaned_data["criteria_set"],
                    year=form.cleaned_data["year"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Đã tạo kế hoạch."))
                return redirect("plans:detail", pk=plan.pk)
    plans = services.plans_with_overdue(Plan.objects.filter(unit=unit).order_by("-year", "-id"))
    return render(request, "plans/list.html", {"unit": unit, "plans": plans, "form": form})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.select_related("unit"), pk=pk)
    _visible(request, plan.unit)
    plan = services.plan_with_tasks(plan.pk)
    model = services.plan_view_model(plan)
    may_manage = can(request.user, Action.MANAGE_PLAN, plan.unit)
    return render(
        request,
        "plans/detail.html",
        {
            **model,
            "unit": plan.unit,
            "may_manage": may_manage,
            "task_form": TaskForm() if may_manage else None,
            # The same lines as the document's "HIỆN TRẠNG" (area, population, households).
            "state_lines": state_lines(plan),
        },
    )


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.select_related("unit"), pk=pk)
    _visible(request, plan.unit, Action.MANAGE_PLAN)
    form = PlanForm(request.POST or None, instance=Plan.objects.get(pk=plan.pk))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.do_update_plan(
                request.user,
                plan,
                expected_version=concurrency.posted_version(request),
                **fields,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            if isinstance(exc, concurrency.StaleEdit):
                form.edit_version = exc.current.version  # saving again overwrites knowingly
        else:
            messages.success(request, _("Đã lưu kế hoạch."))
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/edit.html", {"plan": plan, "unit": plan.unit, "form": form})


@login_required
@require_POST
def item_update(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(PlanItem.objects.select_related("plan__unit"), pk=pk)
    _visible(request, item.plan.unit, Action.MANAGE_PLAN)
    form = ItemForm(request.POST)
    if form.is_valid():
        services.do_update_item(request.user, item, result_text=form.cleaned_data["result_text"])
        messages.success(request, _("Đã lưu kết quả tiêu chí %s.") % item.criterion_code)
    return redirect(f"/plans/{item.plan_id}/#item-{item.pk}")


def _task_fields(form: TaskForm) -> dict[str, Any]:
    return {
        name: form.cleaned_data[name]
        for name in (
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
        )
    }


@login_required
@require_POST
def task_add(request: HttpRequest, item_pk: int) -> HttpResponse:
    item = get_object_or_404(PlanItem.objects.select_related("plan__unit"), pk=item_pk)
    _visible(request, item.plan.unit, Action.MANAGE_PLAN)
    form = TaskForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect(f"/plans/{item.plan_id}/#item-{item.pk}")
    try:
        services.do_add_task(request.user, item, **_task_fields(form))
        messages.success(request, _("Đã thêm nhiệm vụ cho tiêu chí %s.") % item.criterion_code)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(f"/plans/{item.plan_id}/#item-{item.pk}")


@login_required
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(PlanTask.objects.select_related("item__plan__unit"), pk=pk)
    unit = task.item.plan.unit
    _visible(request, unit, Action.MANAGE_PLAN)
    initial = {name: getattr(task, name) for name in TaskForm.base_fields}
    form = TaskForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if request.POST.get("delete"):
            services.do_delete_task(request.user, task)
            messages.success(request, _("Đã xóa nhiệm vụ."))
            return redirect("plans:detail", pk=task.item.plan_id)
        if form.is_valid():
            try:
                services.do_update_task(
                    request.user,
                    task,
                    expected_version=concurrency.posted_version(request),
                    **_task_fields(form),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                if isinstance(exc, concurrency.StaleEdit):
                    form.edit_version = exc.current.version
            else:
                messages.success(request, _("Đã lưu nhiệm vụ."))
                return redirect("plans:detail", pk=task.item.plan_id)
    return render(
        request,
        "plans/task_edit.html",
        {"task": task, "plan": task.item.plan, "unit": unit, "form": form},
    )


@login_required
def plan_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    from smartvillage.documents.plan_export import export_plan

    plan = get_object_or_404(Plan.objects.select_related("unit"), pk=pk)
    _visible(request, plan.unit)
    if fmt not in ("docx", "pdf"):
        raise Http404
    try:
        data = export_plan(services.plan_with_tasks(plan.pk), fmt)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("plans:detail", pk=plan.pk)
    content_type = (
        "application/pdf"
        if fmt == "pdf"
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-{plan.pk}.{fmt}"'
    return response
