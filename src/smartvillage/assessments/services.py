"""Action functions of the assessment workflow, with an explicit state machine.

    draft ──submit──▶ submitted ──confirm (commune, villages only)──▶ confirmed ──appraise──▶ appraised ──recognise──▶ recognised
      ▲                   │  (a commune's own assessment goes from submitted straight to appraisal)        │
      └──── returned ◀────┴──────────── return (with a comment) ◀──────────────────────────────────────────┘
            └──submit──▶ submitted (a new version; the earlier version and its snapshot are kept)

Every function locks the assessment row (select_for_update), checks the state and the user's
permission on the assessment's unit *before* writing anything, then writes the new state, the
step (history) and an audit entry in one transaction. A refused step raises PermissionDenied
(wrong role / wrong unit) or DomainError (wrong state, missing comment) and changes nothing.

The report (Mẫu số 01 is the commune's report on a village): its number, date, signer and
narrative are edited by the village or the commune while the assessment is a draft or returned,
and by the commune's officers and leaders while a village's submission awaits the commune's
confirmation. Each version keeps its own copy (AssessmentVersion.report_meta), frozen at
confirmation (a commune's own assessment: at submission).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from smartvillage.accounts.models import Role
from smartvillage.accounts.names import actor_label
from smartvillage.accounts.permissions import Action, can, is_system_admin, roles_on
from smartvillage.assessments import snapshot as snap
from smartvillage.assessments.models import (
    Assessment,
    AssessmentStep,
    AssessmentVersion,
    CriterionAppraisal,
    State,
    StepAction,
)
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.core.errors import DomainError
from smartvillage.units.models import AdminUnit, Level

NARRATIVE_FIELDS = (
    "organisation_text",
    "strengths",
    "difficulties",
    "report_number",
    "signer_name",
)
# Everything of the report that do_create / do_edit accept (report_date is a date, the rest text).
REPORT_FIELDS = (*NARRATIVE_FIELDS, "report_date")
COMMUNE_ROLES = (Role.COMMUNE_OFFICER, Role.COMMUNE_LEADER)


def narrative_of(assessment: Assessment) -> dict[str, str]:
    """The report metadata and narrative as JSON (the date as YYYY-MM-DD, "" when not set)."""
    out = {name: getattr(assessment, name) for name in NARRATIVE_FIELDS}
    out["report_date"] = assessment.report_date.isoformat() if assessment.report_date else ""
    return out


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str


TRANSITIONS: dict[str, Transition] = {
    StepAction.SUBMIT: Transition(
        StepAction.SUBMIT, (State.DRAFT, State.RETURNED), State.SUBMITTED
    ),
    StepAction.CONFIRM: Transition(StepAction.CONFIRM, (State.SUBMITTED,), State.CONFIRMED),
    StepAction.RETURN: Transition(
        StepAction.RETURN, (State.SUBMITTED, State.CONFIRMED, State.APPRAISED), State.RETURNED
    ),
    StepAction.APPRAISE: Transition(
        StepAction.APPRAISE, (State.SUBMITTED, State.CONFIRMED), State.APPRAISED
    ),
    StepAction.RECOGNISE: Transition(StepAction.RECOGNISE, (State.APPRAISED,), State.RECOGNISED),
}


def _state_label(state: str) -> str:
    return str(State(state).label)


def required_action(assessment: Assessment, step: str) -> Action:
    """Which permission a step needs, given the unit's level and the current state."""
    is_village = assessment.unit.level == Level.VILLAGE
    if step == StepAction.SUBMIT:
        return Action.SUBMIT
    if step == StepAction.CONFIRM:
        return Action.CONFIRM
    if step == StepAction.RETURN:
        # The commune returns what a village submitted; after that it is the appraiser's call.
        before_commune_step = assessment.state not in (
            State.CONFIRMED,
            State.APPRAISED,
            State.RECOGNISED,
        )
        return Action.CONFIRM if is_village and before_commune_step else Action.APPRAISE
    return Action.APPRAISE


def allowed_sources(assessment: Assessment, step: str) -> tuple[str, ...]:
    sources = TRANSITIONS[step].sources
    is_village = assessment.unit.level == Level.VILLAGE
    if step == StepAction.CONFIRM and not is_village:
        return ()  # a commune's own assessment has no commune confirmation
    if step == StepAction.APPRAISE:
        # A village's assessment is appraised after the commune confirmed it; a commune's right away.
        return (State.CONFIRMED,) if is_village else (State.SUBMITTED,)
    return sources


def may(user: Any, assessment: Assessment, step: str) -> bool:
    """Whether `user` may take `step` now (for showing buttons; the actions check again)."""
    return assessment.state in allowed_sources(assessment, step) and can(
        user, required_action(assessment, step), assessment.unit
    )


def allowed_steps(user: Any, assessment: Assessment) -> list[str]:
    return [step for step in TRANSITIONS if may(user, assessment, step)]


def _check(user: Any, assessment: Assessment, step: str) -> Transition:
    transition = TRANSITIONS[step]
    if not can(user, required_action(assessment, step), assessment.unit):
        raise PermissionDenied(f"{step} on assessment {assessment.pk}")
    if assessment.state not in allowed_sources(assessment, step):
        raise DomainError(
            f"Hồ sơ đang ở trạng thái “{_state_label(assessment.state)}”, không thể thực hiện bước "
            f"“{StepAction(step).label}”.",
            "wrong_state",
        )
    return transition


def _lock(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("unit").get(pk=assessment.pk)


def _role_label(user: Any, unit: AdminUnit) -> str:
    labels = [
        str(a.get_role_display())
        for a in roles_on(user)
        if a.unit is None or unit.path.startswith(a.unit.path)
    ]
    return ", ".join(dict.fromkeys(labels))[:40]


def _step(
    user: Any,
    assessment: Assessment,
    action: str,
    from_state: str,
    comment: str = "",
    at: dt.datetime | None = None,
) -> AssessmentStep:
    step = AssessmentStep.objects.create(
        assessment=assessment,
        version_number=assessment.current_version,
        action=action,
        from_state=from_state,
        to_state=assessment.state,
        actor=user if getattr(user, "pk", None) else None,
        actor_name=actor_label(user) or "system",
        actor_role=_role_label(user, assessment.unit),
        at=at or timezone.now(),
        comment=comment,
    )
    audit.record(
        actor=user,
        action=AuditAction.WORKFLOW,
        instance=assessment,
        unit=assessment.unit,
        before={"state": from_state},
        after={"state": assessment.state, "version": assessment.current_version},
        note=f"{StepAction(action).label}{': ' + comment if comment else ''}",
    )
    return step


def get_set_for(assessment: Assessment) -> Any:
    from smartvillage.criteria.loader import get_set

    return get_set(assessment.criteria_set_slug, assessment.criteria_set_version)


# ---- creating and editing a draft ---------------------------------------------------------------


@transaction.atomic
def do_create(
    user: Any,
    unit: AdminUnit,
    criteria_set: str,
    at: dt.date,
    *,
    version: int | None = None,
    **narrative: str,
) -> Assessment:
    if not can(user, Action.SUBMIT, unit):
        raise PermissionDenied(f"create assessment on {unit}")
    from smartvillage.criteria.loader import get_set

    cset = get_set(criteria_set, version)
    if cset.level != unit.level:
        raise DomainError(
            f"Bộ tiêu chí “{cset.title}” dùng để đánh giá "
            f"{'thôn' if cset.level == Level.VILLAGE else 'xã'}; {unit.full_name} không phù hợp.",
            "wrong_level",
        )
    unknown = set(narrative) - set(REPORT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    assessment = Assessment.objects.create(
        unit=unit,
        criteria_set_slug=cset.slug,
        criteria_set_version=cset.version,
        at=at,
        created_by=user,
        **narrative,
    )
    _step(user, assessment, StepAction.CREATE, "")
    _keep_date(cset, at, unit)
    return assessment


def _keep_date(cset: Any, at: dt.date, unit: AdminUnit) -> None:
    """The results store keeps counting this reference date while the assessment is open."""
    from smartvillage.results.services import keep_date

    keep_date(cset, at, unit)


def is_commune_staff(user: Any, unit: AdminUnit) -> bool:
    """A commune officer or leader of the commune `unit` is (in): who writes the commune's report."""
    if is_system_admin(user):
        return True
    return any(
        a.role in COMMUNE_ROLES and a.unit is not None and unit.path.startswith(a.unit.path)
        for a in roles_on(user)
    )


def _has_edit_role(user: Any, unit: AdminUnit) -> bool:
    """May `user` ever edit this unit's assessments (whatever their state)?"""
    return (
        can(user, Action.SUBMIT, unit)
        or can(user, Action.CONFIRM, unit)
        or (unit.level == Level.VILLAGE and is_commune_staff(user, unit))
    )


EDIT_ALL = "all"  # reference date, narrative and report metadata (draft / returned)
EDIT_REPORT = "report"  # narrative and report metadata only (the commune, before confirming)


def edit_scope(user: Any, assessment: Assessment) -> str | None:
    """What `user` may edit on the assessment now: EDIT_ALL, EDIT_REPORT or None.

    * draft / returned: whoever submits it (the village head; for a commune's own assessment the
      commune) and the commune's officers and leaders, everything;
    * a village's assessment submitted and awaiting confirmation: the commune's officers and
      leaders, the report (number, date, signer, sections), since the commune writes Mẫu số 01;
      the village, having handed it on, no longer;
    * from confirmation on (and a commune's own assessment once submitted): nobody.
    """
    unit = assessment.unit
    if assessment.state in (State.DRAFT, State.RETURNED):
        return EDIT_ALL if _has_edit_role(user, unit) else None
    if (
        assessment.state == State.SUBMITTED
        and unit.level == Level.VILLAGE
        and is_commune_staff(user, unit)
    ):
        return EDIT_REPORT
    return None


def may_edit(user: Any, assessment: Assessment) -> bool:
    return edit_scope(user, assessment) is not None


@transaction.atomic
def do_edit(
    user: Any, assessment: Assessment, *, at: dt.date | None = None, **narrative: Any
) -> Assessment:
    """Change the reference date, the narrative or the report metadata (see edit_scope)."""
    locked = _lock(assessment)
    if not _has_edit_role(user, locked.unit):
        raise PermissionDenied(f"edit assessment {assessment.pk}")
    unknown = set(narrative) - set(REPORT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    scope = edit_scope(user, locked)
    if scope is None:
        if locked.state == State.SUBMITTED and locked.unit.level == Level.VILLAGE:
            raise DomainError(
                "Hồ sơ đã nộp, đang chờ UBND xã xác nhận: chỉ cán bộ, lãnh đạo UBND xã sửa được "
                "số, ngày, người ký và nội dung báo cáo; thôn chỉ sửa được khi là dự thảo hoặc bị trả lại.",
                "not_editable",
            )
        raise DomainError(
            f"Hồ sơ đang ở trạng thái “{_state_label(locked.state)}”; chỉ sửa được khi là dự thảo "
            "hoặc bị trả lại (UBND xã sửa được nội dung báo cáo của thôn đến khi xác nhận).",
            "not_editable",
        )
    fixed_at = locked.state != State.DRAFT
    if at is not None and fixed_at and at != locked.at:
        raise DomainError(
            "Hồ sơ đã nộp không đổi được ngày tham chiếu; hãy tạo hồ sơ mới.", "at_fixed"
        )
    if at is not None and at != locked.at:
        from smartvillage.criteria.loader import get_set

        locked.at = at
        _keep_date(get_set(locked.criteria_set_slug, locked.criteria_set_version), at, locked.unit)
    for name, value in narrative.items():
        setattr(locked, name, value)
    locked.save()
    if scope == EDIT_REPORT:
        # The version awaiting confirmation carries the report as the commune completes it.
        AssessmentVersion.objects.filter(pk=_current_version(locked).pk).update(
            report_meta=narrative_of(locked)
        )
    _step(user, locked, StepAction.EDIT, locked.state)
    return locked


# ---- the workflow steps ---------------------------------------------------------------------------


@transaction.atomic
def do_submit(user: Any, assessment: Assessment, comment: str = "") -> AssessmentVersion:
    """Freeze the evaluation as a new version and hand it on (village → commune, commune → appraiser)."""
    locked = _lock(assessment)
    transition = _check(user, locked, StepAction.SUBMIT)
    from_state = locked.state
    cset = get_set_for(locked)
    narrative = narrative_of(locked)
    document = snap.build_snapshot(locked.unit, cset, locked.at, narrative)
    now = timezone.now().replace(microsecond=0)
    locked.current_version += 1
    version = AssessmentVersion.objects.create(
        assessment=locked,
        number=locked.current_version,
        snapshot=document,
        content_hash=snap.content_hash(document),
        data_hash=snap.content_hash(document["data"]),
        submitted_by=user,
        submitted_at=now,
        outcome=State.SUBMITTED,
        report_meta=dict(narrative),
    )
    locked.state = transition.target
    locked.save()
    _step(user, locked, StepAction.SUBMIT, from_state, comment)
    return version


def _current_version(assessment: Assessment) -> AssessmentVersion:
    version = assessment.versions.filter(number=assessment.current_version).first()
    if version is None:
        raise DomainError("Hồ sơ chưa được nộp.", "not_submitted")
    return version


@transaction.atomic
def do_confirm(user: Any, assessment: Assessment, comment: str = "") -> Assessment:
    """The commune confirms a village's submission; the version's report (number, date, signer,
    narrative) is frozen as it stands, dated today unless the commune gave it a date."""
    locked = _lock(assessment)
    transition = _check(user, locked, StepAction.CONFIRM)
    version = _current_version(locked)
    from_state = locked.state
    locked.state = transition.target
    locked.save()
    report = narrative_of(locked)
    if not report["report_date"]:
        report["report_date"] = timezone.localdate(timezone.now()).isoformat()
    AssessmentVersion.objects.filter(pk=version.pk).update(
        outcome=State.CONFIRMED, report_meta=report
    )
    _step(user, locked, StepAction.CONFIRM, from_state, comment)
    return locked


@transaction.atomic
def do_return(user: Any, assessment: Assessment, comment: str) -> Assessment:
    locked = _lock(assessment)
    transition = _check(user, locked, StepAction.RETURN)
    if not (comment or "").strip():
        raise DomainError("Cần ghi ý kiến (lý do) khi trả lại hồ sơ.", "comment_required")
    from_state = locked.state
    locked.state = transition.target
    locked.save()
    AssessmentVersion.objects.filter(pk=_current_version(locked).pk).update(outcome=State.RETURNED)
    _step(user, locked, StepAction.RETURN, from_state, comment.strip())
    return locked


@transaction.atomic
def do_appraise(
    user: Any, assessment: Assessment, verdicts: dict[str, tuple[bool, str]], comment: str = ""
) -> Assessment:
    """Record the appraiser's verdict on every criterion of the submitted version.

    `verdicts` maps each criterion code to (agreed, comment); a disagreement needs a comment.
    """
    locked = _lock(assessment)
    transition = _check(user, locked, StepAction.APPRAISE)
    version = _current_version(locked)
    codes = [c["code"] for c in version.snapshot["data"]["result"]["criteria"]]
    missing = [code for code in codes if code not in verdicts]
    if missing:
        raise DomainError(
            f"Chưa có ý kiến thẩm định cho tiêu chí: {', '.join(missing)}.", "verdict_missing"
        )
    extra = [code for code in verdicts if code not in codes]
    if extra:
        raise DomainError(f"Tiêu chí không có trong hồ sơ: {', '.join(extra)}.", "verdict_unknown")
    unexplained = [
        code for code in codes if not verdicts[code][0] and not (verdicts[code][1] or "").strip()
    ]
    if unexplained:
        raise DomainError(
            f"Cần ghi ý kiến cho tiêu chí không thống nhất: {', '.join(unexplained)}.",
            "verdict_comment_required",
        )
    now = timezone.now()
    CriterionAppraisal.objects.filter(version=version).delete()
    CriterionAppraisal.objects.bulk_create(
        [
            CriterionAppraisal(
                version=version,
                criterion_code=code,
                agreed=bool(verdicts[code][0]),
                comment=(verdicts[code][1] or "").strip(),
                appraiser=user,
                at=now,
            )
            for code in codes
        ]
    )
    from_state = locked.state
    locked.state = transition.target
    locked.save()
    AssessmentVersion.objects.filter(pk=version.pk).update(outcome=State.APPRAISED)
    disagreed = [code for code in codes if not verdicts[code][0]]
    summary = comment.strip()
    if disagreed:
        statuses = {c["code"]: c["status"] for c in version.snapshot["data"]["result"]["criteria"]}
        to_pass = [code for code in disagreed if statuses.get(code) != "pass"]
        to_fail = [code for code in disagreed if statuses.get(code) == "pass"]
        if to_pass:
            summary = (
                f"{summary}\nKết quả chốt chưa đạt, thẩm định kết luận đạt: {', '.join(to_pass)}"
            )
        if to_fail:
            summary = f"{summary}\nThẩm định kết luận chưa đạt: {', '.join(to_fail)}"
        summary = summary.strip()
    _step(user, locked, StepAction.APPRAISE, from_state, summary, at=now)
    return locked


@transaction.atomic
def do_recognise(
    user: Any,
    assessment: Assessment,
    decision_number: str,
    decision_date: dt.date | None,
    comment: str = "",
) -> Assessment:
    locked = _lock(assessment)
    transition = _check(user, locked, StepAction.RECOGNISE)
    if not (decision_number or "").strip() or decision_date is None:
        raise DomainError("Cần nhập số và ngày của quyết định công nhận.", "decision_required")
    version = _current_version(locked)
    verdicts = appraisal_verdicts(version)
    unappraised = [v.code for v in verdicts if v.counts and v.passed is None]
    if unappraised:
        raise DomainError(
            f"Không công nhận được: chưa có kết luận thẩm định cho tiêu chí {', '.join(unappraised)}.",
            "not_appraised",
        )
    failing = [v for v in verdicts if v.counts and not v.passed]
    if failing:
        frozen_failing = [v.code for v in failing if not v.frozen_passed]
        if frozen_failing:
            raise DomainError(
                "Không công nhận được: kết quả đã chốt chưa đạt tiêu chí "
                f"{', '.join(frozen_failing)}. Chỉ công nhận khi thẩm định kết luận từng tiêu chí "
                "này “đạt” và ghi lý do; nếu không, hãy trả lại hồ sơ.",
                "frozen_result_fails",
            )
        raise DomainError(
            "Không công nhận được: thẩm định kết luận chưa đạt tiêu chí "
            f"{', '.join(v.code for v in failing)}; hãy trả lại hồ sơ.",
            "not_all_agreed",
        )
    overrides = [v for v in verdicts if v.counts and not v.frozen_passed]
    if decision_date < version.submitted_at.date():
        raise DomainError(
            "Ngày quyết định công nhận không được trước ngày nộp hồ sơ.", "decision_date"
        )
    from_state = locked.state
    locked.state = transition.target
    locked.recognition_number = decision_number.strip()
    locked.recognition_date = decision_date
    locked.save()
    AssessmentVersion.objects.filter(pk=version.pk).update(outcome=State.RECOGNISED)
    note = f"Quyết định số {locked.recognition_number} ngày {decision_date:%d/%m/%Y}"
    if overrides:
        # The record says on what grounds a frozen "chưa đạt" was recognised.
        reasons = "; ".join(f"{v.code} – {v.comment}" for v in overrides)
        note = f"{note}. Tiêu chí kết quả chốt chưa đạt, thẩm định kết luận đạt: {reasons}"
    _step(user, locked, StepAction.RECOGNISE, from_state, f"{note}. {comment.strip()}".strip())
    return locked


@dataclass(frozen=True)
class Verdict:
    """The appraisal of one criterion of a frozen version, as the recognition rule reads it."""

    code: str
    title: str
    frozen_status: str
    agreed: bool | None  # None: not appraised yet
    comment: str

    @property
    def counts(self) -> bool:
        """Not applicable and "no pass level" criteria neither pass nor block (decision 007)."""
        return self.frozen_status not in ("not_applicable", "monitor")

    @property
    def frozen_passed(self) -> bool:
        return self.frozen_status == "pass"

    @property
    def passed(self) -> bool | None:
        """The appraiser's conclusion: the frozen result if she agreed, its opposite if not."""
        if self.agreed is None:
            return None
        return self.frozen_passed if self.agreed else not self.frozen_passed


def appraisal_verdicts(version: AssessmentVersion) -> list[Verdict]:
    """Each criterion of the frozen result with the appraiser's verdict on it (if any)."""
    appraisals = {a.criterion_code: a for a in version.appraisals.all()}
    out = []
    for c in version.snapshot["data"]["result"]["criteria"]:
        a = appraisals.get(c["code"])
        out.append(
            Verdict(
                code=c["code"],
                title=c.get("title", ""),
                frozen_status=c["status"],
                agreed=a.agreed if a is not None else None,
                comment=a.comment if a is not None else "",
            )
        )
    return out


# ---- reading ----------------------------------------------------------------------------------------


def live_data(assessment: Assessment) -> dict[str, Any]:
    return snap.build_data(assessment.unit, get_set_for(assessment), assessment.at)


def data_changed(assessment: Assessment, version: AssessmentVersion | None = None) -> bool:
    """True when evaluating now would give a different frozen document than the submission's."""
    version = version or assessment.latest_version
    if version is None:
        return False
    return snap.content_hash(live_data(assessment)) != version.data_hash


def differences(assessment: Assessment, version: AssessmentVersion) -> list[dict[str, Any]]:
    """Per criterion: the frozen and the live numbers where they differ (for the banner)."""
    live = {c["code"]: c for c in live_data(assessment)["result"]["criteria"]}
    out = []
    for frozen in version.snapshot["data"]["result"]["criteria"]:
        now = live.get(frozen["code"])
        if now is None:
            continue
        keys = ("status", "numerator", "denominator")
        if any(frozen.get(k) != now.get(k) for k in keys):
            out.append(
                {"code": frozen["code"], "title": frozen["title"], "frozen": frozen, "live": now}
            )
    return out
