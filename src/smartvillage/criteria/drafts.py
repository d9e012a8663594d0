"""Criteria-set authoring in the app: drafts copied from a set (or blank), edited as YAML or
through the criterion form, previewed on the province's real villages and published as a new
version. Drafts and published sets are rows of UploadedCriteriaSet, the mechanism the admin
upload already uses, so a published set reaches every web worker within the loader's refresh.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from smartvillage.accounts.models import Role
from smartvillage.accounts.permissions import is_system_admin
from smartvillage.audit import services as audit
from smartvillage.core.errors import DomainError
from smartvillage.criteria import loader
from smartvillage.criteria.loader import CriteriaFormatError, CriteriaSet
from smartvillage.criteria.models import SetStatus, UploadedCriteriaSet
from smartvillage.units.models import AdminUnit, Level, area_paths

BLANK_SET = """\
slug: {slug}
version: 1
title: Bộ tiêu chí mới
province: {province}
level: village
legal_basis:
  number: "…/QĐ-UBND"
  date: {today}
  issuer: UBND tỉnh {province}
valid_from: {today}
groups:
  - code: "1"
    title: Nhóm tiêu chí
    criteria:
      - code: "1.1"
        title: Tỷ lệ hộ gia đình có Internet băng rộng cáp quang
        kind: ratio
        population: households
        numerator: fibre_internet
        threshold: 0.8
"""


# ---- who may author ---------------------------------------------------------------------------


def author_units(user: Any) -> list[AdminUnit]:
    """The provinces where `user` is an appraiser: a draft belongs to one of them."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        a.unit
        for a in user.roles.select_related("unit")
        if a.role == Role.APPRAISER and a.unit is not None and a.unit.level == Level.PROVINCE
    ]


def can_author(user: Any) -> bool:
    return is_system_admin(user) or bool(author_units(user))


def visible_drafts(user: Any) -> QuerySet[UploadedCriteriaSet]:
    """Drafts of the user's own unit(s) only; a system admin's drafts (no unit) only to admins."""
    rows = UploadedCriteriaSet.objects.filter(status=SetStatus.DRAFT)
    condition = Q(author_unit__in=author_units(user))
    if is_system_admin(user):
        condition |= Q(author_unit__isnull=True)
    if not can_author(user):
        return rows.none()
    return rows.filter(condition).order_by("-updated_at")


def get_draft(user: Any, pk: int) -> UploadedCriteriaSet:
    try:
        return visible_drafts(user).get(pk=pk)
    except UploadedCriteriaSet.DoesNotExist:
        raise DomainError(
            "Không có bản nháp này (hoặc bản nháp của đơn vị khác).", "not_found"
        ) from None


def preview_unit(draft: UploadedCriteriaSet, cset: CriteriaSet | None) -> AdminUnit | None:
    """The province whose villages the preview uses: the author's, else the set's by name."""
    if draft.author_unit_id:
        return draft.author_unit
    if cset is not None and cset.province:
        from smartvillage.registry.facts import fold

        key = fold(cset.province.removeprefix("Tỉnh ").removeprefix("Thành phố "))
        for unit in AdminUnit.objects.filter(level=Level.PROVINCE, is_active=True):
            if fold(unit.name.removeprefix("Tỉnh ").removeprefix("Thành phố ")) == key:
                return unit
    return None


# ---- the text of a set ------------------------------------------------------------------------


def set_text(cset: CriteriaSet) -> str:
    """The YAML a published set was loaded from (bundled file or stored row)."""
    row = (
        UploadedCriteriaSet.objects.filter(
            status=SetStatus.PUBLISHED, slug=cset.slug, version=cset.version
        )
        .order_by("-updated_at")
        .first()
    )
    if row is not None:
        return row.content
    for path in loader._files():
        if path.name == Path(cset.path).name:
            return path.read_text(encoding="utf-8")
    raise DomainError(f"Không tìm thấy nội dung của bộ “{cset.slug}”", "not_found")


def next_version(slug: str, exclude_pk: int | None = None) -> int:
    """One above every published version and every other draft of `slug`."""
    known = [v for (s, v) in loader.registered_sets() if s == slug]
    stored = (
        UploadedCriteriaSet.objects.filter(slug=slug)
        .exclude(pk=exclude_pk)
        .values_list("version", flat=True)
    )
    return max([0, *known, *stored]) + 1


def _with_version(text: str, version: int) -> str:
    """Change only the `version:` line, so the copied file keeps its comments."""
    new, count = re.subn(r"(?m)^version:\s*\d+\s*$", f"version: {version}", text, count=1)
    if count:
        return new
    data = yaml.safe_load(text) or {}
    data["version"] = version
    return dump(data)


def dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


@dataclass
class Check:
    """The result of validating a draft's text: the set, or the error with its line."""

    cset: CriteriaSet | None = None
    error: str = ""
    line: int | None = None
    reason: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.cset is not None


def check_text(text: str, filename: str = "ban-nhap.yaml") -> Check:
    try:
        cset = loader.load_text(text, filename)
        known = {k: v for k, v in loader.registered_sets().items() if k[0] != cset.slug}
        loader.check_references(cset, known)
    except CriteriaFormatError as exc:
        return Check(error=exc.message, line=exc.line, reason=exc.reason)
    except DomainError as exc:
        return Check(error=exc.message, reason=exc.message)
    result = Check(cset=cset)
    published = {(s, v) for (s, v) in loader.registered_sets()}
    if (cset.slug, cset.version) in published:
        result.warnings.append(
            f"Bộ “{cset.slug}” đã có phiên bản {cset.version} được công bố; khi công bố bản nháp "
            f"sẽ nhận số phiên bản {next_version(cset.slug)}."
        )
    return result


# ---- actions ----------------------------------------------------------------------------------


@transaction.atomic
def do_create_draft(
    actor: Any, base: CriteriaSet | None, author_unit: AdminUnit | None = None
) -> UploadedCriteriaSet:
    """A new draft: a copy of `base` with the next version number, or a blank set."""
    if not can_author(actor):
        raise DomainError(
            "Chỉ cán bộ thẩm định cấp tỉnh hoặc quản trị hệ thống được soạn bộ tiêu chí.",
            "forbidden",
        )
    units = author_units(actor)
    if author_unit is None and units and not is_system_admin(actor):
        author_unit = units[0]
    if author_unit is not None and author_unit not in units and not is_system_admin(actor):
        raise DomainError("Không soạn bộ tiêu chí cho đơn vị khác.", "forbidden")
    if base is not None:
        text = _with_version(set_text(base), next_version(base.slug))
        slug, based_on = base.slug, base.key
    else:
        province = author_unit.name if author_unit else "…"
        stamp = timezone.localdate()
        slug = f"bo-tieu-chi-moi-{stamp:%Y%m%d}-{timezone.now():%H%M%S}"
        text = BLANK_SET.format(slug=slug, province=province, today=stamp.isoformat())
        based_on = ""
    draft = UploadedCriteriaSet.objects.create(
        filename=f"{slug}.yaml",
        content=text,
        slug=slug,
        version=next_version(slug),
        is_active=True,
        status=SetStatus.DRAFT,
        author_unit=author_unit,
        based_on=based_on,
        uploaded_by=actor,
    )
    audit.record(
        actor=actor,
        action="create",
        instance=draft,
        unit=author_unit,
        after={"slug": slug, "based_on": based_on},
        note="Tạo bản nháp bộ tiêu chí",
    )
    return draft


@transaction.atomic
def do_save_draft(actor: Any, draft: UploadedCriteriaSet, content: str) -> Check:
    """Keep the text even when it does not validate yet (the author is still working)."""
    locked = UploadedCriteriaSet.objects.select_for_update().get(pk=draft.pk)
    if locked.status != SetStatus.DRAFT:
        raise DomainError(
            "Bộ tiêu chí đã công bố không sửa được; hãy tạo phiên bản mới.", "published"
        )
    result = check_text(content, locked.filename)
    locked.content = content
    if result.cset is not None:
        locked.slug, locked.version = result.cset.slug, result.cset.version
    locked.save()
    draft.refresh_from_db()
    return result


@transaction.atomic
def do_delete_draft(actor: Any, draft: UploadedCriteriaSet) -> None:
    locked = UploadedCriteriaSet.objects.select_for_update().get(pk=draft.pk)
    if locked.status != SetStatus.DRAFT:
        raise DomainError("Bộ tiêu chí đã công bố không xóa được ở đây.", "published")
    audit.record(
        actor=actor,
        action="delete",
        instance=locked,
        unit=locked.author_unit,
        before={"slug": locked.slug, "version": locked.version, "based_on": locked.based_on},
        note="Xóa bản nháp bộ tiêu chí",
    )
    locked.delete()


def _criteria_nodes(data: dict) -> list[tuple[dict, dict]]:
    return [(g, c) for g in data.get("groups") or [] for c in g.get("criteria") or []]


def apply_criterion(text: str, values: dict[str, Any], original_code: str | None) -> str:
    """Put one criterion from the form into the set's YAML: replace `original_code` or add it to
    the group `values['group']` (created when new). The text must already parse."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise DomainError("Nội dung YAML chưa đọc được; hãy sửa lỗi trước.", "bad_criteria_file")
    node: dict[str, Any] = {"code": values["code"], "title": values["title"]}
    if values.get("requirement"):
        node["requirement"] = values["requirement"]
    node["kind"] = values["kind"]
    if values["kind"] == "ratio":
        node["population"] = values["population"]
        if values.get("population_filter"):
            node["population_filter"] = values["population_filter"]
        node["numerator"] = values["numerator"]
    if values["kind"] in {"ratio", "reported", "aggregate"}:
        node["threshold"] = (
            float(Decimal(values["threshold"]) / 100)
            if values.get("threshold") is not None
            else None
        )
        rules = [
            {"when": rule["when"], "threshold": float(Decimal(rule["threshold"]) / 100)}
            for rule in values.get("threshold_rules") or []
        ]
        if rules:
            node["threshold_rules"] = rules
    if values["kind"] == "reported":
        node["statistic"] = values.get("statistic") or ""
    if values["kind"] == "aggregate":
        node["over"] = "villages"
        node["of"] = values.get("of") or {}
    if values["kind"] == "count":
        picked = [item.split("/", 1) for item in values.get("evidence") or ["facility/wifi_public"]]
        category = picked[0][0]
        types = [t for cat, t in picked if cat == category]
        count: Any = {"category": category, "type": types[0] if len(types) == 1 else types}
        if values.get("open_list"):
            count = [count, {"category": category, "type": "other", "fields": ["description"]}]
        node["count"] = count
        node["minimum"] = int(values.get("minimum") or 1)
    if values["kind"] in {"evidence", "prerequisite"}:
        reqs = []
        for item in values.get("evidence") or []:
            category, type_ = item.split("/", 1)
            reqs.append({"category": category, "type": type_})
        if values.get("open_list") and reqs:
            # "…": any one of the named kinds, or another one described in words.
            category = reqs[0]["category"]
            types = [r["type"] for r in reqs if r["category"] == category]
            reqs = [
                {"category": category, "type": types},
                {"category": category, "type": "other", "fields": ["description"]},
            ]
            node["any_of"] = reqs
        elif values.get("any_one"):
            node["any_of"] = reqs
        else:
            node["requires"] = reqs
    if values.get("applies_from"):
        node["applies_from"] = values["applies_from"]
    # Keep what the form does not show (list titles, notes, `also` parts) of an edited criterion.
    for group, criterion in _criteria_nodes(data):
        if original_code is not None and str(criterion.get("code")) == original_code:
            for key in (
                "list_code",
                "list_title",
                "note",
                "also",
                "where",
                "figures",
                "when_empty",
            ):
                if key in criterion and key not in node:
                    node[key] = criterion[key]
            index = group["criteria"].index(criterion)
            if str(group.get("code", "")) == values.get("group", group.get("code", "")):
                group["criteria"][index] = node
                return dump(data)
            group["criteria"].pop(index)
            break
    groups = data.setdefault("groups", [])
    for group in groups:
        if str(group.get("code", "")) == values.get("group", ""):
            group.setdefault("criteria", []).append(node)
            break
    else:
        groups.append(
            {
                "code": values.get("group", ""),
                "title": values.get("group_title", ""),
                "criteria": [node],
            }
        )
    return dump(data)


def remove_criterion(text: str, code: str) -> str:
    data = yaml.safe_load(text)
    for group, criterion in _criteria_nodes(data):
        if str(criterion.get("code")) == code:
            group["criteria"].remove(criterion)
    data["groups"] = [g for g in data["groups"] if g.get("criteria")]
    return dump(data)


@dataclass
class Publication:
    legal_number: str
    legal_date: dt.date
    legal_issuer: str
    legal_title: str
    valid_from: dt.date
    valid_to: dt.date | None
    level: str
    areas: list[AdminUnit]
    guidance_title: str = ""
    guidance_issuer: str = ""
    guidance_number: str = ""
    guidance_date: dt.date | None = None


def publication_text(text: str, pub: Publication, version: int) -> str:
    data = yaml.safe_load(text)
    data["version"] = version
    data["level"] = pub.level
    data["legal_basis"] = {
        "number": pub.legal_number,
        "date": pub.legal_date,
        "issuer": pub.legal_issuer,
        **({"title": pub.legal_title} if pub.legal_title else {}),
    }
    if pub.guidance_title and pub.guidance_issuer:
        data["guidance"] = {
            "title": pub.guidance_title,
            "issuer": pub.guidance_issuer,
            **({"number": pub.guidance_number} if pub.guidance_number else {}),
            **({"date": pub.guidance_date} if pub.guidance_date else {}),
        }
    else:
        data.pop("guidance", None)
    data["valid_from"] = pub.valid_from
    if pub.valid_to:
        data["valid_to"] = pub.valid_to
    else:
        data.pop("valid_to", None)
    if pub.areas:
        provinces = [u for u in pub.areas if u.level == Level.PROVINCE]
        if provinces:
            data["province"] = provinces[0].name
        area: dict[str, list[str]] = {}
        for unit in pub.areas:
            key = "2025" if unit.scheme == "2025" else "pre2025"
            area.setdefault(key, []).append(unit.code)
        data["area"] = area
    # Keep the header keys first, in the order of the bundled files.
    order = [
        "slug",
        "version",
        "title",
        "province",
        "level",
        "legal_basis",
        "guidance",
        "valid_from",
        "valid_to",
        "area",
        "recipients",
        "source",
        "description",
        "policy",
    ]
    ordered = {k: data[k] for k in order if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    return dump(ordered)


@transaction.atomic
def do_publish(actor: Any, draft: UploadedCriteriaSet, pub: Publication) -> UploadedCriteriaSet:
    """Publish a draft as the next version of its slug: validated, numbered, audited; from then
    on it is read-only and new assessments use it (earlier ones keep their own version)."""
    locked = UploadedCriteriaSet.objects.select_for_update().get(pk=draft.pk)
    if locked.status != SetStatus.DRAFT:
        raise DomainError("Bản nháp này đã được công bố.", "published")
    if pub.valid_to and pub.valid_to < pub.valid_from:
        raise DomainError("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.", "bad_dates")
    first = check_text(locked.content, locked.filename)
    if first.cset is None:
        raise DomainError(f"Bản nháp còn lỗi: {first.error}", "bad_criteria_file")
    # Published versions of the slug only: another draft's number does not block this one.
    published = [v for (s, v) in loader.registered_sets() if s == first.cset.slug]
    version = max([first.cset.version, *(v + 1 for v in published)])
    content = publication_text(locked.content, pub, version)
    final = check_text(content, f"{first.cset.slug}-v{version}.yaml")
    if final.cset is None:
        raise DomainError(f"Bản nháp còn lỗi: {final.error}", "bad_criteria_file")
    locked.content = content
    locked.filename = f"{final.cset.slug}-v{version}.yaml"
    locked.slug, locked.version = final.cset.slug, version
    locked.status = SetStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = actor
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        # Another draft of the same set was published with this number a moment ago.
        raise DomainError(
            f"Phiên bản {version} của bộ “{locked.slug}” vừa được công bố; hãy công bố lại để nhận "
            "số phiên bản tiếp theo.",
            "version_taken",
        ) from None
    audit.record(
        actor=actor,
        action="workflow",
        instance=locked,
        unit=locked.author_unit,
        after={"slug": locked.slug, "version": version, "legal_basis": str(final.cset.legal_basis)},
        note="Công bố bộ tiêu chí",
    )
    transaction.on_commit(loader.reload)
    return locked


# ---- preview ----------------------------------------------------------------------------------


@dataclass
class PreviewRow:
    code: str
    title: str
    threshold: float | None
    base_threshold: float | None
    passing: int  # units meeting the criterion under the draft
    base_passing: int | None
    worklist: int  # households/persons still missing (sum of gaps)
    base_worklist: int | None
    is_new: bool = False


@dataclass
class Preview:
    unit: AdminUnit
    at: dt.date
    units: list[Any]  # UnitResult of the draft, one per village (or commune)
    base_units: dict[int, Any]
    rows: list[PreviewRow]
    passing_units: int
    base_passing_units: int | None


def reference_date(cset: CriteriaSet, today: dt.date | None = None) -> dt.date:
    """Today when the set is valid today, else the nearest day of its validity."""
    today = today or timezone.localdate()
    if today < cset.valid_from:
        return cset.valid_from
    if cset.valid_to and today > cset.valid_to:
        return cset.valid_to
    return today


def preview(
    cset: CriteriaSet, base: CriteriaSet | None, unit: AdminUnit, at: dt.date | None = None
) -> Preview:
    """The draft evaluated on the real villages (or communes) of `unit`, beside the base set."""
    from smartvillage.criteria.engine import evaluate_many

    at = at or reference_date(cset)
    paths = area_paths([unit])[unit.pk]
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    level = Level.VILLAGE if cset.level == "village" else Level.COMMUNE
    targets = list(
        AdminUnit.objects.filter(condition, level=level, is_active=True).order_by("path")
    )
    results = evaluate_many(targets, cset, at) if targets else []
    base_results = (
        evaluate_many(targets, base, at)
        if targets and base is not None and base.level == cset.level
        else []
    )
    by_unit = {r.unit.pk: r for r in base_results}
    rows = []
    base_codes = {c.code: c for c in base.criteria} if base is not None else {}
    for c in cset.criteria:
        own = [r.criterion(c.code) for r in results]
        old = [r.criterion(c.code) for r in base_results if c.code in base_codes]
        rows.append(
            PreviewRow(
                code=c.code,
                title=c.title,
                threshold=float(c.threshold) if c.threshold is not None else None,
                base_threshold=(
                    float(base_codes[c.code].threshold)
                    if c.code in base_codes and base_codes[c.code].threshold is not None
                    else None
                ),
                passing=sum(1 for x in own if x.passed),
                base_passing=sum(1 for x in old if x.passed) if old else None,
                worklist=sum(x.gap or 0 for x in own if x.kind == "ratio"),
                base_worklist=sum(x.gap or 0 for x in old if x.kind == "ratio") if old else None,
                is_new=base is not None and c.code not in base_codes,
            )
        )
    return Preview(
        unit=unit,
        at=at,
        units=results,
        base_units=by_unit,
        rows=rows,
        passing_units=sum(1 for r in results if r.passed),
        base_passing_units=sum(1 for r in base_results if r.passed) if base_results else None,
    )


# ---- differences between versions -------------------------------------------------------------


@dataclass
class Change:
    code: str
    what: str  # "added" | "removed" | "changed"
    title: str
    details: list[tuple[str, str, str]] = field(default_factory=list)  # (field, before, after)


DIFF_FIELDS = {
    "title": "Tên tiêu chí",
    "kind": "Loại",
    "population": "Đối tượng",
    "population_filter": "Điều kiện đối tượng",
    "numerator": "Chỉ tiêu tử số",
    "threshold": "Ngưỡng",
    "threshold_rules": "Ngưỡng theo thuộc tính đơn vị",
    "requires": "Minh chứng bắt buộc",
    "any_of": "Minh chứng (một trong)",
    "count": "Đếm",
    "minimum": "Tối thiểu",
    "applies_from": "Áp dụng từ",
    "requirement": "Yêu cầu",
}


def _show(name: str, value: Any) -> str:
    from smartvillage.core.formats import format_percent

    if value in (None, "", [], {}):
        return "—"
    if name == "threshold":
        return "≥ " + format_percent(Decimal(value) * 100, 0)
    if name == "threshold_rules":
        return "; ".join(f"{when}: ≥ {format_percent(t * 100, 0)}" for _n, t, when in value)
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if name in ("kind", "population"):
        from smartvillage.criteria.management.commands.criteria import KIND_VI, POPULATION_VI

        return {**KIND_VI, **POPULATION_VI}.get(value, value)
    if name in ("requires", "any_of", "count"):
        from smartvillage.evidence import catalogue as evidence_catalogue

        reqs = value if isinstance(value, list) else [value]
        labels = []
        for req in reqs:
            types = req["type"] if isinstance(req["type"], list) else [req["type"]]
            labels.append(
                " / ".join(evidence_catalogue.type_label(req["category"], t) for t in types)
            )
        return "; ".join(labels)
    return str(value)


def diff_sets(old: CriteriaSet, new: CriteriaSet) -> list[Change]:
    """Criterion by criterion: added, removed, and changed fields (a reader's diff, not a text
    diff; the text diff is shown beside it)."""
    before = {c.code: c for c in old.criteria}
    after = {c.code: c for c in new.criteria}
    changes: list[Change] = []
    for code, c in after.items():
        if code not in before:
            changes.append(Change(code, "added", c.title))
            continue
        details = []
        for name, label in DIFF_FIELDS.items():
            a, b = getattr(before[code], name), getattr(c, name)
            if name == "threshold_rules":
                a = [(None, t, w) for _n, t, w in a]
                b = [(None, t, w) for _n, t, w in b]
            if a != b:
                details.append((label, _show(name, a), _show(name, b)))
        if details:
            changes.append(Change(code, "changed", c.title, details))
    for code, c in before.items():
        if code not in after:
            changes.append(Change(code, "removed", c.title))
    return changes


def text_diff(old_text: str, new_text: str) -> list[tuple[str, str]]:
    """(kind, line) pairs of a unified diff: kind is 'add', 'del', 'hunk' or 'same'."""
    import difflib

    out = []
    for line in difflib.unified_diff(
        old_text.splitlines(), new_text.splitlines(), lineterm="", n=2
    ):
        if line.startswith(("---", "+++")):
            continue
        kind = (
            "add"
            if line.startswith("+")
            else "del"
            if line.startswith("-")
            else "hunk"
            if line.startswith("@@")
            else "same"
        )
        out.append((kind, line))
    return out
