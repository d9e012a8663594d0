"""The admin speaks Vietnamese throughout: its own newer strings, django-axes' lockout pages,
the audit trail and the role form with autocomplete (no raw unit id)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

ENGLISH = [
    "Skip to main content",
    "Model name",
    "Add link",
    "Toggle theme",
    "Access attempts",
    "Access failures",
    "Django administration",
    ">Axes<",
]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/axes/accessattempt/",
        "/admin/audit/auditevent/",
        "/admin/accounts/roleassignment/add/",
    ],
)
def test_admin_pages_have_no_english(client, db, url):
    admin = User.objects.create_superuser("quantri", password="mat-khau-thu-123")
    client.force_login(admin)
    html = client.get(url).content.decode()
    assert not [word for word in ENGLISH if word in html], url
    if url == "/admin/":
        assert "Khóa đăng nhập (chống dò mật khẩu)" in html and "Quản trị Thôn thông minh" in html


def test_role_form_picks_the_unit_by_autocomplete(client, world):
    client.force_login(world.root)
    html = client.get(reverse("admin:accounts_roleassignment_add")).content.decode()
    assert 'class="admin-autocomplete' in html and 'data-field-name="unit"' in html
    assert "vForeignKeyRawIdAdminField" not in html
    query = {
        "term": "Thôn",
        "app_label": "accounts",
        "model_name": "roleassignment",
        "field_name": "unit",
    }
    names = {row["text"] for row in client.get("/admin/autocomplete/", query).json()["results"]}
    assert {"Thôn Một", "Thôn Ba"} <= names
    # The search is scoped: a commune officer's autocomplete finds only her commune's units.
    User.objects.filter(pk=world.carol.pk).update(is_staff=True)
    client.force_login(User.objects.get(pk=world.carol.pk))
    response = client.get("/admin/autocomplete/", query)
    assert response.status_code == 200
    names = {row["text"] for row in response.json()["results"]}
    assert "Thôn Một" in names and "Thôn Ba" not in names
