"""Pages where the province appraiser (or the system admin) writes a new criteria set version:
copy or start blank, edit by form or YAML with live validation, preview on the province's
villages, publish with its legal basis, compare versions. Logic lives in criteria.drafts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smartvillage.core.errors import DomainError
from smartvillage.criteria import drafts, expressions, loader
from smartvillage.criteria.loader import KINDS, POPULATIONS, UNIT_ATTRIBUTES
from smartvillage.criteria.models import UploadedCriteriaSet
from smartvillage.criteria.services import parse_at
from smartvillage.evidence import catalogue as evidence_catalogue
from smartvillage.units.models import AdminUnit, Level

KIND_CHOICES = [
    ("ratio", gettext_lazy("Tỷ lệ trên danh sách hộ/nhân khẩu")),
    ("count", gettext_lazy("Đếm (ví dụ: ít nhất 1 điểm Wi-Fi)")),
    ("evidence", gettext_lazy("Có minh chứng (quyết định, kế hoạch, mô hình…)")),
    ("prerequisite", gettext_lazy("Điều kiện tiên quyết")),
    ("reported", gettext_lazy("Số liệu báo cáo (tử số/mẫu số)")),
    ("aggregate", gettext_lazy("Tổng hợp các thôn (100 % thôn …)")),
]
assert {k for k, _label in KIND_CHOICES} == set(KINDS)
POPULATION_CHOICES = [
    ("households", gettext_lazy("Hộ gia đình")),
    ("persons", gettext_lazy("Nhân khẩu")),
    ("working_age", gettext_lazy("Người trong độ tuổi lao động")),
    ("adults", gettext_lazy("Người trưởng thành (18 tuổi trở lên)")),
]
assert {k for k, _label in POPULATION_CHOICES} == set(POPULATIONS)
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
RULES = 3


def _fact_choices() -> list[tuple[str, str]]:
    from smartvillage.registry.facts import catalogue

    out = []
    for fact in catalogue().values():
        if fact.type != "bool":
            continue
        prefix = _("Hộ") if fact.level == "household" else _("Người")
        out.append((fact.key, f"{prefix}: {fact.label_vi}"))
    return out


def _evidence_choices() -> list[tuple[str, str]]:
    out = []
    for category, spec in evidence_catalogue.categories().items():
        for type_, label in (spec.get("types") or {}).items():
            out.append((f"{category}/{type_}", f"{spec.get('label_vi', category)}: {label}"))
    return out


class CriterionForm(forms.Form):
    group = forms.CharField(label=gettext_lazy("Nhóm (mã)"), max_length=20)
    group_title = forms.CharField(
        label=gettext_lazy("Tên nhóm (khi tạo nhóm mới)"), max_length=300, required=False
    )
    code = forms.CharField(label=gettext_lazy("Mã tiêu chí"), max_length=20)
    title = forms.CharField(label=gettext_lazy("Tên tiêu chí"), max_length=500)
    requirement = forms.CharField(
        label=gettext_lazy("Yêu cầu (nguyên văn văn bản)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    kind = forms.ChoiceField(label=gettext_lazy("Loại tiêu chí"), choices=KIND_CHOICES)
    population = forms.ChoiceField(
        label=gettext_lazy("Đối tượng (mẫu số)"), choices=POPULATION_CHOICES, required=False
    )
    population_filter = forms.CharField(
        label=gettext_lazy("Chỉ tính đối tượng có điều kiện (không bắt buộc)"),
        required=False,
        help_text=gettext_lazy("Ví dụ: is_business (chỉ hộ kinh doanh)."),
    )
    numerator_facts = forms.MultipleChoiceField(
        label=gettext_lazy("Tử số: các chỉ tiêu phải cùng đạt (danh mục chỉ tiêu)"),
        choices=_fact_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    numerator = forms.CharField(
        label=gettext_lazy("Hoặc biểu thức tử số"),
        required=False,
        help_text=gettext_lazy("Ví dụ: smartphone and digital_skills_trained"),
    )
    threshold = forms.DecimalField(
        label=gettext_lazy("Ngưỡng đạt (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=False,
    )
    evidence = forms.MultipleChoiceField(
        label=gettext_lazy("Loại minh chứng"),
        choices=_evidence_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    any_one = forms.BooleanField(
        label=gettext_lazy("Chỉ cần một trong các loại minh chứng"), required=False
    )
    open_list = forms.BooleanField(
        label=gettext_lazy("Danh sách mở (“…”): loại khác có mô tả cũng được tính"),
        required=False,
    )
    minimum = forms.IntegerField(
        label=gettext_lazy("Số lượng tối thiểu"), min_value=0, required=False
    )
    applies_from = forms.DateField(
        label=gettext_lazy("Áp dụng từ ngày (dd/mm/yyyy)"),
        input_formats=DATE_FORMATS,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        attribute_choices = [("", "—"), *UNIT_ATTRIBUTES.items()]
        for i in range(1, RULES + 1):
            self.fields[f"rule_attr_{i}"] = forms.ChoiceField(
                label=_("Ngưỡng theo thuộc tính đơn vị %(n)d: thuộc tính") % {"n": i},
                choices=attribute_choices,
                required=False,
            )
            self.fields[f"rule_value_{i}"] = forms.CharField(
                label=_("bằng (để trống: có thuộc tính)"), required=False, max_length=20
            )
            self.fields[f"rule_threshold_{i}"] = forms.DecimalField(
                label=_("ngưỡng (%)"), min_value=0, max_value=100, required=False
            )

    def rule_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"rule_attr_{i}"], self[f"rule_value_{i}"], self[f"rule_threshold_{i}"])
            for i in range(1, RULES + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind == "ratio":
            if not data.get("population"):
                self.add_error("population", _("Tiêu chí tỷ lệ cần đối tượng (mẫu số)."))
            numerator = (data.get("numerator") or "").strip() or " and ".join(
                data.get("numerator_facts") or []
            )
            if not numerator:
                self.add_error("numerator_facts", _("Chọn ít nhất một chỉ tiêu cho tử số."))
            elif data.get("population"):
                level = POPULATIONS[data["population"]]
                try:
                    expressions.validate(numerator, level)
                except DomainError as exc:
                    self.add_error("numerator", exc.message)
            data["numerator"] = numerator
        if kind in {"ratio", "reported", "aggregate"} and data.get("threshold") is None:
            self.add_error("threshold", _("Cần ngưỡng đạt (%)."))
        if kind in {"evidence", "prerequisite", "count"} and not data.get("evidence"):
            self.add_error("evidence", _("Chọn ít nhất một loại minh chứng."))
        rules = []
        for i in range(1, RULES + 1):
            attr, value, threshold = (
                data.get(f"rule_attr_{i}"),
                (data.get(f"rule_value_{i}") or "").strip(),
                data.get(f"rule_threshold_{i}"),
            )
            if not attr:
                continue
            if threshold is None:
                self.add_error(f"rule_threshold_{i}", _("Cần ngưỡng cho thuộc tính này."))
                continue
            when = attr
            if value:
                when = f"{attr} == {value}" if value.isdigit() else f'{attr} == "{value}"'
            rules.append({"when": when, "threshold": threshold})
        data["threshold_rules"] = rules
        if data.get("applies_from"):
            data["applies_from"] = data["applies_from"]
        return data


class PublishForm(forms.Form):
    legal_number = forms.CharField(label=gettext_lazy("Số văn bản ban hành"), max_length=100)
    legal_date = forms.DateField(
        label=gettext_lazy("Ngày ban hành (dd/mm/yyyy)"), input_formats=DATE_FORMATS
    )
    legal_issuer = forms.CharField(label=gettext_lazy("Cơ quan ban hành"), max_length=200)
    legal_title = forms.CharField(label=gettext_lazy("Trích yếu"), max_length=500, required=False)
    guidance_title = forms.CharField(
        label=gettext_lazy("Văn bản hướng dẫn (loại, trích yếu)"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("Ví dụ: Hướng dẫn thực hiện các tiêu chí khu dân cư thông minh"),
    )
    guidance_number = forms.CharField(
        label=gettext_lazy("Số văn bản hướng dẫn"), max_length=100, required=False
    )
    guidance_date = forms.DateField(
        label=gettext_lazy("Ngày văn bản hướng dẫn"), input_formats=DATE_FORMATS, required=False
    )
    guidance_issuer = forms.CharField(
        label=gettext_lazy("Cơ quan hướng dẫn"), max_length=200, required=False
    )
    valid_from = forms.DateField(label=gettext_lazy("Hiệu lực từ ngày"), input_formats=DATE_FORMATS)
    valid_to = forms.DateField(
        label=gettext_lazy("Hiệu lực đến ngày (để trống: chưa có hạn)"),
        input_formats=DATE_FORMATS,
        required=False,
    )
    level = forms.ChoiceField(
        label=gettext_lazy("Cấp áp dụng"),
        choices=[("village", gettext_lazy("Thôn, khu dân cư")), ("commune", gettext_lazy("Xã"))],
    )
    areas = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Địa bàn áp dụng (cả đơn vị trước và sau 01/07/2025)"),
        queryset=AdminUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, areas: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = areas if areas is not None else AdminUnit.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("guidance_title")) != bool(data.get("guidance_issuer")):
            self.add_error(
                "guidance_issuer", _("Văn bản hướng dẫn cần cả trích yếu và cơ quan ban hành.")
            )
        if (
            data.get("valid_to")
            and data.get("valid_from")
            and data["valid_to"] < data["valid_from"]
        ):
            self.add_error("valid_to", _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
        return data


# ---- helpers ----------------------------------------------------------------------------------


def _require_author(request: HttpRequest) -> None:
    if not drafts.can_author(request.user):
        raise PermissionDenied(_("Chỉ cán bộ thẩm định cấp tỉnh hoặc quản trị hệ thống."))


def _draft(request: HttpRequest, pk: int) -> UploadedCriteriaSet:
    _require_author(request)
    try:
        return drafts.get_draft(request.user, pk)
    except DomainError:
        raise Http404(_("Không có bản nháp này.")) from None


def _base(draft: UploadedCriteriaSet) -> loader.CriteriaSet | None:
    if not draft.based_on:
        return None
    slug, _sep, version = draft.based_on.partition("@")
    try:
        return loader.get_set(slug, int(version))
    except (DomainError, ValueError):
        return None


def _initial_from(c: loader.Criterion) -> dict[str, Any]:
    reqs = c.requires or c.any_of
    evidence = []
    for req in reqs:
        types = req["type"] if isinstance(req["type"], list) else [req["type"]]
        evidence.extend(f"{req['category']}/{t}" for t in types if t != "other")
    if c.kind == "count" and c.count:
        evidence = []
        for req in c.count if isinstance(c.count, list) else [c.count]:
            types = req["type"] if isinstance(req["type"], list) else [req["type"]]
            evidence.extend(f"{req['category']}/{t}" for t in types if t != "other")
    initial: dict[str, Any] = {
        "group": c.group_code,
        "code": c.code,
        "title": c.title,
        "requirement": c.requirement,
        "kind": c.kind,
        "population": c.population or "",
        "population_filter": c.population_filter or "",
        "numerator": c.numerator or "",
        "threshold": _percent_value(c.threshold),
        "evidence": evidence,
        "any_one": bool(c.any_of),
        "open_list": any(
            "other" in (r["type"] if isinstance(r["type"], list) else [r["type"]])
            for r in [*c.any_of, *(c.count if isinstance(c.count, list) else [])]
        ),
        "minimum": c.minimum,
        "applies_from": c.applies_from,
    }
    for i, (_node, threshold, when) in enumerate(c.threshold_rules[:RULES], start=1):
        attr, _eq, value = when.partition("==")
        initial[f"rule_attr_{i}"] = attr.strip()
        initial[f"rule_value_{i}"] = value.strip().strip("\"'")
        initial[f"rule_threshold_{i}"] = _percent_value(threshold)
    # A numerator made of catalogue facts joined by "and" is shown as the facts picked.
    parts = [p.strip() for p in (c.numerator or "").split(" and ")]
    known = {key for key, _label in _fact_choices()}
    if c.numerator and all(p in known for p in parts):
        initial["numerator_facts"], initial["numerator"] = parts, ""
    return initial


def _percent_value(share: Decimal | None) -> str | None:
    """0.85 -> "85", 0.875 -> "87.5" (a form value; never "8.5E+1")."""
    if share is None:
        return None
    text = format(share * 100, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---- pages ------------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require_author(request)
    sets = loader.all_sets(latest_only=False)
    by_slug: dict[str, list[loader.CriteriaSet]] = {}
    for s in sets:
        by_slug.setdefault(s.slug, []).append(s)
    families = [
        {
            "latest": versions[-1],
            "versions": versions,
            "pairs": list(zip(versions, versions[1:], strict=False)),
        }
        for versions in by_slug.values()
    ]
    return render(
        request,
        "criteria/authoring/index.html",
        {"families": families, "drafts": drafts.visible_drafts(request.user)},
    )


@login_required
@require_POST
def new(request: HttpRequest) -> HttpResponse:
    _require_author(request)
    base = None
    key = request.POST.get("base", "")
    if key:
        slug, _sep, version = key.partition("@")
        try:
            base = loader.get_set(slug, int(version))
        except (DomainError, ValueError):
            raise Http404(_("Không có bộ tiêu chí này.")) from None
    try:
        draft = drafts.do_create_draft(request.user, base)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from None
    messages.success(request, _("Đã tạo bản nháp phiên bản %(v)d.") % {"v": draft.version})
    return redirect("criteria:authoring_edit", pk=draft.pk)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    if request.method == "POST":
        check = drafts.do_save_draft(request.user, draft, request.POST.get("content", ""))
        if check.ok:
            messages.success(request, _("Đã lưu bản nháp."))
        else:
            messages.error(request, _("Đã lưu bản nháp, còn lỗi: %(e)s") % {"e": check.error})
        return redirect("criteria:authoring_edit", pk=draft.pk)
    check = drafts.check_text(draft.content, draft.filename)
    return render(
        request,
        "criteria/authoring/edit.html",
        {"draft": draft, "check": check, "cset": check.cset, "base": _base(draft)},
    )


@login_required
@require_POST
def validate(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the YAML as typed, checked without saving."""
    draft = _draft(request, pk)
    check = drafts.check_text(request.POST.get("content", ""), draft.filename)
    return render(request, "criteria/authoring/_check.html", {"check": check})


@login_required
def criterion(request: HttpRequest, pk: int, code: str | None = None) -> HttpResponse:
    draft = _draft(request, pk)
    check = drafts.check_text(draft.content, draft.filename)
    if check.cset is None:
        messages.error(request, _("Hãy sửa lỗi YAML trước: %(e)s") % {"e": check.error})
        return redirect("criteria:authoring_edit", pk=draft.pk)
    existing = None
    if code is not None:
        try:
            existing = check.cset.criterion(code)
        except DomainError:
            raise Http404(_("Không có tiêu chí này.")) from None
    if request.method == "POST":
        form = CriterionForm(request.POST)
        if form.is_valid():
            values = dict(form.cleaned_data)
            codes = {c.code for c in check.cset.criteria}
            if values["code"] in codes and values["code"] != code:
                form.add_error(
                    "code", _("Mã tiêu chí “%(c)s” đã có trong bộ.") % {"c": values["code"]}
                )
            else:
                if values.get("applies_from"):
                    values["applies_from"] = values["applies_from"]
                text = drafts.apply_criterion(draft.content, values, code)
                result = drafts.check_text(text, draft.filename)
                if result.ok:
                    drafts.do_save_draft(request.user, draft, text)
                    messages.success(request, _("Đã lưu tiêu chí %(c)s.") % {"c": values["code"]})
                    return redirect("criteria:authoring_edit", pk=draft.pk)
                form.add_error(None, result.error)
    else:
        initial = (
            _initial_from(existing)
            if existing
            else {
                "group": check.cset.groups[-1].code,
                "kind": "ratio",
                "population": "households",
            }
        )
        form = CriterionForm(initial=initial)
    return render(
        request,
        "criteria/authoring/criterion.html",
        {"draft": draft, "form": form, "existing": existing, "groups": check.cset.groups},
    )


@login_required
@require_POST
def remove(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    draft = _draft(request, pk)
    drafts.do_save_draft(request.user, draft, drafts.remove_criterion(draft.content, code))
    messages.success(request, _("Đã bỏ tiêu chí %(c)s.") % {"c": code})
    return redirect("criteria:authoring_edit", pk=draft.pk)


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    drafts.do_delete_draft(request.user, draft)
    messages.success(request, _("Đã xóa bản nháp."))
    return redirect("criteria:authoring_index")


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    check = drafts.check_text(draft.content, draft.filename)
    if check.cset is None:
        messages.error(request, _("Hãy sửa lỗi trước khi xem thử: %(e)s") % {"e": check.error})
        return redirect("criteria:authoring_edit", pk=draft.pk)
    unit = drafts.preview_unit(draft, check.cset)
    if unit is None:
        unit_id = request.GET.get("unit")
        unit = (
            AdminUnit.objects.filter(pk=unit_id, level=Level.PROVINCE).first() if unit_id else None
        )
    at = parse_at(request.GET["at"]) if request.GET.get("at") else None
    result = drafts.preview(check.cset, _base(draft), unit, at) if unit is not None else None
    return render(
        request,
        "criteria/authoring/preview.html",
        {
            "draft": draft,
            "cset": check.cset,
            "base": _base(draft),
            "preview": result,
            "provinces": AdminUnit.objects.filter(level=Level.PROVINCE, is_active=True)
            if unit is None
            else [],
        },
    )


def _area_choices(draft: UploadedCriteriaSet) -> Any:
    """The author's province and the units it became or came from; all provinces for admins."""
    qs = AdminUnit.objects.filter(level=Level.PROVINCE, is_active=True)
    if draft.author_unit_id is None:
        return qs.order_by("scheme", "name")
    unit = draft.author_unit
    return qs.filter(
        pk__in=[
            unit.pk,
            *unit.current_successors().values_list("pk", flat=True),
            *AdminUnit.objects.filter(successor_links__new=unit).values_list("pk", flat=True),
        ]
    ).order_by("scheme", "name")


@login_required
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    check = drafts.check_text(draft.content, draft.filename)
    if check.cset is None:
        messages.error(request, _("Hãy sửa lỗi trước khi công bố: %(e)s") % {"e": check.error})
        return redirect("criteria:authoring_edit", pk=draft.pk)
    cset = check.cset
    areas = _area_choices(draft)
    if request.method == "POST":
        form = PublishForm(request.POST, areas=areas)
        if form.is_valid():
            d = form.cleaned_data
            pub = drafts.Publication(
                legal_number=d["legal_number"],
                legal_date=d["legal_date"],
                legal_issuer=d["legal_issuer"],
                legal_title=d["legal_title"],
                guidance_title=d["guidance_title"],
                guidance_issuer=d["guidance_issuer"],
                guidance_number=d["guidance_number"],
                guidance_date=d["guidance_date"],
                valid_from=d["valid_from"],
                valid_to=d["valid_to"],
                level=d["level"],
                areas=list(d["areas"]),
            )
            try:
                row = drafts.do_publish(request.user, draft, pub)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Đã công bố %(title)s, phiên bản %(v)d.")
                    % {"title": cset.title, "v": row.version},
                )
                return redirect("criteria:authoring_index")
    else:
        guidance = cset.guidance
        form = PublishForm(
            areas=areas,
            initial={
                "legal_number": cset.legal_basis.number,
                "legal_date": cset.legal_basis.date.strftime("%d/%m/%Y"),
                "legal_issuer": cset.legal_basis.issuer,
                "legal_title": cset.legal_basis.title,
                "guidance_title": guidance.title if guidance else "",
                "guidance_issuer": guidance.issuer if guidance else "",
                "guidance_number": guidance.number if guidance else "",
                "guidance_date": guidance.date.strftime("%d/%m/%Y")
                if guidance and guidance.date
                else "",
                "valid_from": cset.valid_from.strftime("%d/%m/%Y"),
                "valid_to": cset.valid_to.strftime("%d/%m/%Y") if cset.valid_to else "",
                "level": cset.level,
                "areas": [u.pk for u in areas if u.code in sum(cset.area.values(), [])]
                or ([draft.author_unit_id] if draft.author_unit_id else []),
            },
        )
    return render(
        request, "criteria/authoring/publish.html", {"draft": draft, "cset": cset, "form": form}
    )


@login_required
def draft_diff(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    base = _base(draft)
    check = drafts.check_text(draft.content, draft.filename)
    if base is None or check.cset is None:
        messages.error(request, _("Bản nháp chưa có bản gốc để so sánh hoặc còn lỗi."))
        return redirect("criteria:authoring_edit", pk=draft.pk)
    return _diff_page(request, base, check.cset, drafts.set_text(base), draft.content, draft)


@login_required
def version_diff(request: HttpRequest, slug: str, old: int, new: int) -> HttpResponse:
    _require_author(request)
    try:
        a, b = loader.get_set(slug, old), loader.get_set(slug, new)
    except DomainError:
        raise Http404(_("Không có phiên bản này.")) from None
    return _diff_page(request, a, b, drafts.set_text(a), drafts.set_text(b), None)


def _diff_page(
    request: HttpRequest,
    old: loader.CriteriaSet,
    new: loader.CriteriaSet,
    old_text: str,
    new_text: str,
    draft: UploadedCriteriaSet | None,
) -> HttpResponse:
    return render(
        request,
        "criteria/authoring/diff.html",
        {
            "old": old,
            "new": new,
            "draft": draft,
            "changes": drafts.diff_sets(old, new),
            "lines": drafts.text_diff(old_text, new_text),
        },
    )
