"""Area overviews (criteria/areas.py): a district's or province's totals, villages passing and
rollup from per-commune summaries kept in the cache, equal to evaluating every village, and
read again only until something under them changes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import transaction

from smartvillage.core.testing import build_reform, make_unit
from smartvillage.criteria import areas, engine
from smartvillage.criteria.loader import get_set
from smartvillage.evidence.services import do_create_evidence, do_delete_evidence
from smartvillage.registry import services as registry
from smartvillage.registry.models import Household, Person
from smartvillage.results.tests.test_store import fill
from smartvillage.units.models import Level, UnitType
from smartvillage.units.services import do_add_village, do_update_unit_attributes

pytestmark = pytest.mark.django_db

AT = dt.date(2024, 6, 30)


@pytest.fixture
def cset(with_test_set, settings):
    settings.RESULTS_STORE = True
    return get_set("test-set")


def expected(unit, cset, at=AT) -> tuple:
    """What the pages showed before the summaries: every village evaluated."""
    result, children = engine.evaluate_with_children(unit, cset, at)
    size = len(cset.criteria)
    return (
        result.to_dict() if result is not None else None,
        len(children),
        sum(1 for c in children if c.passed),
        [sum(1 for c in children if c.criteria[i].status == engine.PASS) for i in range(size)],
        [(r.unit.pk, r.children, r.passed, r.per_criterion) for r in engine.rollup(unit, children)],
    )


def overview(unit, cset, at=AT) -> tuple[tuple, int]:
    got = areas.area_overview(unit, cset, at)
    assert got is not None
    return (
        (
            got.result.to_dict() if got.result is not None else None,
            got.villages,
            got.passed,
            got.column_totals,
            [(r.unit.pk, r.children, r.passed, r.per_criterion) for r in got.rollup],
        ),
        got.computed,
    )


def test_a_province_and_a_district_equal_every_village_evaluated_cold_and_warm(world, cset):
    fill(world)
    for at in (AT, dt.date(2026, 12, 4)):
        cold, computed = overview(world.province, cset, at)
        assert computed == 2  # Xã An, Xã Bình
        warm, computed = overview(world.province, cset, at)
        assert computed == 0
        assert cold == warm == expected(world.province, cset, at)
        # Summaries are per commune: the district reads the province's.
        district, computed = overview(world.district, cset, at)
        assert computed == 0
        assert district == expected(world.district, cset, at)


def test_a_2025_province_sums_its_predecessors_villages_by_their_2025_commune(world, cset):
    fill(world)
    reform = build_reform(world)
    got, _computed = overview(reform.province, cset)
    assert got == expected(reform.province, cset)
    assert got[1] == 3
    assert [row[0] for row in got[4]] == sorted(
        [reform.commune.pk, reform.commune2.pk],
        key=lambda pk: {reform.commune.pk: reform.commune.name, reform.commune2.pk: "Xã Bình Mới"}[
            pk
        ],
    )


def _household_of(village) -> Household:
    return Household.objects.filter(village=village).order_by("pk").first()


def test_every_kind_of_write_shows_on_the_next_load_and_rebuilds_only_its_commune(world, cset):
    fill(world)
    root = world.root
    province = world.province
    overview(province, cset)  # warm

    def check(recomputed: int) -> None:
        got, computed = overview(province, cset)
        assert got == expected(province, cset)
        assert computed == recomputed

    household = _household_of(world.village1)
    registry.do_update_household(root, household, fibre_internet=not household.fibre_internet)
    check(1)
    person = Person.objects.filter(household__village=world.village3).order_by("pk").first()
    registry.do_update_person(root, person, smartphone=not person.smartphone)
    check(1)
    # Evidence of a village, of a commune (its villages inherit it), of the province (all).
    do_create_evidence(
        root, world.village1, category="facility", type="wifi_public", title="Wifi", quantity=1
    )
    check(1)
    decision = do_create_evidence(
        root,
        world.commune,
        category="document",
        type="decision_digital_team",
        title="Quyết định thành lập tổ công nghệ số",
        number="12/QĐ-UBND",
        issued_date=dt.date(2024, 1, 5),
    )
    check(1)
    do_create_evidence(
        root,
        province,
        category="document",
        type="digital_team_plan",
        title="Kế hoạch",
        issued_date=dt.date(2024, 2, 1),
    )
    check(2)
    do_delete_evidence(root, decision)
    check(1)
    # A commune's attribute lowers its villages' threshold (1.3: 0,4 → 0,3).
    do_update_unit_attributes(root, world.commune2, {"ethnic_minority_mountainous": True})
    check(1)
    do_add_village(root, world.commune2, "Thôn Mới")
    check(1)
    registry.do_erase_person(root, Person.objects.order_by("pk").first())
    check(1)
    # A new commune with a village of its own.
    commune = make_unit("Xã Mới", Level.COMMUNE, UnitType.XA, world.district, code="99903")
    make_unit("Thôn Xa", Level.VILLAGE, UnitType.THON, commune, code="99903-T001")
    check(1)


def test_a_rolled_back_write_keeps_the_summaries(world, cset):
    fill(world)
    overview(world.province, cset)
    household = _household_of(world.village1)
    with transaction.atomic():
        registry.do_update_household(
            world.root, household, fibre_internet=not household.fibre_internet
        )
        transaction.set_rollback(True)
    got, computed = overview(world.province, cset)
    assert computed == 0
    assert got == expected(world.province, cset)


def test_an_edited_set_under_the_same_version_never_reads_the_old_summaries(world, cset):
    fill(world)
    before, _ = overview(world.province, cset)
    first = cset.criteria[0]
    group = cset.groups[0]
    stricter = dataclasses.replace(
        cset,
        groups=[
            dataclasses.replace(
                group,
                criteria=[
                    dataclasses.replace(first, threshold=Decimal("0.01")),
                    *group.criteria[1:],
                ],
            ),
            *cset.groups[1:],
        ],
    )
    assert (stricter.slug, stricter.version) == (cset.slug, cset.version)
    assert areas.set_digest(stricter) != areas.set_digest(cset)
    got, computed = overview(world.province, stricter)
    assert computed == 2
    assert got == expected(world.province, stricter)


def test_commune_pages_and_commune_sets_do_not_use_summaries(world, cset):
    assert areas.area_overview(world.commune, cset, AT) is None


def test_the_province_page_and_the_appraisers_home_show_an_edit_at_once(
    client, world, cset, monkeypatch
):
    """Through the web, with the overview in use (a matrix limit below the world's villages)."""
    from smartvillage.criteria import views

    monkeypatch.setattr(views, "MATRIX_MAX_ROWS", 1)
    households = [
        registry.do_create_household(world.root, world.village1, code=f"H{i}", head_name="Chủ hộ")
        for i in range(2)
    ]
    registry.do_update_household(world.root, households[0], fibre_internet=True)
    client.force_login(world.root)
    url = f"/units/{world.province.pk}/criteria/?set=test-set&at=30/06/2024"
    page = client.get(url).content.decode()
    assert "1/2 hộ" in page and "Các thôn: 0/3 đạt" in page
    registry.do_update_household(world.root, households[1], fibre_internet=True)
    page = client.get(url).content.decode()
    assert "2/2 hộ" in page


def test_a_province_trend_reads_the_summaries_and_shows_the_engines_totals(world, cset, client):
    from django.urls import reverse

    from smartvillage.homes.insights import _totals, trend_dates

    fill(world)
    at = dt.date(2026, 12, 4)
    for day in trend_dates(cset, at):
        assert _totals(world.province, cset, day).to_dict() == (
            engine.evaluate(world.province, cset, day).to_dict()
        )
        assert overview(world.province, cset, day)[1] == 0  # read, not recomputed
    client.force_login(world.root)
    page = client.get(reverse("core:unit_trend", args=[world.province.pk]), {"at": "04/12/2026"})
    assert page.status_code == 200 and 'id="trend-table"' in page.content.decode()


def test_a_full_database_cache_does_not_cull_the_summaries(world, cset):
    """Django's database cache culls a third of its table past MAX_ENTRIES (300 by default):
    after any write, pages then recomputed most communes. Settings keep far more."""
    from django.core.cache import cache

    fill(world)
    cache.set_many({f"filler:{i}": i for i in range(400)})
    overview(world.province, cset)
    household = _household_of(world.village1)
    registry.do_update_household(world.root, household, fibre_internet=not household.fibre_internet)
    got, computed = overview(world.province, cset)
    assert computed == 1
    assert got == expected(world.province, cset)
    assert cache.get("filler:0") == 0


def test_a_province_map_colours_each_village_as_evaluating_it_does(world, cset, client):
    import json

    from django.urls import reverse

    from smartvillage.core.testing import HouseholdFactory
    from smartvillage.homes import maps

    fill(world)
    for index, village in enumerate((world.village1, world.village2, world.village3)):
        HouseholdFactory(
            village=village,
            fibre_internet=True,
            latitude=Decimal("21.0") + index,
            longitude=Decimal("105.0"),
        )
    for _ in range(3):  # Thôn Ba falls behind on fibre
        registry.do_create_household(
            world.root, world.village3, code=f"X{_}", head_name="Chủ hộ", fibre_internet=False
        )
    at = dt.date(2026, 12, 4)
    overview(world.province, cset, at)
    children = engine.evaluate_children(world.province, cset, at)
    want = maps.village_points(world.province, [(r.unit, r.passed) for r in children]).points
    client.force_login(world.root)
    page = client.get(
        reverse("core:unit_map", args=[world.province.pk]), {"at": "04/12/2026"}
    ).content.decode()
    got = json.loads(
        page.split('id="map-points" type="application/json">')[1].split("</script>")[0]
    )
    assert got == want and len(got) == 3
    # With only the fibre criterion, at the best village's share: some pass, some do not.
    shares = [
        Fraction(r.criteria[0].numerator, r.criteria[0].denominator)
        for r in engine.evaluate_children(world.province, cset, at)
    ]
    assert min(shares) < max(shares)
    best = max(shares)
    fibre = dataclasses.replace(
        cset,
        groups=[
            dataclasses.replace(
                cset.groups[0],
                criteria=[
                    dataclasses.replace(
                        cset.criteria[0],
                        threshold=Decimal(best.numerator) / Decimal(best.denominator),
                    )
                ],
            )
        ],
    )
    lenient = engine.evaluate_children(world.province, fibre, at)
    passing = {r.unit.pk for r in lenient if r.passed}
    assert 0 < len(passing) < 3
    assert areas.area_overview(world.province, fibre, at).passing == passing
