"""A 2025 unit is evaluated over the villages recorded under its pre-2025 predecessors."""

import datetime as dt

from smartvillage.core.testing import HouseholdFactory, build_reform
from smartvillage.criteria.engine import evaluate, evaluate_children, members, rollup
from smartvillage.criteria.loader import get_set
from smartvillage.evidence.models import EvidenceRecord

PHUTHO = "phutho-khu-dan-cu-thong-minh-1491"
AT = dt.date(2025, 9, 1)


def test_a_2025_commune_counts_the_villages_of_the_commune_it_replaced(world):
    reform = build_reform(world)
    HouseholdFactory(village=world.village1, fibre_internet=True)
    HouseholdFactory(village=world.village2, fibre_internet=False)
    HouseholdFactory(village=world.village3, fibre_internet=True)  # Xã Bình's: another commune
    EvidenceRecord.objects.create(
        unit=world.village1, category="facility", type="wifi_public", title="Wifi"
    )
    cset = get_set(PHUTHO)
    fibre = evaluate(reform.commune, cset, AT).criterion("1.1")
    assert (fibre.numerator, fibre.denominator) == (1, 2)
    assert [r.unit for r in evaluate_children(reform.commune, cset, AT)] == [
        world.village1,
        world.village2,
    ]
    assert {h.village for h in members(reform.commune, cset.criterion("1.1"), AT, met=False)} == {
        world.village2
    }
    # The 2025 province: both old communes' villages, rolled up under their 2025 communes.
    villages = evaluate_children(reform.province, cset, AT)
    assert len(villages) == 3
    rows = {r.unit: (r.children, r.per_criterion[0]) for r in rollup(reform.province, villages)}
    assert rows == {reform.commune: (2, 1), reform.commune2: (1, 1)}


def test_the_2025_commune_page_shows_its_villages(client, world):
    reform = build_reform(world)
    HouseholdFactory(village=world.village1, fibre_internet=True)
    client.force_login(reform.grace)
    page = client.get(f"/units/{reform.commune.pk}/criteria/?set={PHUTHO}&at=01/09/2025")
    assert page.status_code == 200
    assert [r.unit for r in page.context["children"]] == [world.village1, world.village2]
