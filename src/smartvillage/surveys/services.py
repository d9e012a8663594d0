"""Surveys: create from the template, open and close, answer once per household, aggregate.

Residents answer without an account. A household proves itself with its household code and the
last 4 digits of a member's identity number, or with a one-time code the digital team handed
out. A failed check answers the same whatever went wrong (unknown code, wrong digits, used
code), so the form cannot be used to find out which household codes exist.

When a survey feeds a criterion, each answer updates, in the same transaction, the village's
reported figure "resident_satisfaction" (numerator: households satisfied; denominator:
households that answered), which a criterion of kind `reported` reads (docs/criteria-format.md).
Evidence and reported figures are read live by the engine (the results store keeps registry
counts only), so nothing else needs refreshing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from smartvillage.accounts.permissions import Action, can
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.core.errors import DomainError
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.registry.models import Household, Person
from smartvillage.surveys.models import (
    AccessCode,
    Answer,
    Channel,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
)
from smartvillage.units.models import AdminUnit, Level

SATISFACTION_STATISTIC = "resident_satisfaction"
SURVEY_CHANNEL_TYPE = "online_survey"
# Failed household checks allowed per household code (and per address) in CHECK_WINDOW.
CHECK_FAILURES_ALLOWED = 5
CHECK_WINDOW = dt.timedelta(hours=1)
CHECK_FAILED = (
    "Không xác nhận được hộ. Kiểm tra lại mã hộ và 4 số cuối, hoặc hỏi tổ công nghệ số cộng đồng "
    "để nhận mã trả lời."
)
TOO_MANY = "Đã thử quá nhiều lần. Vui lòng thử lại sau 1 giờ hoặc hỏi tổ công nghệ số cộng đồng."

SATISFIED = ["Rất hài lòng", "Hài lòng"]
DEFAULT_TITLE = "Lấy ý kiến người dân về kết quả xây dựng nông thôn mới, thôn thông minh"


def default_questions() -> list[dict[str, Any]]:
    """The template: seed 003 criterion 3.6 asks for residents' opinion of the programme's
    results; the first question is the satisfaction question a criterion can count."""
    return [
        {
            "kind": QuestionKind.SINGLE,
            "text": "Ông/bà có hài lòng với kết quả xây dựng nông thôn mới, thôn thông minh của "
            "thôn (ấp, khu dân cư) mình không?",
            "choices": ["Rất hài lòng", "Hài lòng", "Chưa hài lòng", "Không hài lòng"],
            "satisfied_choices": SATISFIED,
        },
        {
            "kind": QuestionKind.MULTIPLE,
            "text": "Lĩnh vực nào ông/bà thấy có chuyển biến rõ nhất?",
            "choices": [
                "Internet, wifi, sóng di động",
                "Dịch vụ công trực tuyến",
                "Thanh toán không dùng tiền mặt",
                "An ninh trật tự (camera)",
                "Thông tin đến người dân (loa, nhóm Zalo)",
                "Sản xuất, kinh doanh, bán hàng trực tuyến",
            ],
            "required": False,
        },
        {
            "kind": QuestionKind.SCALE,
            "text": "Ông/bà đánh giá việc thôn thông tin đến người dân (1 = kém, 5 = rất tốt)",
            "choices": ["1", "2", "3", "4", "5"],
        },
        {
            "kind": QuestionKind.TEXT,
            "text": "Ý kiến, đề xuất khác của ông/bà",
            "required": False,
        },
    ]


def _require(user: Any, action: Action, unit: AdminUnit) -> None:
    if not can(user, action, unit):
        raise PermissionDenied


def can_manage(user: Any, village: AdminUnit) -> bool:
    return can(user, Action.MANAGE_EVIDENCE, village)


def can_enter_paper(user: Any, village: AdminUnit) -> bool:
    """The digital team (and whoever edits the registry) types in paper answers."""
    return can(user, Action.EDIT_REGISTRY, village) or can_manage(user, village)


# ---- surveys ---------------------------------------------------------------------------------


@transaction.atomic
def do_create_survey(
    user: Any,
    village: AdminUnit,
    *,
    title: str = DEFAULT_TITLE,
    opens_on: dt.date,
    closes_on: dt.date,
    description: str = "",
    questions: list[dict[str, Any]] | None = None,
    feeds_criterion: bool = True,
) -> Survey:
    _require(user, Action.MANAGE_EVIDENCE, village)
    if village.level != Level.VILLAGE:
        raise DomainError("Khảo sát được lập cho một thôn (ấp, khu dân cư).", "not_village")
    if closes_on < opens_on:
        raise DomainError("Ngày kết thúc phải sau ngày bắt đầu.", "bad_period")
    survey = Survey.objects.create(
        village=village,
        title=title.strip() or DEFAULT_TITLE,
        description=description,
        opens_on=opens_on,
        closes_on=closes_on,
        feeds_criterion=feeds_criterion,
        created_by=user,
    )
    specs = questions if questions is not None else default_questions()
    if sum(1 for q in specs if q.get("satisfied_choices")) > 1:
        raise DomainError("Chỉ một câu hỏi được dùng để tính tỷ lệ hài lòng.", "two_satisfaction")
    for order, spec in enumerate(specs, start=1):
        question = Question(
            survey=survey,
            order=order,
            kind=spec["kind"],
            text=spec["text"],
            choices=list(spec.get("choices", [])),
            required=spec.get("required", True),
            satisfied_choices=list(spec.get("satisfied_choices", [])),
        )
        _validate_question(question)
        question.save()
    audit.record(
        actor=user,
        action=AuditAction.CREATE,
        instance=survey,
        unit=village,
        after=audit.snapshot(survey),
    )
    return survey


def _validate_question(q: Question) -> None:
    if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SCALE):
        if len(q.choices) < 2:
            raise DomainError(f"Câu hỏi “{q.text}” cần ít nhất 2 lựa chọn.", "few_choices")
        if len(set(q.choices)) != len(q.choices):
            raise DomainError(f"Câu hỏi “{q.text}” có lựa chọn trùng nhau.", "dup_choices")
    unknown = set(q.satisfied_choices) - set(q.choices)
    if unknown:
        raise DomainError(
            f"Câu hỏi “{q.text}”: “{', '.join(sorted(unknown))}” không phải là một lựa chọn.",
            "bad_satisfied",
        )


@transaction.atomic
def do_set_status(user: Any, survey: Survey, status: str, *, link: str = "") -> Survey:
    """Open or close a survey. Opening records the online survey as the village's evidence of
    a channel for residents' opinion (seed 003, 3.6), with `link` to its public address."""
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    _require(user, Action.MANAGE_EVIDENCE, locked.village)
    if status not in SurveyStatus.values:
        raise DomainError("Trạng thái không hợp lệ.", "bad_status")
    before = audit.snapshot(locked)
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    if status == SurveyStatus.OPEN:
        _record_channel(user, locked, link)
    audit.record(
        actor=user,
        action=AuditAction.UPDATE,
        instance=locked,
        unit=locked.village,
        before=before,
        after=audit.snapshot(locked),
    )
    return locked


def _record_channel(user: Any, survey: Survey, link: str) -> None:
    marker = {"survey_id": survey.pk}
    exists = EvidenceRecord.objects.filter(
        unit=survey.village,
        category="channel",
        type=SURVEY_CHANNEL_TYPE,
        attributes__survey_id=survey.pk,
    ).exists()
    if exists:
        return
    record = EvidenceRecord.objects.create(
        unit=survey.village,
        category="channel",
        type=SURVEY_CHANNEL_TYPE,
        title=survey.title[:300],
        since=survey.opens_on,
        link=link[:500],
        attributes=marker,
        created_by=user,
        updated_by=user,
    )
    audit.record(
        actor=user, action=AuditAction.CREATE, instance=record, unit=survey.village, note="survey"
    )


# ---- who is answering ------------------------------------------------------------------------


def _code_hash(survey: Survey, code: str) -> str:
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(f"{settings.SECRET_KEY}:{survey.pk}:{normal}".encode()).hexdigest()


def _throttle_key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"survey-check:{kind}:{digest}"


def _failures(keys: list[str]) -> int:
    return max((cache.get(k, 0) for k in keys), default=0)


def _fail(keys: list[str]) -> None:
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, int(CHECK_WINDOW.total_seconds()))


@dataclass
class Proof:
    household: Household
    channel: str
    access_code: AccessCode | None = None


def check_household(
    survey: Survey,
    *,
    household_code: str = "",
    digits: str = "",
    one_time_code: str = "",
    address: str = "",
) -> Proof:
    """The household answering, or DomainError(CHECK_FAILED) for any failure (same text)."""
    household_code = household_code.strip()
    digits = "".join(ch for ch in digits if ch.isdigit())
    one_time_code = one_time_code.strip()
    keys = [_throttle_key("ip", f"{survey.pk}:{address}")]
    if household_code:
        keys.append(_throttle_key("hh", f"{survey.pk}:{household_code.casefold()}"))
    if _failures(keys) >= CHECK_FAILURES_ALLOWED:
        raise DomainError(TOO_MANY, "throttled")
    if one_time_code:
        code = (
            AccessCode.objects.select_related("household")
            .filter(
                survey=survey, code_hash=_code_hash(survey, one_time_code), used_at__isnull=True
            )
            .first()
        )
        if code is not None and code.household.village_id == survey.village_id:
            return Proof(code.household, Channel.CODE, code)
        _fail(keys)
        raise DomainError(CHECK_FAILED, "check_failed")
    household = (
        Household.objects.filter(village=survey.village, code__iexact=household_code).first()
        if household_code and len(digits) == 4
        else None
    )
    matches = (
        household is not None
        and Person.objects.filter(household=household, identity_number__endswith=digits).exists()
    )
    if household is not None and (matches or phone_matches(household, digits)):
        return Proof(household, Channel.WEB)
    _fail(keys)
    raise DomainError(CHECK_FAILED, "check_failed")


def phone_matches(household: Household, digits: str) -> bool:
    phones = [getattr(household, "phone", "") or ""]
    phones += [str(v) for k, v in (household.extra or {}).items() if "phone" in k]
    return any("".join(ch for ch in p if ch.isdigit()).endswith(digits) for p in phones if p)


@transaction.atomic
def do_issue_codes(
    user: Any, survey: Survey, households: list[Household]
) -> list[tuple[Household, str]]:
    """One-time codes for households (printed and handed out by the digital team)."""
    if not can_enter_paper(user, survey.village):
        raise PermissionDenied
    out = []
    for household in households:
        if household.village_id != survey.village_id:
            raise PermissionDenied
        code = "-".join(secrets.token_hex(2).upper() for _ in range(3))
        AccessCode.objects.create(
            survey=survey, household=household, code_hash=_code_hash(survey, code), created_by=user
        )
        out.append((household, code))
    audit.record(
        actor=user,
        action=AuditAction.CREATE,
        unit=survey.village,
        object_type="surveys.accesscode",
        object_id=str(survey.pk),
        object_repr=f"{len(out)} mã trả lời một lần – {survey.title}"[:200],
    )
    return out


# ---- answering -------------------------------------------------------------------------------


def clean_answers(survey: Survey, raw: dict[int, Any]) -> dict[Question, Any]:
    """Checked answers by question; DomainError naming the first question that is wrong."""
    cleaned: dict[Question, Any] = {}
    for q in survey.questions.all():
        value = raw.get(q.pk)
        if q.kind == QuestionKind.MULTIPLE:
            values = [v for v in (value or []) if v]
            if any(v not in q.choices for v in values):
                raise DomainError(f"Câu “{q.text}”: lựa chọn không hợp lệ.", "bad_choice")
            if q.required and not values:
                raise DomainError(f"Xin trả lời câu “{q.text}”.", "required")
            if values:
                cleaned[q] = values
        elif q.kind in (QuestionKind.SINGLE, QuestionKind.SCALE):
            text = str(value).strip() if value not in (None, "") else ""
            if text and text not in q.choices:
                raise DomainError(f"Câu “{q.text}”: lựa chọn không hợp lệ.", "bad_choice")
            if q.required and not text:
                raise DomainError(f"Xin trả lời câu “{q.text}”.", "required")
            if text:
                cleaned[q] = [text]
        else:
            text = str(value or "").strip()[:2000]
            if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
                raise DomainError(f"Câu “{q.text}”: có ký tự điều khiển không hợp lệ.", "control")
            if q.required and not text:
                raise DomainError(f"Xin trả lời câu “{q.text}”.", "required")
            if text:
                cleaned[q] = text
    return cleaned


def _satisfied(cleaned: dict[Question, Any]) -> bool | None:
    for q, value in cleaned.items():
        if q.satisfied_choices:
            return any(v in q.satisfied_choices for v in value)
    return None


@transaction.atomic
def do_answer(
    survey: Survey,
    proof: Proof,
    raw: dict[int, Any],
    *,
    entered_by: Any = None,
    today: dt.date | None = None,
) -> Response:
    """Record one household's answers (once). Residents online have no account: `entered_by`
    is the staff member for paper and Kobo answers."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    today = today or timezone.localdate()
    if proof.channel in (Channel.WEB, Channel.CODE) and not survey.is_open_on(today):
        raise DomainError("Cuộc khảo sát không mở vào ngày này.", "closed")
    if proof.channel in (Channel.PAPER, Channel.KOBO) and not can_enter_paper(
        entered_by, survey.village
    ):
        raise PermissionDenied
    if proof.household.village_id != survey.village_id:
        raise DomainError(CHECK_FAILED, "check_failed")
    cleaned = clean_answers(survey, raw)
    if Response.objects.filter(survey=survey, household=proof.household).exists():
        raise DomainError("Hộ này đã trả lời cuộc khảo sát. Mỗi hộ trả lời một lần.", "duplicate")
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                household=proof.household,
                channel=proof.channel,
                satisfied=_satisfied(cleaned),
                entered_by=entered_by if getattr(entered_by, "pk", None) else None,
            )
    except IntegrityError as exc:  # a second answer racing the first
        raise DomainError(
            "Hộ này đã trả lời cuộc khảo sát. Mỗi hộ trả lời một lần.", "duplicate"
        ) from exc
    Answer.objects.bulk_create(
        Answer(response=response, question=q, value=value) for q, value in cleaned.items()
    )
    if proof.access_code is not None:
        used = AccessCode.objects.filter(pk=proof.access_code.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if used != 1:
            raise DomainError(CHECK_FAILED, "check_failed")
    # Audited without a name: the entry says a household answered, and through which channel.
    audit.record(
        actor=entered_by,
        action=AuditAction.CREATE,
        unit=survey.village,
        object_type="surveys.response",
        object_id=str(response.pk),
        object_repr=f"Phiếu trả lời – {survey.title}"[:200],
        note=response.get_channel_display(),
    )
    if survey.feeds_criterion:
        sync_statistic(survey, today)
    return response


def sync_statistic(survey: Survey, today: dt.date | None = None) -> EvidenceRecord | None:
    """The village's reported figure of satisfied households from this survey's answers."""
    counts = Response.objects.filter(survey=survey, satisfied__isnull=False)
    denominator = counts.count()
    if not denominator:
        return None
    numerator = counts.filter(satisfied=True).count()
    record = (
        EvidenceRecord.objects.select_for_update()
        .filter(
            unit=survey.village,
            category="statistic",
            type=SATISFACTION_STATISTIC,
            attributes__survey_id=survey.pk,
        )
        .first()
    )
    attributes = {
        "numerator": numerator,
        "denominator": denominator,
        "unit_label": "hộ",
        "survey_id": survey.pk,
    }
    if record is None:
        record = EvidenceRecord(
            unit=survey.village, category="statistic", type=SATISFACTION_STATISTIC
        )
    record.title = f"Kết quả khảo sát: {survey.title}"[:300]
    record.issued_date = min(today or timezone.localdate(), survey.closes_on)
    record.attributes = attributes
    record.save()
    return record


# ---- results ---------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    counts: list[tuple[str, int, float]] = field(default_factory=list)  # (choice, n, share)
    mean: float | None = None
    texts: list[str] = field(default_factory=list)


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    households: int
    satisfied: int
    satisfaction_answers: int
    by_channel: list[tuple[str, int]]
    questions: list[QuestionResult]

    @property
    def participation(self) -> float | None:
        return self.responses / self.households if self.households else None

    @property
    def satisfaction(self) -> float | None:
        if not self.satisfaction_answers:
            return None
        return self.satisfied / self.satisfaction_answers


def results(survey: Survey, *, with_texts: bool = False) -> SurveyResults:
    """Aggregates by question (database counts; free texts only for staff pages)."""
    responses = Response.objects.filter(survey=survey)
    by_question: dict[int, list[Any]] = {}
    for question_id, value in Answer.objects.filter(response__survey=survey).values_list(
        "question_id", "value"
    ):
        by_question.setdefault(question_id, []).append(value)
    out: list[QuestionResult] = []
    for q in survey.questions.all():
        values = by_question.get(q.pk, [])
        r = QuestionResult(question=q, answered=len(values))
        if q.kind == QuestionKind.TEXT:
            r.texts = [str(v) for v in values] if with_texts else []
        else:
            tally: Counter[str] = Counter(v for value in values for v in value)
            r.counts = [
                (choice, tally.get(choice, 0), tally.get(choice, 0) / len(values) if values else 0)
                for choice in q.choices
            ]
            if q.kind == QuestionKind.SCALE and values:
                points = [
                    q.choices.index(value[0]) + 1 for value in values if value[0] in q.choices
                ]
                r.mean = sum(points) / len(points) if points else None
        out.append(r)
    channels = Counter(responses.values_list("channel", flat=True))
    labels = dict(Channel.choices)
    return SurveyResults(
        survey=survey,
        responses=responses.count(),
        households=Household.objects.filter(village=survey.village).count(),
        satisfied=responses.filter(satisfied=True).count(),
        satisfaction_answers=responses.filter(satisfied__isnull=False).count(),
        by_channel=[(str(labels[c]), n) for c, n in channels.most_common()],
        questions=out,
    )
