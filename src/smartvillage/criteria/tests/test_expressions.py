import datetime as dt

import pytest

from smartvillage.core.testing import HouseholdFactory, PersonFactory
from smartvillage.criteria import expressions
from smartvillage.registry.models import Household, Person

AT = dt.date(2024, 6, 30)


def _ids(model, text, level):
    q = expressions.compile_q(expressions.validate(text, level), level, AT)
    return set(
        model.objects.filter(q).values_list(
            "code" if model is Household else "full_name", flat=True
        )
    )


def test_boolean_logic_over_columns(world):
    HouseholdFactory(village=world.village1, code="A", internet=True, mobile_broadband=True)
    HouseholdFactory(village=world.village1, code="B", internet=True)
    HouseholdFactory(village=world.village1, code="C")
    assert _ids(Household, "internet and mobile_broadband", "household") == {"A"}
    assert _ids(Household, "internet or mobile_broadband", "household") == {"A", "B"}
    assert _ids(Household, "not (internet and mobile_broadband)", "household") == {"B", "C"}
    assert _ids(Household, "not internet", "household") == {"C"}


def test_extra_json_facts_treat_missing_as_not_met(world, settings, tmp_path):
    from smartvillage.registry import facts

    (tmp_path / "extra.yaml").write_text(
        "facts:\n  - {key: solar_roof, level: household, type: bool, label_vi: Mái nhà năng lượng mặt trời}\n"
        "  - {key: members_online, level: household, type: int, label_vi: Số người dùng mạng}\n",
        encoding="utf-8",
    )
    settings.SMARTVILLAGE_FACTS_DIRS = [str(tmp_path)]
    facts.catalogue.cache_clear()
    try:
        HouseholdFactory(
            village=world.village1, code="A", extra={"solar_roof": True, "members_online": 3}
        )
        HouseholdFactory(
            village=world.village1, code="B", extra={"solar_roof": False, "members_online": 1}
        )
        HouseholdFactory(village=world.village1, code="C", extra={})
        assert _ids(Household, "solar_roof", "household") == {"A"}
        assert _ids(Household, "not solar_roof", "household") == {"B", "C"}
        assert _ids(Household, "members_online >= 2", "household") == {"A"}
        assert _ids(Household, "not members_online >= 2", "household") == {"B", "C"}
        assert _ids(Household, "members_online is set", "household") == {"A", "B"}
    finally:
        facts.catalogue.cache_clear()


def test_person_conditions_reach_the_household_and_age(world):
    h = HouseholdFactory(village=world.village1, fibre_internet=True)
    PersonFactory(household=h, full_name="Lan", birth_date=dt.date(2000, 1, 1), sex="F")
    PersonFactory(household=h, full_name="Nam", birth_date=dt.date(2010, 1, 1), sex="M")
    assert _ids(Person, "household.fibre_internet and age >= 18", "person") == {"Lan"}
    assert _ids(Person, 'sex == "M"', "person") == {"Nam"}
    assert _ids(Person, "not age >= 18", "person") == {"Nam"}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("fibre_internet and", "kết thúc"),
        ("unknown_fact", "unknown_fact"),
        ("smartphone", "cấp person"),
        ("__import__('os')", "thừa"),
        ("a; b", "không hiểu"),
        ("internet ==", "hết biểu thức"),
    ],
)
def test_bad_expressions_are_rejected_with_a_reason(text, fragment):
    with pytest.raises(expressions.ExpressionError) as info:
        expressions.validate(text, "household")
    assert fragment in str(info.value)


def test_python_interpretation_for_unit_attributes():
    node = expressions.parse("ethnic_minority_mountainous and not island")
    assert expressions.evaluate_python(node, {"ethnic_minority_mountainous": True})
    assert not expressions.evaluate_python(
        node, {"ethnic_minority_mountainous": True, "island": True}
    )
