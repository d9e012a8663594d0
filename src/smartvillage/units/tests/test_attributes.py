"""Commune group (QĐ 51/2025/QĐ-TTg) and the other criteria attributes: set by the province in the
app, audited with before/after, shown as history, used by threshold rules."""

import pytest

from smartvillage.audit.models import AuditEvent
from smartvillage.core.errors import DomainError
from smartvillage.criteria.loader import load_text
from smartvillage.criteria.tests.conftest import TEST_SET
from smartvillage.units import attributes
from smartvillage.units.services import do_update_unit_attributes


def test_the_province_sets_a_commune_group_audited_and_shown_in_history(client, world):
    client.force_login(world.erin)  # the province's appraiser
    page = client.get(f"/units/{world.commune.pk}/attributes/")
    assert page.status_code == 200 and "Nhóm xã (QĐ 51/2025/QĐ-TTg)" in page.content.decode()
    response = client.post(
        f"/units/{world.commune.pk}/attributes/",
        {"commune_group": "2", "ethnic_minority_mountainous": "on", "note": "QĐ 12/QĐ-UBND"},
    )
    assert response.status_code == 302
    world.commune.refresh_from_db()
    assert world.commune.attributes == {"commune_group": 2, "ethnic_minority_mountainous": True}
    event = AuditEvent.objects.get(object_type="adminunit", object_id=str(world.commune.pk))
    assert event.before == {"attributes": {}} and event.after["attributes"]["commune_group"] == 2
    assert event.actor == world.erin and event.note == "QĐ 12/QĐ-UBND"
    history = client.get(f"/units/{world.commune.pk}/attributes/").content.decode()
    assert "Chưa xếp nhóm" in history and "Nhóm 2" in history and "QĐ 12/QĐ-UBND" in history


def test_a_commune_officer_may_not_set_the_group_of_her_commune(client, world):
    client.force_login(world.carol)
    assert (
        client.post(f"/units/{world.commune.pk}/attributes/", {"commune_group": "1"}).status_code
        == 403
    )
    with pytest.raises(DomainError):
        do_update_unit_attributes(world.carol, world.commune, {"commune_group": 1})
    world.commune.refresh_from_db()
    assert world.commune.attributes == {}


def test_only_groups_one_to_three_and_known_keys(world):
    with pytest.raises(DomainError, match="nhóm 1, 2 hoặc 3"):
        do_update_unit_attributes(world.erin, world.commune, {"commune_group": 4})
    with pytest.raises(DomainError, match="không dùng cho"):
        do_update_unit_attributes(world.erin, world.commune, {"ward_kind": True})
    with pytest.raises(
        DomainError, match="không dùng cho"
    ):  # a group is a commune's, not a village's
        do_update_unit_attributes(world.erin, world.village1, {"commune_group": 1})
    # Keys outside the list already stored are kept.
    world.commune.attributes = {"legacy": "x"}
    world.commune.save()
    unit = do_update_unit_attributes(world.erin, world.commune, {"commune_group": "3"})
    assert unit.attributes == {"legacy": "x", "commune_group": 3}
    unit = do_update_unit_attributes(world.erin, world.commune, {"commune_group": ""})
    assert unit.attributes == {"legacy": "x"}


def test_province_table_sets_the_groups_of_its_communes(client, world):
    client.force_login(world.erin)
    page = client.get(f"/units/{world.province.pk}/commune-groups/")
    assert page.status_code == 200
    client.post(
        f"/units/{world.province.pk}/commune-groups/",
        {f"group-{world.commune.pk}": "1", f"group-{world.commune2.pk}": "3"},
    )
    world.commune.refresh_from_db()
    world.commune2.refresh_from_db()
    assert (world.commune.attributes, world.commune2.attributes) == (
        {"commune_group": 1},
        {"commune_group": 3},
    )


def test_a_threshold_rule_by_commune_group_and_a_village_inherits_the_group(world):
    text = TEST_SET.replace(
        "threshold_rules: [{when: ethnic_minority_mountainous, threshold: 0.3}]",
        "threshold_rules: [{when: commune_group == 1, threshold: 0.5}, "
        "{when: commune_group == 3, threshold: 0.3}]",
    )
    c = load_text(text, "t.yaml").criterion("1.3")
    do_update_unit_attributes(world.erin, world.commune, {"commune_group": 3})
    world.village1.refresh_from_db()
    assert float(c.threshold_for(attributes.effective(world.village1))) == pytest.approx(0.3)
    assert float(c.threshold_for({"commune_group": 1})) == pytest.approx(0.5)
    assert float(c.threshold_for({})) == pytest.approx(0.4)
    with pytest.raises(DomainError, match="commune_grup"):
        load_text(text.replace("commune_group == 1", "commune_grup == 1"), "t.yaml")


def test_a_village_is_evaluated_with_its_communes_group(world):
    """QĐ 51/2025 groups communes; a village set's threshold by group applies to its villages."""
    import datetime as dt

    from smartvillage.core.testing import HouseholdFactory, PersonFactory
    from smartvillage.criteria.engine import evaluate

    text = TEST_SET.replace(
        "threshold_rules: [{when: ethnic_minority_mountainous, threshold: 0.3}]",
        "threshold_rules: [{when: commune_group == 3, threshold: 0.3}]",
    )
    cset = load_text(text, "t.yaml")
    household = HouseholdFactory(village=world.village1)
    for index in range(10):
        PersonFactory(
            household=household, birth_date=dt.date(1990, 1, 1), epayment_account=index < 3
        )
    at = dt.date(2024, 6, 30)
    assert evaluate(world.village1, cset, at).criterion("1.3").status == "fail"  # 30 % < 40 %
    do_update_unit_attributes(world.erin, world.commune, {"commune_group": 3})
    world.village1.refresh_from_db()
    result = evaluate(world.village1, cset, at).criterion("1.3")
    assert (result.status, result.threshold) == ("pass", 0.3)


def test_a_village_page_names_its_communes_attributes_in_words(client, world):
    do_update_unit_attributes(world.erin, world.commune, {"commune_group": 1})
    client.force_login(world.carol)
    html = client.get(f"/units/{world.village1.pk}/attributes/").content.decode()
    assert "Nhóm xã (QĐ 51/2025/QĐ-TTg): 1, 2 hoặc 3: Nhóm 1" in html
    assert "commune_group" not in html.replace('name="commune_group"', "").replace(
        'id="id_commune_group"', ""
    )
