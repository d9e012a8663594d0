"""The Django admin obeys the same unit boundaries as the pages, and writes through services (audited)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.registry.models import Household, Person
from smartvillage.registry.tests.test_views_access import RAW_ID, data, db_state  # noqa: F401  (fixture)


@pytest.fixture
def staff_alice(client, data):  # noqa: F811
    alice = data["world"].alice
    alice.is_staff = True
    alice.save()
    client.force_login(alice)
    return client


def _change(model: str, pk: int) -> str:
    return reverse(f"admin:registry_{model}_change", args=[pk])


def _delete(model: str, pk: int) -> str:
    return reverse(f"admin:registry_{model}_delete", args=[pk])


@pytest.mark.parametrize("target", ["h2", "h3"])
def test_staff_village_head_cannot_reach_other_village_in_admin(staff_alice, data, target):  # noqa: F811
    client = staff_alice
    h = data[target]
    p = data["p2"] if target == "h2" else data["p3"]
    before = db_state()
    for url in (
        _change("household", h.pk),
        _delete("household", h.pk),
        _change("person", p.pk),
        _delete("person", p.pk),
        reverse("admin:registry_household_history", args=[h.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(_change("household", h.pk), {"code": "HACK", "head_name": "Kẻ xấu"}).status_code
        == 404
    )
    assert client.post(_delete("household", h.pk), {"post": "yes"}).status_code == 404
    assert (
        client.post(
            _change("person", p.pk),
            {"full_name": "Kẻ xấu", "household": h.pk, "relationship": "other"},
        ).status_code
        == 404
    )
    assert client.post(_delete("person", p.pk), {"post": "yes"}).status_code == 404
    # Adding into the other village: the village is not a valid choice, nothing is created.
    response = client.post(
        reverse("admin:registry_household_add"),
        {"village": h.village_id, "code": "HACK", "head_name": "Kẻ xấu"},
    )
    assert response.status_code == 200 and "HACK" not in Household.objects.values_list(
        "code", flat=True
    )
    response = client.post(
        reverse("admin:registry_person_add"),
        {"household": h.pk, "full_name": "Kẻ xấu", "relationship": "other"},
    )
    assert response.status_code == 200
    # Bulk delete through the changelist action cannot name foreign rows either.
    client.post(
        reverse("admin:registry_household_changelist"),
        {"action": "delete_selected", "_selected_action": [h.pk], "post": "yes"},
    )
    assert db_state() == before
    listing = client.get(reverse("admin:registry_household_changelist")).content.decode()
    assert data["h1"].code in listing and h.code not in listing
    persons = client.get(reverse("admin:registry_person_changelist")).content.decode()
    assert data["p1"].full_name in persons and p.full_name not in persons


def test_admin_hides_identity_numbers(staff_alice, data):  # noqa: F811
    p1 = data["p1"]
    for url in (reverse("admin:registry_person_changelist"), _change("person", p1.pk)):
        html = staff_alice.get(url).content.decode()
        assert RAW_ID not in html and p1.masked_identity in html


def test_admin_edit_of_own_household_goes_through_services(staff_alice, data):  # noqa: F811
    h1 = data["h1"]
    response = staff_alice.post(
        _change("household", h1.pk),
        {"code": h1.code, "head_name": "Nguyễn Văn An", "address": "Xóm Mới", "internet": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    h1.refresh_from_db()
    assert h1.address == "Xóm Mới" and h1.internet
    event = AuditEvent.objects.get(object_type="household", action=AuditAction.UPDATE)
    assert event.actor == data["world"].alice and event.after["address"] == "Xóm Mới"
    response = staff_alice.post(_delete("person", data["p1"].pk), {"post": "yes"})
    assert response.status_code == 302 and not Person.objects.filter(pk=data["p1"].pk).exists()
    assert AuditEvent.objects.filter(object_type="person", action=AuditAction.DELETE).count() == 1


def test_audit_and_roles_admin_scoped(client, data):  # noqa: F811
    world = data["world"]
    # An audit entry in each commune.
    for user, h in ((world.alice, data["h1"]), (world.mallory, data["h3"])):
        client.force_login(user)
        client.post(
            reverse("registry:household_edit", args=[h.pk]),
            {"code": h.code, "head_name": h.head_name, "note": "sửa"},
        )
    mine = AuditEvent.objects.get(household_id=data["h1"].pk)
    other = AuditEvent.objects.get(household_id=data["h3"].pk)
    # A village head has no right to the audit trail, even as staff: 403 on the changelist.
    world.alice.is_staff = True
    world.alice.save()
    client.force_login(world.alice)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 403
    assert client.get(reverse("admin:accounts_roleassignment_changelist")).status_code == 403
    # The commune officer reads her commune's trail only, read-only.
    world.carol.is_staff = True
    world.carol.save()
    client.force_login(world.carol)
    assert client.get(reverse("admin:audit_auditevent_change", args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_change", args=[other.pk])).status_code == 404
    before = AuditEvent.objects.count()
    assert (
        client.post(
            reverse("admin:audit_auditevent_delete", args=[mine.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEvent.objects.count() == before
    roles = client.get(reverse("admin:accounts_roleassignment_changelist")).content.decode()
    assert "carol" in roles and "mallory" not in roles
    assert client.get(reverse("admin:accounts_roleassignment_add")).status_code == 403
