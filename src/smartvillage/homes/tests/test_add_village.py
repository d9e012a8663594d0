"""The "Thêm thôn" form of a commune page: commune officers and leaders of that commune and system
admins add villages (audited, through units.services.do_add_village); others get 404 or 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.units.models import AdminUnit, Level, Scheme, UnitType


def _url(unit: AdminUnit) -> str:
    return reverse("core:village_create", args=[unit.pk])


def _state() -> tuple[list, int]:
    return sorted(
        AdminUnit.objects.values_list("pk", "name", "parent_id")
    ), AuditEvent.objects.count()


@pytest.mark.parametrize("username", ["carol", "dave", "root"])
def test_commune_roles_and_admin_add_a_village(client, world, username):
    user = getattr(world, username)
    client.force_login(user)
    page = client.get(reverse("core:unit", args=[world.commune.pk])).content.decode()
    assert "Thêm thôn" in page and f'action="{_url(world.commune)}"' in page

    response = client.post(_url(world.commune), {"name": "  An   Phú ", "village_type": "ap"})

    village = AdminUnit.objects.get(parent=world.commune, name="An Phú")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:unit", args=[village.pk])
    assert (village.level, village.unit_type, village.scheme) == (
        Level.VILLAGE,
        UnitType.AP,
        Scheme.LOCAL,
    )
    assert village.code == "99901-T003" and village.path == f"{world.commune.path}{village.pk}/"
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="adminunit")
    assert event.actor == user and event.unit == village and event.after["name"] == "An Phú"
    html = client.get(response["Location"]).content.decode()
    assert "Đã thêm Ấp An Phú (mã 99901-T003) vào Xã An." in html


def test_village_page_has_no_add_village_form(client, world):
    client.force_login(world.carol)
    html = client.get(reverse("core:unit", args=[world.village1.pk])).content.decode()
    assert _url(world.commune) not in html
    assert client.get(_url(world.village1)).status_code == 404


@pytest.mark.parametrize("username", ["alice", "mallory"])
def test_users_who_cannot_see_the_commune_get_404(client, world, username):
    client.force_login(getattr(world, username))
    before = _state()
    assert client.get(_url(world.commune)).status_code == 404
    assert (
        client.post(_url(world.commune), {"name": "Kẻ Xấu", "village_type": "thon"}).status_code
        == 404
    )
    assert _state() == before


def test_other_commune_officer_gets_404(client, world):
    client.force_login(world.carol)
    before = _state()
    response = client.post(_url(world.commune2), {"name": "Kẻ Xấu", "village_type": "thon"})
    assert response.status_code == 404
    assert _state() == before


def test_appraiser_sees_the_commune_but_may_not_add(client, world):
    client.force_login(world.erin)
    page = client.get(reverse("core:unit", args=[world.commune.pk])).content.decode()
    assert _url(world.commune) not in page
    before = _state()
    assert client.get(_url(world.commune)).status_code == 403
    response = client.post(_url(world.commune), {"name": "Thôn Mới", "village_type": "thon"})
    assert response.status_code == 403
    assert "Bạn không có quyền thêm thôn vào Xã An" in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"name": "", "village_type": "thon"}, "Tên thôn: chưa nhập (bắt buộc)."),
        ({"name": "   ", "village_type": "thon"}, "Tên thôn: chưa nhập (bắt buộc)."),
        ({"name": "A" * 201, "village_type": "thon"}, "Tên thôn: dài quá 200 ký tự."),
        ({"name": "An Phú", "village_type": "lang"}, "Loại: lựa chọn không hợp lệ."),
        ({"name": "thôn  MỘT", "village_type": "thon"}, "Tên thôn: “thôn MỘT” đã có trong xã này"),
    ],
)
def test_bad_input_gives_a_vietnamese_message_and_adds_nothing(client, world, payload, message):
    client.force_login(world.carol)
    before = _state()
    response = client.post(_url(world.commune), payload)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "Chưa lưu được" in html
    assert _state() == before


def test_standalone_form_page(client, world):
    client.force_login(world.dave)
    response = client.get(_url(world.commune))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thêm thôn · Xã An" in html and 'name="village_type"' in html
