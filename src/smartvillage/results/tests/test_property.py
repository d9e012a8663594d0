"""Property: after any sequence of writes through the action functions, interleaved with reads
that fill the store at several dates, the store equals a live recount (and so do the results
the pages show, the province's and district's overviews from cached summaries included).
Runs on whichever database the suite runs on (SQLite and PostgreSQL in CI)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartvillage.criteria import areas, engine
from smartvillage.criteria.loader import get_set
from smartvillage.criteria.tests.test_areas import expected, overview
from smartvillage.registry import services as registry
from smartvillage.registry.models import Household, Person
from smartvillage.results import services
from smartvillage.results.tests.conftest import live
from smartvillage.units.models import AdminUnit, Level

pytestmark = pytest.mark.django_db

DATES = [dt.date(2024, 6, 30), dt.date(2025, 1, 1), dt.date(2026, 12, 4)]

small = st.integers(min_value=0, max_value=50)
year = st.integers(min_value=1935, max_value=2020)
sex = st.sampled_from(["M", "F", ""])
flag = st.booleans()

operations = st.one_of(
    st.tuples(st.just("create_household"), small, flag),
    st.tuples(st.just("update_household"), small, flag),
    st.tuples(st.just("delete_household"), small),
    st.tuples(st.just("create_person"), small, year, sex, flag),
    st.tuples(st.just("update_person"), small, year, sex, flag),
    st.tuples(st.just("move_person"), small, small),
    st.tuples(st.just("delete_person"), small),
    st.tuples(st.just("erase_person"), small),
    st.tuples(st.just("import"), small),
    st.tuples(st.just("evidence"), small),
    st.tuples(st.just("add_village"), small),
    st.tuples(st.just("assessment"), small, st.sampled_from(DATES)),
    st.tuples(st.just("read"), small, st.sampled_from(DATES)),
    st.tuples(st.just("refresh"), st.sampled_from(DATES)),
)


def _pick(items: list, index: int):
    return items[index % len(items)] if items else None


def _villages() -> list[AdminUnit]:
    return list(AdminUnit.objects.filter(level=Level.VILLAGE).order_by("pk"))


def _run(op: tuple, world, xlsx_path) -> None:
    root = world.root
    kind, *args = op
    households = list(Household.objects.order_by("pk"))
    persons = list(Person.objects.order_by("pk"))
    villages = _villages()
    if kind == "create_household":
        village = _pick(villages, args[0])
        registry.do_create_household(
            root,
            village,
            code=f"P{Household.objects.count() + 1}-{args[0]}",
            head_name="Chủ hộ thử",
            fibre_internet=args[1],
        )
    elif kind == "update_household" and households:
        registry.do_update_household(root, _pick(households, args[0]), fibre_internet=args[1])
    elif kind == "delete_household" and households:
        registry.do_delete_household(root, _pick(households, args[0]))
    elif kind == "create_person" and households:
        registry.do_create_person(
            root,
            _pick(households, args[0]),
            full_name="Người thử",
            birth_date=dt.date(args[1], 6, 15),
            sex=args[2],
            smartphone=args[3],
        )
    elif kind == "update_person" and persons:
        registry.do_update_person(
            root,
            _pick(persons, args[0]),
            birth_date=dt.date(args[1], 3, 1),
            sex=args[2],
            smartphone=args[3],
        )
    elif kind == "move_person" and persons and households:
        registry.do_update_person(
            root, _pick(persons, args[0]), household=_pick(households, args[1])
        )
    elif kind == "delete_person" and persons:
        registry.do_delete_person(root, _pick(persons, args[0]))
    elif kind == "erase_person" and persons:
        registry.do_erase_person(root, _pick(persons, args[0]))
    elif kind == "import":
        from smartvillage.transfer import importer

        report = importer.import_files(_pick(villages, args[0]), [xlsx_path], user=root)
        assert report.applied, report.summary()
    elif kind == "evidence":
        from smartvillage.evidence.services import do_create_evidence

        do_create_evidence(
            root,
            _pick(villages, args[0]),
            category="facility",
            type="wifi_public",
            title="Điểm wifi",
            quantity=1,
        )
    elif kind == "add_village":
        from smartvillage.units.services import do_add_village

        commune = _pick([world.commune, world.commune2], args[0])
        do_add_village(root, commune, f"Thôn Mới {args[0]}")
    elif kind == "assessment":
        from smartvillage.assessments.services import do_create

        do_create(root, _pick(villages, args[0]), "test-set", args[1])
    elif kind == "read":
        units = [world.province, world.commune, world.commune2, *villages]
        engine.evaluate(_pick(units, args[0]), get_set("test-set"), args[1])
    elif kind == "refresh":
        services.refresh_all(args[0])


@pytest.fixture
def populated(world):
    """Households and persons in every village before the examples (each example rolls back)."""
    from smartvillage.results.tests.test_store import fill

    fill(world, seed=17)
    return world


@pytest.fixture
def xlsx_path(tmp_path):
    from smartvillage.transfer.tests.builders import two_sheet_xlsx

    return two_sheet_xlsx(tmp_path / "thon.xlsx")


@settings(
    max_examples=25,
    deadline=None,
    database=None,  # no .hypothesis folder in the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first_reads=st.lists(st.tuples(small, st.sampled_from(DATES)), min_size=1, max_size=3),
    ops=st.lists(operations, min_size=1, max_size=10),
)
def test_the_store_equals_a_live_recount_after_any_writes(
    populated, with_test_set, store_on, settings, xlsx_path, first_reads, ops
):
    world = populated
    from django.conf import settings as django_settings

    cset = get_set("test-set")
    with transaction.atomic():
        units = [world.province, world.commune, world.commune2, *_villages()]
        for index, at in first_reads:
            engine.evaluate(_pick(units, index), cset, at)
            # The province's per-commune summaries (criteria/areas.py), kept in the cache.
            areas.area_overview(world.province, cset, at)
        for op in ops:
            _run(op, world, xlsx_path)
        assert [str(d) for d in services.verify()] == []
        units = [world.province, world.commune, world.commune2, *_villages()]
        for at in DATES:
            for unit in units:
                stored = engine.evaluate(unit, cset, at).to_dict()
                counted = live(django_settings, engine.evaluate, unit, cset, at).to_dict()
                assert stored == counted, (unit, at)
            for unit in (world.province, world.district):
                got = overview(unit, cset, at)[0]
                assert got == live(django_settings, expected, unit, cset, at), (unit, at)
        transaction.set_rollback(True)
