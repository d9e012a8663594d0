"""The public page of a village: publishing (the commune's choice), announcements, and the
page's content, built from aggregates and public facts only.

What the page shows and where it comes from:
- criteria results: rates, counts and pass/fail from the engine (no member lists, no records);
- public evidence: only the types in PUBLIC_EVIDENCE, and of those only title, place, quantity,
  link and OCOP stars (never files, numbers of decisions, descriptions or attributes);
- plan progress: the tasks' wording, deadline and status (not the person responsible);
- announcements the village head posted, and open surveys.
Free text typed by officials (titles, places, announcements) is passed through `redact_names`,
which blanks any run of words that is the full name of a person of the village: one query per
page build, not a loop over persons.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from smartvillage.accounts.permissions import Action, can
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.core.errors import DomainError
from smartvillage.criteria import engine
from smartvillage.criteria.services import sets_for_unit
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.public.models import Announcement, PublicPage
from smartvillage.registry.models import Person
from smartvillage.units.models import AdminUnit, Level

CACHE_SECONDS = 60
REDACTED = "…"
# (category, type) shown publicly, and how.
PUBLIC_EVIDENCE: dict[tuple[str, str], str] = {
    ("facility", "wifi_public"): "wifi",
    ("facility", "security_camera"): "camera",
    ("facility", "smart_loudspeaker"): "loudspeaker",
    ("facility", "solar_light"): "light",
    ("facility", "cultural_house"): "place",
    ("facility", "sports_ground"): "place",
    ("channel", "zalo_group"): "channel",
    ("channel", "facebook_group"): "channel",
    ("channel", "website"): "channel",
    ("channel", "promotion_page"): "channel",
    ("product", "ocop"): "ocop",
    ("product", "ecommerce_listing"): "product",
}


def _fold_ascii(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def slug_for(village: AdminUnit) -> str:
    base = slugify(_fold_ascii(village.full_name))
    return f"{base[:60] or 'thon'}-{village.pk}"


def cache_key(slug: str, language: str) -> str:
    return f"public-page:{slug}:{language}"


def forget(page: PublicPage) -> None:
    for language in ("vi", "en"):
        cache.delete(cache_key(page.slug, language))


def page_for(village: AdminUnit) -> PublicPage | None:
    return PublicPage.objects.filter(village=village).first()


def can_publish(user: Any, village: AdminUnit) -> bool:
    """The commune publishes a village's page (opt-in)."""
    return can(user, Action.MANAGE_UNITS, village)


def can_announce(user: Any, village: AdminUnit) -> bool:
    return can(user, Action.MANAGE_EVIDENCE, village)


@transaction.atomic
def do_publish(
    user: Any,
    village: AdminUnit,
    *,
    published: bool,
    intro: str | None = None,
    criteria_set_slug: str | None = None,
) -> PublicPage:
    if village.level != Level.VILLAGE:
        raise DomainError("Chỉ thôn (ấp, khu dân cư) có trang công khai.", "not_village")
    if not can_publish(user, village):
        raise PermissionDenied
    page, _ = PublicPage.objects.select_for_update().get_or_create(
        village=village, defaults={"slug": slug_for(village)}
    )
    before = audit.snapshot(page)
    page.published = published
    if intro is not None:
        page.intro = intro.strip()[:2000]
    if criteria_set_slug is not None:
        page.criteria_set_slug = criteria_set_slug
    if published and page.published_at is None:
        page.published_at = timezone.now()
        page.published_by = user
    page.save()
    audit.record(
        actor=user,
        action=AuditAction.UPDATE,
        instance=page,
        unit=village,
        before=before,
        after=audit.snapshot(page),
        note="công khai" if published else "ngừng công khai",
    )
    transaction.on_commit(lambda: forget(page))
    return page


@transaction.atomic
def do_post_announcement(user: Any, village: AdminUnit, *, title: str, body: str) -> Announcement:
    if not can_announce(user, village):
        raise PermissionDenied
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise DomainError("Cần tiêu đề và nội dung thông báo.", "empty")
    item = Announcement.objects.create(
        village=village, title=title[:200], body=body[:4000], posted_by=user
    )
    audit.record(
        actor=user,
        action=AuditAction.CREATE,
        instance=item,
        unit=village,
        after=audit.snapshot(item),
    )
    page = page_for(village)
    if page is not None:
        transaction.on_commit(lambda: forget(page))
    return item


@transaction.atomic
def do_hide_announcement(user: Any, item: Announcement) -> None:
    if not can_announce(user, item.village):
        raise PermissionDenied
    Announcement.objects.filter(pk=item.pk).update(hidden=True)
    audit.record(actor=user, action=AuditAction.UPDATE, instance=item, unit=item.village, note="gỡ")
    page = page_for(item.village)
    if page is not None:
        transaction.on_commit(lambda: forget(page))


# ---- the page's content ---------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def redact_names(village: AdminUnit, texts: list[str]) -> dict[str, str]:
    """Each text with every run of 2–5 words that is the full name of a person of the village
    (case-insensitive) replaced by "…". One query for all texts of the page."""
    grams: dict[str, list[tuple[str, int, int]]] = {}
    for text in texts:
        words = list(_WORD.finditer(text))
        for n in range(2, 6):
            for i in range(len(words) - n + 1):
                start, end = words[i].start(), words[i + n - 1].end()
                grams.setdefault(
                    " ".join(w.group() for w in words[i : i + n]).casefold(), []
                ).append((text, start, end))
    if not grams:
        return {t: t for t in texts}
    names = {
        n.casefold()
        for n in Person.objects.filter(village=village).values_list("full_name", flat=True)
        if " ".join(_WORD.findall(n)).casefold() in grams
    } | {
        n.casefold()
        for n in village.households.values_list("head_name", flat=True)
        if " ".join(_WORD.findall(n)).casefold() in grams
    }
    names = {" ".join(_WORD.findall(n)) for n in names}
    out = {}
    for text in texts:
        spans = [
            (start, end)
            for gram, places in grams.items()
            if gram in names
            for t, start, end in places
            if t == text
        ]
        redacted = text
        for start, end in sorted(spans, reverse=True):
            redacted = redacted[:start] + REDACTED + redacted[end:]
        out[text] = redacted
    return out


@dataclass
class PublicCriterion:
    code: str
    title: str
    status: str
    percent: float | None
    threshold_percent: float | None
    numerator: int | None
    denominator: int | None
    unit_label: str


@dataclass
class PublicContent:
    village: AdminUnit
    page: PublicPage
    at: dt.date
    commune_now: AdminUnit | None = None
    set_title: str = ""
    set_basis: str = ""
    criteria: list[PublicCriterion] = field(default_factory=list)
    passed: int = 0
    applicable: int = 0
    evidence: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    cameras: int = 0
    tasks_done: int = 0
    tasks_total: int = 0
    tasks: list[dict[str, Any]] = field(default_factory=list)
    announcements: list[dict[str, Any]] = field(default_factory=list)
    surveys: list[Any] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)


def reference_date(cset: Any, today: dt.date) -> dt.date:
    """Today if the set is in force, else its last valid day (a set that ended is shown as it
    stood then, not against a date it does not cover)."""
    if cset.valid_to is not None and today > cset.valid_to:
        return cset.valid_to
    return today


def content(page: PublicPage, today: dt.date | None = None) -> PublicContent:
    village = page.village
    today = today or timezone.localdate()
    out = PublicContent(village=village, page=page, at=today, commune_now=village.current_commune())
    sets = sets_for_unit(village, own_level=True)
    cset = next((s for s in sets if s.slug == page.criteria_set_slug), sets[0] if sets else None)
    if cset is not None:
        out.at = reference_date(cset, today)
        result = engine.evaluate(village, cset, out.at)
        out.set_title = cset.title
        basis = cset.legal_basis
        out.set_basis = " ".join(
            part for part in (getattr(basis, "number", ""), getattr(basis, "issuer", "")) if part
        )
        for c in result.criteria:
            out.criteria.append(
                PublicCriterion(
                    code=c.code,
                    title=c.title,
                    status=c.status,
                    percent=c.percent,
                    threshold_percent=c.threshold_percent,
                    numerator=c.numerator,
                    denominator=c.denominator,
                    unit_label=c.unit_label,
                )
            )
        out.passed = result.passed_count
        out.applicable = result.applicable_count
    texts: list[str] = []
    for record in EvidenceRecord.objects.filter(unit=village).order_by("category", "type", "id"):
        kind = PUBLIC_EVIDENCE.get((record.category, record.type))
        if kind is None or not record.is_valid_at(today):
            continue
        if kind == "camera":
            out.cameras += record.quantity
            continue
        item = {
            "kind": kind,
            "type_label": record.type_label,
            "title": record.title,
            "location": record.location,
            "quantity": record.quantity,
            "link": record.link if record.link.startswith(("https://", "http://")) else "",
            "stars": (record.attributes or {}).get("stars") if kind == "ocop" else None,
        }
        texts += [record.title, record.location]
        out.evidence.setdefault(kind, []).append(item)
    _plan_progress(out, village, today, texts)
    for a in Announcement.objects.filter(village=village, hidden=False)[:10]:
        out.announcements.append({"title": a.title, "body": a.body, "posted_at": a.posted_at})
        texts += [a.title, a.body]
    from smartvillage.surveys.models import Survey, SurveyStatus

    out.surveys = [
        s
        for s in Survey.objects.filter(village=village, status=SurveyStatus.OPEN)
        if s.is_open_on(today)
    ]
    _history(out, village)
    clean = redact_names(village, [t for t in texts if t])
    for items in out.evidence.values():
        for item in items:
            item["title"] = clean.get(item["title"], item["title"])
            item["location"] = clean.get(item["location"], item["location"])
    for task in out.tasks:
        task["description"] = clean.get(task["description"], task["description"])
    for a in out.announcements:
        a["title"] = clean.get(a["title"], a["title"])
        a["body"] = clean.get(a["body"], a["body"])
    return out


def _plan_progress(out: PublicContent, village: AdminUnit, today: dt.date, texts: list) -> None:
    from smartvillage.plans.models import Plan, PlanTask

    plan = Plan.objects.filter(unit=village).order_by("-year", "-id").first()
    if plan is None:
        return
    tasks = list(PlanTask.objects.filter(item__plan=plan).order_by("item__order", "order", "id"))
    out.tasks_total = len(tasks)
    out.tasks_done = sum(1 for t in tasks if t.status == "done")
    for t in tasks[:20]:
        out.tasks.append(
            {
                "description": t.description[:300],
                "deadline": t.deadline,
                "status": t.get_status_display(),
                "done": t.status == "done",
                "overdue": t.is_overdue(today),
            }
        )
        texts.append(t.description[:300])


def _history(out: PublicContent, village: AdminUnit) -> None:
    from smartvillage.assessments.models import Assessment

    for a in Assessment.objects.filter(unit=village).exclude(state="draft").order_by("-at")[:5]:
        out.history.append({"at": a.at, "state": a.get_state_display()})
