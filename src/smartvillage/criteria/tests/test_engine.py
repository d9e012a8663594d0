"""Evaluations on small hand-built villages give the hand-computed numbers."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartvillage.core.testing import HouseholdFactory, PersonFactory, make_unit
from smartvillage.criteria.engine import evaluate, evaluate_children, members
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.registry.models import Sex
from smartvillage.units.models import Level, UnitType


def _households(village, n, **facts):
    return [HouseholdFactory(village=village, **facts) for _ in range(n)]


def test_household_ratio_pass_fail_and_gap(world, test_set, at):
    _households(world.village1, 7, fibre_internet=True)
    _households(world.village1, 3, fibre_internet=False)
    result = evaluate(world.village1, test_set, at).criterion("1.1")
    assert (result.numerator, result.denominator) == (7, 10)
    assert result.status == "fail"
    assert result.gap == 1  # 80 % of 10 = 8 households
    assert result.value == pytest.approx(0.7)
    _households(world.village1, 2, fibre_internet=True)
    result = evaluate(world.village1, test_set, at).criterion("1.1")
    assert (result.numerator, result.denominator, result.status, result.gap) == (9, 12, "fail", 1)
    _households(world.village1, 1, fibre_internet=True)
    result = evaluate(world.village1, test_set, at).criterion("1.1")
    assert (result.numerator, result.denominator, result.status, result.gap) == (
        10,
        13,
        "fail",
        1,
    )  # 0.8*13=10.4 -> 11


def test_empty_village_is_no_data_not_a_crash(world, test_set, at):
    result = evaluate(world.village2, test_set, at)
    assert result.criterion("1.1").status == "no_data"
    assert result.criterion("1.2").status == "no_data"
    assert not result.passed


def test_not_yet_applicable_criterion(world, test_set):
    HouseholdFactory(village=world.village1, digital_address_notified=False)
    before = evaluate(world.village1, test_set, dt.date(2023, 12, 31)).criterion("1.4")
    after = evaluate(world.village1, test_set, dt.date(2024, 1, 1)).criterion("1.4")
    assert before.status == "not_applicable"
    assert after.status == "fail"


@pytest.mark.parametrize(
    ("at", "expected_names"),
    [
        # 31/12/2027: man born 15/03/1966 retires 31/12/2027 (61y9m), still in; 15/04/1966 in.
        (dt.date(2027, 12, 31), {"Ông Tháng Ba", "Ông Tháng Tư", "Bà 1975", "Cháu 15 tuổi"}),
        # 01/01/2028: the March-1966 man has retired.
        (dt.date(2028, 1, 1), {"Ông Tháng Tư", "Bà 1975", "Cháu 15 tuổi"}),
        # 30/04/2028 is the April-1966 man's last working day; 01/05/2028 he is out.
        (dt.date(2028, 4, 30), {"Ông Tháng Tư", "Bà 1975", "Cháu 15 tuổi"}),
        (dt.date(2028, 5, 1), {"Bà 1975", "Cháu 15 tuổi"}),
        # Woman born 10/05/1975 retires at 60y on 31/05/2035.
        (dt.date(2035, 5, 31), {"Bà 1975", "Cháu 15 tuổi"}),
        (dt.date(2035, 6, 1), {"Cháu 15 tuổi"}),
    ],
)
def test_working_age_edges(world, test_set, at, expected_names):
    h = HouseholdFactory(village=world.village1)
    PersonFactory(
        household=h,
        full_name="Ông Tháng Ba",
        sex=Sex.MALE,
        birth_date=dt.date(1966, 3, 15),
        smartphone=True,
    )
    PersonFactory(
        household=h, full_name="Ông Tháng Tư", sex=Sex.MALE, birth_date=dt.date(1966, 4, 15)
    )
    PersonFactory(household=h, full_name="Bà 1975", sex=Sex.FEMALE, birth_date=dt.date(1975, 5, 10))
    PersonFactory(
        household=h, full_name="Cháu 15 tuổi", sex=Sex.FEMALE, birth_date=dt.date(2012, 12, 31)
    )
    PersonFactory(household=h, full_name="Không rõ ngày sinh", sex=Sex.FEMALE, birth_date=None)
    criterion = test_set.criterion("1.2")
    names = set(
        members(world.village1, criterion, at, cset=test_set).values_list("full_name", flat=True)
    )
    if at < dt.date(2027, 12, 31):
        pass
    assert names == (expected_names - ({"Cháu 15 tuổi"} if at < dt.date(2027, 12, 31) else set()))
    result = evaluate(world.village1, test_set, at).criterion("1.2")
    assert result.denominator == len(expected_names)
    assert result.numerator == (1 if "Ông Tháng Ba" in expected_names else 0)


def test_birth_year_only_counts_as_first_of_january(world, test_set):
    h = HouseholdFactory(village=world.village1)
    # Born "2009" only: stored as 01/01/2009, so 15 on 01/01/2024.
    PersonFactory(
        household=h,
        full_name="Năm 2009",
        sex=Sex.MALE,
        birth_date=dt.date(2009, 1, 1),
        birth_year_only=True,
    )
    criterion = test_set.criterion("1.2")
    assert members(world.village1, criterion, dt.date(2023, 12, 31), cset=test_set).count() == 0
    assert members(world.village1, criterion, dt.date(2024, 1, 1), cset=test_set).count() == 1


def test_adults_threshold_depends_on_unit_attributes(world, test_set, at):
    h = HouseholdFactory(village=world.village1)
    for index in range(10):
        PersonFactory(household=h, birth_date=dt.date(1980, 1, 1), epayment_account=index < 3)
    PersonFactory(household=h, birth_date=dt.date(2010, 1, 1), epayment_account=True)  # a minor
    result = evaluate(world.village1, test_set, at).criterion("1.3")
    assert (result.numerator, result.denominator, result.threshold, result.status, result.gap) == (
        3,
        10,
        0.4,
        "fail",
        1,
    )
    world.village1.attributes = {"ethnic_minority_mountainous": True}
    world.village1.save()
    result = evaluate(world.village1, test_set, at).criterion("1.3")
    assert (result.threshold, result.status, result.gap) == (0.3, "pass", 0)


def test_population_filter(world, test_set, at):
    _households(world.village1, 2, is_business=True, fire_extinguisher=True)
    _households(world.village1, 1, is_business=True, fire_extinguisher=False)
    _households(world.village1, 5, is_business=False, fire_extinguisher=False)
    result = evaluate(world.village1, test_set, at).criterion("1.5")
    assert (result.numerator, result.denominator, result.gap) == (2, 3, 1)


def test_evidence_and_count_criteria(world, test_set, at):
    result = evaluate(world.village1, test_set, at)
    assert result.criterion("2.1").status == "fail"
    assert len(result.criterion("2.1").missing) == 2
    assert (result.criterion("2.2").status, result.criterion("2.2").gap) == ("fail", 1)
    EvidenceRecord.objects.create(
        unit=world.village1,
        category="document",
        type="decision_digital_team",
        title="QĐ",
        number="12/QĐ-UBND",
        issued_date=dt.date(2024, 1, 5),
    )
    EvidenceRecord.objects.create(
        unit=world.village1, category="document", type="digital_team_plan", title="KH"
    )
    EvidenceRecord.objects.create(
        unit=world.village1,
        category="facility",
        type="wifi_public",
        title="Nhà văn hóa",
        quantity=2,
    )
    # Another village's Wi-Fi does not count for village 1.
    EvidenceRecord.objects.create(
        unit=world.village2, category="facility", type="wifi_public", title="x"
    )
    result = evaluate(world.village1, test_set, at)
    assert result.criterion("2.1").status == "pass"
    assert {e["number"] for e in result.criterion("2.1").evidence} == {"12/QĐ-UBND", ""}
    assert (result.criterion("2.2").status, result.criterion("2.2").numerator) == ("pass", 2)
    # A decision dated after the reference date is not evidence at that date.
    early = evaluate(world.village1, test_set, dt.date(2024, 1, 4))
    assert early.criterion("2.1").status == "fail"


def test_decision_without_number_is_not_enough(world, test_set, at):
    EvidenceRecord.objects.create(
        unit=world.village1, category="document", type="decision_digital_team", title="QĐ"
    )
    EvidenceRecord.objects.create(
        unit=world.village1, category="document", type="digital_team_plan", title="KH"
    )
    assert evaluate(world.village1, test_set, at).criterion("2.1").status == "fail"


def test_live_results_follow_edits(world, test_set, at):
    h = HouseholdFactory(village=world.village1, fibre_internet=False)
    assert evaluate(world.village1, test_set, at).criterion("1.1").numerator == 0
    h.fibre_internet = True
    h.save()
    assert evaluate(world.village1, test_set, at).criterion("1.1").numerator == 1


def test_commune_children_in_bounded_queries(world, test_set, at):
    for village in (world.village1, world.village2):
        for index in range(5):
            h = HouseholdFactory(village=village, fibre_internet=index < 4)
            PersonFactory(
                household=h, sex=Sex.MALE, birth_date=dt.date(1990, 1, 1), smartphone=True
            )
    with CaptureQueriesContext(connection) as ctx:
        children = evaluate_children(world.commune, test_set, at)
    assert [c.unit for c in children] == [world.village1, world.village2]
    assert all(c.criterion("1.1").numerator == 4 for c in children)
    # villages list + one grouped query per distinct population + persons without an age +
    # evidence + the communes' attributes (1.3's threshold depends on them): independent of the
    # number of villages.
    populations = {
        (c.population, c.population_filter) for c in test_set.criteria if c.kind == "ratio"
    }
    assert len(ctx.captured_queries) <= 4 + len(populations)
    make_unit("Thôn Bốn", Level.VILLAGE, UnitType.THON, world.commune)
    with CaptureQueriesContext(connection) as more:
        assert len(evaluate_children(world.commune, test_set, at)) == 3
    assert len(more.captured_queries) == len(ctx.captured_queries)
    commune = evaluate(world.commune, test_set, at)
    assert (commune.criterion("1.1").numerator, commune.criterion("1.1").denominator) == (8, 10)
    assert commune.criterion("1.2").denominator == 10


def test_worklist_is_who_does_not_meet_the_numerator(world, test_set, at):
    ok = HouseholdFactory(village=world.village1, fibre_internet=True)
    missing = HouseholdFactory(village=world.village1, fibre_internet=False)
    HouseholdFactory(village=world.village2, fibre_internet=False)
    worklist = list(
        members(world.village1, test_set.criterion("1.1"), at, met=False, cset=test_set)
    )
    assert worklist == [missing]
    assert list(
        members(world.village1, test_set.criterion("1.1"), at, met=True, cset=test_set)
    ) == [ok]


def test_commune_documents_are_evidence_for_its_villages_but_not_its_facilities(
    world, test_set, at
):
    EvidenceRecord.objects.create(
        unit=world.commune,
        category="document",
        type="decision_digital_team",
        title="QĐ thành lập tổ CNSCĐ các thôn",
        number="7/QĐ-UBND",
        issued_date=dt.date(2024, 2, 1),
    )
    EvidenceRecord.objects.create(
        unit=world.commune, category="document", type="digital_team_plan", title="KH"
    )
    EvidenceRecord.objects.create(
        unit=world.commune, category="facility", type="wifi_public", title="UBND xã"
    )
    village = evaluate(world.village1, test_set, at)
    assert village.criterion("2.1").status == "pass"
    assert village.criterion("2.2").status == "fail"  # the commune's Wi-Fi is not in the village
    other = evaluate(world.village3, test_set, at)  # another commune
    assert other.criterion("2.1").status == "fail"


def test_a_ratio_without_a_pass_level_is_monitored_not_blocking(world, at):
    from smartvillage.criteria.loader import load_text
    from smartvillage.criteria.tests.conftest import TEST_SET

    cset = load_text(
        TEST_SET.replace(
            "numerator: fibre_internet, threshold: 0.8",
            "numerator: fibre_internet, threshold: null",
        ),
        "t.yaml",
    )
    HouseholdFactory(village=world.village1, fibre_internet=True)
    result = evaluate(world.village1, cset, at).criterion("1.1")
    # Decision 007: the value is shown, the status says there is no level, nothing is "missing".
    assert (result.status, result.numerator, result.denominator) == ("monitor", 1, 1)
    assert not result.missing and result.gap is None
