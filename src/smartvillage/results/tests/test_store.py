"""The results store: same results as counting live, kept current by the action functions."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from smartvillage.core.testing import HouseholdFactory, PersonFactory, make_unit
from smartvillage.criteria import engine
from smartvillage.criteria.loader import get_set
from smartvillage.registry.models import Person
from smartvillage.registry.services import do_create_person, do_update_household
from smartvillage.results import services
from smartvillage.results.models import ResultCount, ResultScope
from smartvillage.results.tests.conftest import live
from smartvillage.units.models import Level, UnitType

pytestmark = pytest.mark.django_db

URL_AT = "at=30/06/2024"


def fill(world, seed: int = 7) -> None:
    """A few households and persons in every village, facts at random (seeded)."""
    rng = random.Random(seed)
    for village in (world.village1, world.village2, world.village3):
        for h in range(rng.randint(2, 5)):
            household = HouseholdFactory(
                village=village,
                code=f"{village.code}-{h}",
                fibre_internet=rng.random() < 0.6,
                digital_address_notified=rng.random() < 0.7,
                is_business=rng.random() < 0.3,
                fire_extinguisher=rng.random() < 0.5,
            )
            for _p in range(rng.randint(1, 4)):
                PersonFactory(
                    household=household,
                    birth_date=dt.date(rng.randint(1940, 2015), rng.randint(1, 12), 1),
                    sex=rng.choice(["M", "F", ""]),
                    smartphone=rng.random() < 0.7,
                    epayment_account=rng.random() < 0.5,
                    digital_skills_trained=rng.random() < 0.5,
                )


def test_every_seed_set_gives_the_same_results_from_the_store_as_live(
    world, settings, store_on, seed_sets, at
):
    """The engine's hand-computed tests are the oracle for live counting; the store must give
    byte-identical results for every published set, at every level (commune sets with their
    aggregate criteria included), cold (counted and stored) and warm (read back)."""
    from smartvillage.core.testing import build_reform

    fill(world)
    reform = build_reform(world)  # the 2025 province and communes over the same villages
    units = [
        world.province,
        world.district,
        world.commune,
        world.commune2,
        world.village1,
        reform.province,
        reform.commune,
        reform.commune2,
    ]
    for cset in seed_sets:
        for unit in units:
            if not engine.can_evaluate(unit, cset) and not engine.children_at_level(
                unit, cset.level
            ):
                continue
            expected = live(settings, engine.evaluate_with_children, unit, cset, at)
            for _round in ("cold", "warm"):
                got = engine.evaluate_with_children(unit, cset, at)
                assert (got[0] and got[0].to_dict()) == (expected[0] and expected[0].to_dict())
                assert [r.to_dict() for r in got[1]] == [r.to_dict() for r in expected[1]]
    assert ResultCount.objects.filter(code="").exists()
    assert services.verify() == []


def test_evaluate_with_children_is_evaluate_and_evaluate_children(
    world, with_test_set, store_on, at
):
    fill(world, seed=3)
    cset = get_set("test-set")
    result, children = engine.evaluate_with_children(world.province, cset, at)
    assert result.to_dict() == engine.evaluate(world.province, cset, at).to_dict()
    assert [c.to_dict() for c in children] == [
        c.to_dict() for c in engine.evaluate_children(world.province, cset, at)
    ]
    # The province's total is the sum of its villages' rows.
    total = result.criterion("1.1")
    assert total.numerator == sum(c.criterion("1.1").numerator for c in children)
    assert total.denominator == sum(c.criterion("1.1").denominator for c in children)


def test_a_write_recounts_the_village_in_its_own_transaction(world, with_test_set, store_on, at):
    household = HouseholdFactory(village=world.village1, code="A", fibre_internet=False)
    cset = get_set("test-set")
    assert engine.evaluate(world.village1, cset, at).criterion("1.1").numerator == 0
    scope = ResultScope.objects.get(set_key="test-set@1", at=at)
    row = {"scope": scope, "village": world.village1, "code": "1.1"}
    assert ResultCount.objects.get(**row).numerator == 0

    with transaction.atomic():
        do_update_household(world.alice, household, fibre_internet=True)
        # Inside the writer's transaction the store already says so …
        assert ResultCount.objects.get(**row).numerator == 1
        transaction.set_rollback(True)
    # … and a rolled-back write leaves it as it was.
    assert ResultCount.objects.get(**row).numerator == 0

    do_update_household(world.alice, household, fibre_internet=True)
    assert ResultCount.objects.get(**row).numerator == 1
    assert engine.evaluate(world.village1, cset, at).criterion("1.1").numerator == 1
    # Only the covered scope's village was recounted; the others are not stored yet.
    assert not ResultCount.objects.filter(village=world.village2).exists()


def test_the_persons_without_age_warning_comes_from_the_store(world, with_test_set, store_on, at):
    household = HouseholdFactory(village=world.village1, code="A")
    cset = get_set("test-set")
    assert engine.evaluate(world.village1, cset, at).warnings == []
    do_create_person(world.alice, household, full_name="Không rõ tuổi", birth_date=None, sex="M")
    warnings = engine.evaluate(world.village1, cset, at).warnings
    assert any("1 người chưa có ngày sinh" in w for w in warnings)
    assert ResultCount.objects.get(village=world.village1, code="").numerator == 1


def test_verify_lists_a_difference_and_rebuild_repairs_it(
    world, with_test_set, store_on, at, capsys
):
    fill(world, seed=11)
    cset = get_set("test-set")
    engine.evaluate(world.province, cset, at)
    call_command("results", "verify")
    assert "khớp" in capsys.readouterr().out
    # A write that bypasses the action functions (what the house rules forbid) makes it stale.
    Person.objects.filter(village=world.village3).update(
        smartphone=True, birth_date=dt.date(1990, 1, 1), sex="M"
    )
    PersonFactory(
        household=world.village3.households.first(),
        birth_date=dt.date(1991, 1, 1),
        sex="F",
        smartphone=False,
    )
    with pytest.raises(CommandError) as failed:
        call_command("results", "verify", "--unit", str(world.province.pk))
    assert failed.value.returncode == 1
    listed = capsys.readouterr().out
    assert "Thôn Ba" in listed and "1.2" in listed and "Thôn Một" not in listed
    # A unit elsewhere has no difference.
    call_command("results", "verify", "--unit", str(world.commune.pk))
    call_command("results", "rebuild", "--unit", str(world.commune2.pk))
    call_command("results", "verify")
    assert live(settings_of(), engine.evaluate, world.province, cset, at).to_dict() == (
        engine.evaluate(world.province, cset, at).to_dict()
    )


def settings_of():
    from django.conf import settings

    return settings


def test_refresh_all_counts_today_for_every_set_and_is_idempotent(world, with_test_set, store_on):
    fill(world, seed=5)
    day = dt.date(2026, 3, 1)
    first = services.refresh_all(day)
    # Every published set gets its scope, but Tỉnh Thử's villages are counted only for the set
    # its pages offer (its own: the test set).
    assert first["scopes"] >= 2 and first["villages"] == 3
    test_scope = ResultScope.objects.get(set_key="test-set@1", at=day)
    assert ResultCount.objects.filter(scope=test_scope, code="").count() == 3
    rows = sorted(
        ResultCount.objects.values_list(
            "scope__set_key", "scope__at", "village_id", "code", "numerator", "denominator"
        )
    )
    assert services.refresh_all(day)["scopes"] == first["scopes"]
    again = sorted(
        ResultCount.objects.values_list(
            "scope__set_key", "scope__at", "village_id", "code", "numerator", "denominator"
        )
    )
    assert rows == again
    # The next day: the new "today" is counted and yesterday's is dropped.
    services.refresh_all(day + dt.timedelta(days=1))
    assert not ResultScope.objects.filter(set_key="test-set@1", at=day).exists()
    assert ResultScope.objects.filter(set_key="test-set@1", at=day + dt.timedelta(days=1)).exists()
    assert services.verify() == []


def test_an_asked_date_is_kept_a_little_and_an_assessment_date_while_open(
    world, with_test_set, store_on
):
    from smartvillage.assessments.services import do_create

    fill(world, seed=9)
    cset = get_set("test-set")
    asked, assessed = dt.date(2024, 1, 15), dt.date(2024, 6, 30)
    engine.evaluate(world.commune, cset, asked)
    do_create(world.alice, world.village1, "test-set", assessed)
    scope = ResultScope.objects.get(set_key="test-set@1", at=assessed)
    assert scope.reason == "assessment"
    assert ResultCount.objects.filter(scope=scope, village=world.village1, code="").exists()
    today = dt.date.today()
    services.prune(today)
    assert ResultScope.objects.filter(at=asked).exists()  # used today
    ResultScope.objects.filter(at=asked).update(last_used=today - dt.timedelta(days=10))
    services.prune(today)
    assert not ResultScope.objects.filter(at=asked).exists()
    assert ResultScope.objects.filter(at=assessed).exists()


def test_a_draft_set_is_counted_live_and_never_stored(world, with_test_set, store_on, at):
    from smartvillage.criteria.loader import load_text
    from smartvillage.criteria.tests.conftest import TEST_SET

    fill(world, seed=2)
    draft = load_text(TEST_SET.replace("threshold: 0.8", "threshold: 0.5"), "draft.yaml")
    other = load_text(
        TEST_SET.replace("numerator: fibre_internet", "numerator: internet"), "draft.yaml"
    )
    engine.evaluate(world.province, draft, at)  # same counting definition: may use the store
    before = ResultCount.objects.count()
    result = engine.evaluate(world.province, other, at)
    assert ResultCount.objects.count() == before
    assert (
        result.to_dict()
        == live(settings_of(), engine.evaluate, world.province, other, at).to_dict()
    )


# ---- pages ---------------------------------------------------------------------------------------


def _household_post(household) -> dict:
    from smartvillage.registry.forms import HouseholdForm

    form = HouseholdForm(village=household.village, instance=household)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    return data


def test_an_edit_through_the_web_shows_on_the_village_commune_and_province_pages(
    client, world, with_test_set, store_on
):
    households = [
        HouseholdFactory(village=world.village1, code=f"W{i}", fibre_internet=i == 0)
        for i in range(2)
    ]
    HouseholdFactory(village=world.village2, code="W9", fibre_internet=True)
    pages = {
        unit: f"/units/{unit.pk}/criteria/?set=test-set&{URL_AT}"
        for unit in (world.village1, world.commune, world.province)
    }
    client.force_login(world.root)
    before = {unit: client.get(url).content.decode() for unit, url in pages.items()}
    assert "1/2 hộ" in before[world.village1]
    assert "2/3 hộ" in before[world.commune] and "2/3 hộ" in before[world.province]

    client.force_login(world.alice)
    data = _household_post(households[1])
    data["fibre_internet"] = "on"
    response = client.post(f"/households/{households[1].pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]

    client.force_login(world.root)
    after = {unit: client.get(url).content.decode() for unit, url in pages.items()}
    assert "2/2 hộ" in after[world.village1]
    assert "3/3 hộ" in after[world.commune] and "3/3 hộ" in after[world.province]


def _province_with_villages(n: int, code: str):
    province = make_unit(f"Tỉnh {code}", Level.PROVINCE, UnitType.TINH, code=code)
    communes = [
        make_unit(f"Xã {code}-{c}", Level.COMMUNE, UnitType.XA, province, code=f"{code}{c:03d}")
        for c in range(max(1, n // 10))
    ]
    for v in range(n):
        commune = communes[v % len(communes)]
        village = make_unit(
            f"Thôn {v}", Level.VILLAGE, UnitType.THON, commune, code=f"{commune.code}-T{v:03d}"
        )
        household = HouseholdFactory(village=village, code=f"H{v}", fibre_internet=v % 2 == 0)
        PersonFactory(household=household, birth_date=dt.date(1990, 1, 1), sex="F")
    return province


@pytest.mark.parametrize("warm", [False, True])
def test_a_province_page_makes_as_many_queries_for_200_villages_as_for_10(
    client, world, with_test_set, store_on, warm, settings
):
    # The page's own SQL. A cold page writes one summary per commune to Django's cache
    # (criteria/areas.py): Redis in production; the database cache would add those writes as SQL
    # (test_area_summaries_are_written_once below counts them).
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "q"},
    }
    client.force_login(world.root)
    queries = {}
    for n, code in ((10, "81"), (200, "82")):
        province = _province_with_villages(n, code)
        url = f"/units/{province.pk}/criteria/?set=test-set&{URL_AT}"
        if warm:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert f"Tỉnh {code}" in response.content.decode()
        queries[n] = len(captured)
    assert queries[200] <= queries[10], queries
