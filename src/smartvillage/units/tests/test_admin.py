"""AdminUnit in the Django admin: search, filters, read-only official units, audited village edits."""

from __future__ import annotations

from django.urls import reverse

from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.units.models import AdminUnit, Scheme


def test_changelist_search_and_filters(client, world, sample_units):
    client.force_login(world.root)
    url = reverse("admin:units_adminunit_changelist")
    page = client.get(url, {"q": "An Thanh"})
    assert page.status_code == 200
    assert "Xã An Thanh" in page.content.decode()
    by_code = client.get(url, {"q": "11125"})
    assert "Xã An Thanh" in by_code.content.decode()
    filtered = client.get(url, {"level__exact": "province", "scheme__exact": "2025"})
    body = filtered.content.decode()
    assert "Thành phố Hải Phòng" in body and "Tỉnh Hải Dương" not in body


def test_official_unit_is_read_only_and_shows_its_successor(client, world, sample_units):
    client.force_login(world.root)
    an_thanh = AdminUnit.objects.get(scheme=Scheme.PRE_2025, code="11125")
    url = reverse("admin:units_adminunit_change", args=[an_thanh.pk])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="name"' not in body and 'name="path"' not in body
    assert an_thanh.path in body
    assert an_thanh.current_commune().full_name in body
    client.post(url, {"name": "Đổi"})
    an_thanh.refresh_from_db()
    assert an_thanh.name == "An Thanh"


def test_village_edit_goes_through_the_audited_action(client, world):
    world.carol.is_staff = True
    world.carol.save()
    client.force_login(world.carol)
    url = reverse("admin:units_adminunit_change", args=[world.village1.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="path"' not in page.content.decode()
    response = client.post(
        url, {"name": "Thôn Một Mới", "unit_type": "xom", "attributes": "{}", "is_active": "on"}
    )
    assert response.status_code == 302
    world.village1.refresh_from_db()
    assert (world.village1.name, world.village1.unit_type) == ("Thôn Một Mới", "xom")
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(world.village1.pk), actor=world.carol
    ).exists()
    # Thôn Ba belongs to another commune: not visible to Carol.
    other = client.get(reverse("admin:units_adminunit_change", args=[world.village3.pk]))
    assert other.status_code == 404
