"""A digital address code typed into the form or the API counts as the importer counts it: the
household has a digital address and was notified of it (registry/data/facts.yaml, derived_from)."""

from __future__ import annotations

from smartvillage.registry import services


def test_a_code_on_create_derives_the_digital_address_facts(world):
    household = services.do_create_household(
        world.alice,
        world.village1,
        code="H1",
        head_name="Lê Văn A",
        digital_address_code="3001234567",
    )
    assert household.digital_address and household.digital_address_notified


def test_no_code_derives_nothing_and_a_later_code_does(world):
    household = services.do_create_household(world.alice, world.village1, code="H2", head_name="B")
    assert not household.digital_address and not household.digital_address_notified
    updated = services.do_update_household(world.alice, household, digital_address_code="3009")
    assert updated.digital_address and updated.digital_address_notified


def test_an_edit_of_another_field_keeps_a_stated_fact(world):
    household = services.do_create_household(
        world.alice, world.village1, code="H3", head_name="C", digital_address=True
    )
    updated = services.do_update_household(world.alice, household, address="Xóm Đông")
    assert updated.digital_address and not updated.digital_address_notified


def test_a_contact_phone_is_checked_and_shown_on_the_worklist(world, client):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.do_create_household(
            world.alice, world.village1, code="H9", head_name="D", phone="gọi 0912"
        )
    services.do_create_household(
        world.alice, world.village1, code="H8", head_name="E", phone="0912 345 678"
    )
    client.force_login(world.alice)
    url = f"/units/{world.village1.pk}/criteria/phutho-khu-dan-cu-thong-minh-1491/1.1/worklist/"
    page = client.get(url).content.decode()
    assert 'href="tel:0912345678"' in page and "0912 345 678" in page
