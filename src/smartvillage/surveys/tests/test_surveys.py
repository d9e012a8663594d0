"""Surveys: one answer per household, checks that reveal nothing, the criterion it feeds, files."""

from __future__ import annotations

import datetime as dt
import io
import textwrap

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from smartvillage.core.errors import DomainError
from smartvillage.core.testing import HouseholdFactory, PersonFactory
from smartvillage.criteria import engine, loader
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.surveys import exchange, services
from smartvillage.surveys.models import AccessCode, Response, SurveyStatus

TODAY = dt.date(2026, 12, 4)

SATISFACTION_SET = textwrap.dedent(
    """
    slug: satisfaction-set
    version: 1
    title: Bộ thử hài lòng
    province: Tỉnh Thử
    level: village
    legal_basis: {number: 2/QĐ-UBND, date: 2026-01-20, issuer: UBND tỉnh Thử}
    valid_from: 2026-01-01
    groups:
      - code: "1"
        title: Người dân
        criteria:
          - {code: "1.1", title: Tỷ lệ hộ hài lòng, kind: reported, statistic: resident_satisfaction, threshold: 0.8}
    """
)


@pytest.fixture(autouse=True)
def _clear_cache(db):
    from django.core.cache import caches

    cache.clear()
    caches["ratelimit"].clear()
    yield
    cache.clear()
    caches["ratelimit"].clear()


@pytest.fixture
def village_with_households(world):
    households = []
    for i in range(5):
        h = HouseholdFactory(village=world.village1, code=f"HO-{i:03d}")
        PersonFactory(household=h, identity_number=f"0010900{i:05d}")
        households.append(h)
    return households


@pytest.fixture
def survey(world, village_with_households):
    s = services.do_create_survey(
        world.alice,
        world.village1,
        opens_on=TODAY - dt.timedelta(days=1),
        closes_on=TODAY + dt.timedelta(days=30),
    )
    return services.do_set_status(world.alice, s, SurveyStatus.OPEN, link="http://x/khao-sat/1/")


def satisfied_answers(survey, happy: bool = True) -> dict:
    q1, q2, q3, q4 = survey.questions.all()
    return {
        q1.pk: "Hài lòng" if happy else "Không hài lòng",
        q2.pk: ["Dịch vụ công trực tuyến"],
        q3.pk: "4",
        q4.pk: "",
    }


def test_template_follows_seed_003_and_marks_the_satisfaction_question(survey):
    questions = list(survey.questions.all())
    assert "hài lòng với kết quả xây dựng nông thôn mới" in questions[0].text
    assert questions[0].satisfied_choices == ["Rất hài lòng", "Hài lòng"]
    assert [q.kind for q in questions] == ["single", "multiple", "scale", "text"]


def test_opening_records_the_online_survey_channel_for_criterion_3_6(survey, world):
    record = EvidenceRecord.objects.get(
        unit=world.village1, category="channel", type="online_survey"
    )
    assert record.link == "http://x/khao-sat/1/"
    services.do_set_status(world.alice, survey, SurveyStatus.OPEN)
    assert EvidenceRecord.objects.filter(category="channel", type="online_survey").count() == 1


def test_a_household_answers_once(survey, village_with_households):
    h = village_with_households[0]
    proof = services.check_household(survey, household_code="ho-000", digits="0000", address="1")
    services.do_answer(survey, proof, satisfied_answers(survey), today=TODAY)
    with pytest.raises(DomainError) as err:
        services.do_answer(survey, proof, satisfied_answers(survey), today=TODAY)
    assert err.value.code == "duplicate"
    assert Response.objects.filter(survey=survey, household=h).count() == 1


def test_wrong_digits_and_unknown_code_get_the_same_answer(survey):
    with pytest.raises(DomainError) as unknown:
        services.check_household(survey, household_code="KHONG-CO", digits="0000", address="a")
    with pytest.raises(DomainError) as wrong:
        services.check_household(survey, household_code="HO-001", digits="9999", address="b")
    assert unknown.value.message == wrong.value.message == services.CHECK_FAILED


def test_failed_checks_are_throttled_per_household_code(survey):
    for i in range(services.CHECK_FAILURES_ALLOWED):
        with pytest.raises(DomainError):
            services.check_household(
                survey, household_code="HO-001", digits="9999", address=f"ip{i}"
            )
    # Even the right digits are refused now, from any address.
    with pytest.raises(DomainError) as err:
        services.check_household(survey, household_code="HO-001", digits="0001", address="other")
    assert err.value.code == "throttled"


def test_one_time_code_works_once(survey, world, village_with_households):
    ((h, code),) = services.do_issue_codes(world.alice, survey, [village_with_households[2]])
    assert not AccessCode.objects.filter(code_hash=code).exists()  # only the hash is stored
    proof = services.check_household(survey, one_time_code=code.lower(), address="z")
    assert proof.household == h
    services.do_answer(survey, proof, satisfied_answers(survey), today=TODAY)
    with pytest.raises(DomainError):
        services.check_household(survey, one_time_code=code, address="z")


def test_answers_feed_the_satisfaction_criterion(
    survey, world, village_with_households, settings, tmp_path
):
    for i, happy in enumerate([True, True, True, False]):
        proof = services.check_household(
            survey, household_code=f"HO-{i:03d}", digits=f"{i:04d}", address="q"
        )
        services.do_answer(survey, proof, satisfied_answers(survey, happy), today=TODAY)
    (tmp_path / "s.yaml").write_text(SATISFACTION_SET, encoding="utf-8")
    settings.SMARTVILLAGE_CRITERIA_DIRS = [str(tmp_path)]
    loader.reload()
    try:
        cset = loader.get_set("satisfaction-set")
        result = engine.evaluate(world.village1, cset, TODAY).criterion("1.1")
        assert (result.numerator, result.denominator, result.status) == (3, 4, engine.FAIL)
        proof = services.check_household(
            survey, household_code="HO-004", digits="0004", address="q"
        )
        services.do_answer(survey, proof, satisfied_answers(survey, True), today=TODAY)
        result = engine.evaluate(world.village1, cset, TODAY).criterion("1.1")
        assert (result.numerator, result.denominator, result.status) == (4, 5, engine.PASS)
    finally:
        loader.reload()


def test_closed_survey_refuses_online_answers(survey, world):
    services.do_set_status(world.alice, survey, SurveyStatus.CLOSED)
    proof = services.check_household(survey, household_code="HO-000", digits="0000", address="c")
    with pytest.raises(DomainError) as err:
        services.do_answer(survey, proof, satisfied_answers(survey), today=TODAY)
    assert err.value.code == "closed"


def test_required_and_invalid_choices_are_refused(survey):
    proof = services.check_household(survey, household_code="HO-000", digits="0000", address="c")
    answers = satisfied_answers(survey)
    q1 = survey.questions.first()
    answers[q1.pk] = "Tuyệt vời"
    with pytest.raises(DomainError):
        services.do_answer(survey, proof, answers, today=TODAY)
    answers[q1.pk] = ""
    with pytest.raises(DomainError):
        services.do_answer(survey, proof, answers, today=TODAY)
    assert not Response.objects.exists()


def test_other_village_staff_cannot_manage_or_enter(survey, world):
    with pytest.raises(PermissionDenied):
        services.do_set_status(world.mallory, survey, SurveyStatus.CLOSED)
    with pytest.raises(PermissionDenied):
        services.do_issue_codes(world.mallory, survey, [])


def test_public_form_end_to_end(client, survey, settings):
    url = reverse("surveys:answer", args=[survey.pk])
    page = client.get(url)
    assert page.status_code == 200
    q1, q2, q3, _ = survey.questions.all()
    data = {
        "household_code": "HO-003",
        "digits": "0003",
        f"q{q1.pk}": "Rất hài lòng",
        f"q{q2.pk}": ["Dịch vụ công trực tuyến", "An ninh trật tự (camera)"],
        f"q{q3.pk}": "5",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Cảm ơn" in response.content.decode()
    again = client.post(url, data)
    assert again.status_code == 400
    assert "một lần" in again.content.decode()
    wrong = client.post(url, {**data, "household_code": "HO-004", "digits": "1234"})
    unknown = client.post(url, {**data, "household_code": "XX-999", "digits": "1234"})
    assert services.CHECK_FAILED in wrong.content.decode()
    assert services.CHECK_FAILED in unknown.content.decode()
    assert Response.objects.count() == 1


def test_staff_page_shows_the_count_and_paper_entry(client, survey, world):
    client.force_login(world.alice)
    paper = reverse("surveys:paper", args=[survey.pk])
    q1, q2, q3, _ = survey.questions.all()
    response = client.post(
        paper, {"household_code": "HO-001", f"q{q1.pk}": "Hài lòng", f"q{q3.pk}": "3"}
    )
    assert response.status_code == 302
    detail = client.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert '<td id="response-count">1</td>' in detail
    assert Response.objects.get().channel == "paper"


def test_answers_xlsx_and_xlsform(survey, village_with_households):
    proof = services.check_household(survey, household_code="HO-000", digits="0000", address="c")
    services.do_answer(survey, proof, satisfied_answers(survey), today=TODAY)
    wb = load_workbook(io.BytesIO(exchange.answers_xlsx(survey)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[1][3] == "Hài lòng"
    assert "HO-000" not in str(rows)
    form = load_workbook(io.BytesIO(exchange.xlsform_xlsx(survey)))
    names = [r[1] for r in form["survey"].iter_rows(min_row=2, values_only=True)]
    assert names[:2] == ["household_code", "check_digits"] and "q1" in names


def test_xlsform_converts_with_pyxform(survey, tmp_path):
    from pyxform.xls2xform import convert

    src = tmp_path / "form.xlsx"
    src.write_bytes(exchange.xlsform_xlsx(survey))
    result = convert(xlsform=str(src))
    assert "q1" in result.xform and "household_code" in result.xform


def _kobo_file(rows: list[list[object]], header: list[str]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_kobo_export_imports_back_all_or_nothing(survey, world):
    header = [
        "start",
        "end",
        "household_code",
        "check_digits",
        "q1",
        "q2",
        "q2/c1",
        "q3",
        "q4",
        "_uuid",
    ]
    good = [
        ["", "", "HO-000", "0000", "c2", "c2 c5", "0", "c4", "Tốt", "u1"],
        ["", "", "HO-001", "", "Không hài lòng", "", "0", "c1", "", "u2"],
    ]
    bad = good + [["", "", "HO-404", "", "c1", "", "0", "c1", "", "u3"]]
    report = exchange.import_kobo(world.alice, survey, _kobo_file(bad, header))
    assert not report.ok and "HO-404" in " ".join(report.errors)
    assert Response.objects.count() == 0
    report = exchange.import_kobo(world.alice, survey, _kobo_file(good, header))
    assert report.ok and report.imported == 2
    assert set(Response.objects.values_list("satisfied", flat=True)) == {True, False}
    again = exchange.import_kobo(world.alice, survey, _kobo_file(good, header))
    assert again.ok and again.imported == 0 and len(again.skipped) == 2


def test_kobo_unknown_column_is_refused_with_its_letter(survey, world):
    report = exchange.import_kobo(
        world.alice, survey, _kobo_file([["HO-000", "c1"]], ["household_code", "Cột lạ"])
    )
    assert not report.ok and "Cột B" in report.errors[0]


def test_the_households_contact_phone_also_proves_it(survey, village_with_households):
    h = village_with_households[1]
    h.phone = "0912 345 678"
    h.save(update_fields=["phone"])
    proof = services.check_household(survey, household_code="HO-001", digits="5678", address="p")
    assert proof.household == h
