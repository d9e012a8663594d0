"""The seed sets evaluated on small hand-built units give hand-computed numbers."""

import datetime as dt

from smartvillage.core.testing import HouseholdFactory, PersonFactory
from smartvillage.criteria.engine import evaluate
from smartvillage.criteria.loader import get_set
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.registry.models import Sex

PHUTHO = "phutho-khu-dan-cu-thong-minh-1491"
KONTUM_COMMUNE = "kontum-xa-ntm-thong-minh-2431"


def _phutho_village(village):
    # 10 households, 8 with fibre; 1 notified of its digital address.
    households = [
        HouseholdFactory(village=village, fibre_internet=i < 8, digital_address_notified=i == 0)
        for i in range(10)
    ]
    h = households[0]
    # Working age at 30/06/2024: 5 people (4 with smartphones); plus a retired man and a child.
    for index in range(5):
        PersonFactory(
            household=h,
            sex=Sex.FEMALE,
            birth_date=dt.date(1985, 1, 1),
            smartphone=index < 4,
            epayment_account=True,
            digital_skills_trained=index < 3,
        )
    PersonFactory(household=h, sex=Sex.MALE, birth_date=dt.date(1950, 1, 1), smartphone=False)
    PersonFactory(household=h, sex=Sex.MALE, birth_date=dt.date(2015, 1, 1), smartphone=False)


def test_phutho_1491_on_a_hand_built_village(world):
    _phutho_village(world.village1)
    cset = get_set(PHUTHO)
    result = evaluate(world.village1, cset, dt.date(2024, 6, 30))
    by_code = {c.code: c for c in result.criteria}
    assert (
        by_code["1.1"].numerator,
        by_code["1.1"].denominator,
        by_code["1.1"].status,
        by_code["1.1"].gap,
    ) == (8, 10, "pass", 0)
    # 85 % of 5 = 4,25 -> 5 people needed, 4 have a smartphone.
    assert (
        by_code["1.2"].numerator,
        by_code["1.2"].denominator,
        by_code["1.2"].status,
        by_code["1.2"].gap,
    ) == (4, 5, "fail", 1)
    assert (by_code["1.3"].numerator, by_code["1.3"].status) == (5, "pass")
    # 70 % of 5 = 3,5 -> 4 needed, 3 trained.
    assert (by_code["1.4"].numerator, by_code["1.4"].gap, by_code["1.4"].status) == (3, 1, "fail")
    assert (by_code["1.5"].numerator, by_code["1.5"].denominator, by_code["1.5"].gap) == (1, 10, 9)
    assert by_code["1.6"].status == "fail" and len(by_code["1.6"].missing) == 3
    assert not result.passed
    # Before 01/01/2024 criterion 1.5 does not apply yet.
    early = evaluate(world.village1, cset, dt.date(2023, 12, 31))
    assert early.criterion("1.5").status == "not_applicable"


def test_phutho_16_passes_with_decision_plan_and_report(world):
    for type_, extra in (
        (
            "decision_digital_team",
            {
                "number": "15/QĐ-UBND",
                "issued_date": dt.date(2023, 9, 1),
                "issuer": "UBND xã Hy Cương",
            },
        ),
        ("digital_team_plan", {}),
        ("digital_team_activity_report", {}),
    ):
        EvidenceRecord.objects.create(
            unit=world.village1, category="document", type=type_, title=type_, **extra
        )
    result = evaluate(world.village1, get_set(PHUTHO), dt.date(2024, 6, 30)).criterion("1.6")
    assert result.status == "pass"
    assert "15/QĐ-UBND" in {e["number"] for e in result.evidence}


def test_kontum_commune_model(world):
    commune = world.commune
    commune.attributes = {"ethnic_minority_mountainous": True}
    commune.save()
    cset = get_set(KONTUM_COMMUNE)
    at = dt.date(2024, 6, 30)
    # Working age: 10 people in two villages, 7 with smartphone and skills -> 70 % passes in a
    # mountainous commune (it would fail the 80 % elsewhere).
    for index in range(10):
        village = world.village1 if index < 5 else world.village2
        h = HouseholdFactory(village=village)
        PersonFactory(
            household=h,
            sex=Sex.MALE,
            birth_date=dt.date(1990, 1, 1),
            smartphone=index < 7,
            digital_skills_trained=index < 7,
            epayment_account=index < 5,
        )
    # One of the two villages has loudspeakers connected to the commune radio.
    EvidenceRecord.objects.create(
        unit=world.village1,
        category="facility",
        type="smart_loudspeaker",
        title="Cụm loa",
        attributes={"connected_to_commune_radio": True},
    )
    EvidenceRecord.objects.create(
        unit=world.village2,
        category="facility",
        type="smart_loudspeaker",
        title="Loa cũ",
        attributes={"connected_to_commune_radio": False},
    )
    EvidenceRecord.objects.create(
        unit=commune,
        category="statistic",
        type="commune_staff_trained",
        title="Tập huấn",
        issued_date=dt.date(2024, 3, 1),
        attributes={"numerator": 18, "denominator": 20},
    )
    result = evaluate(commune, cset, at)
    assert result.criterion("a").status == "fail"
    assert "Chưa đáp ứng điều kiện tiên quyết." in result.warnings
    seven = result.criterion("7")
    assert (seven.numerator, seven.denominator, seven.threshold, seven.status) == (
        7,
        10,
        0.7,
        "pass",
    )
    two = result.criterion("2")
    assert (two.numerator, two.denominator, two.status, two.gap) == (1, 2, "fail", 1)
    assert [c["passed"] for c in two.children] == [True, False]
    six = result.criterion("6")
    assert (six.numerator, six.denominator, six.status, six.gap) == (18, 20, "fail", 2)
    assert result.criterion("5").status == "no_data"
    eight = result.criterion("8")
    assert (eight.numerator, eight.denominator, eight.status) == (5, 10, "pass")
    EvidenceRecord.objects.create(
        unit=commune,
        category="recognition",
        type="ntm_advanced",
        title="Công nhận NTM nâng cao",
        number="1234/QĐ-UBND",
        issued_date=dt.date(2023, 12, 20),
    )
    assert evaluate(commune, cset, at).criterion("a").status == "pass"
    commune.attributes = {}
    commune.save()
    assert evaluate(commune, cset, at).criterion("7").status == "fail"


def test_every_seed_set_evaluates_on_an_empty_unit_without_crashing(world):
    from smartvillage.criteria.loader import all_sets

    for cset in all_sets():
        unit = world.commune if cset.level == "commune" else world.village3
        result = evaluate(unit, cset, dt.date(2024, 6, 30))
        assert len(result.criteria) == len(cset.criteria)
        assert not result.passed
