"""Names in Vietnamese order (họ, đệm, tên): the page header and the audit trail say
"Huỳnh Văn Tâm", not Django's "Tâm Huỳnh Văn"; the audit trail keeps the username too."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.urls import reverse

from smartvillage.accounts.names import actor_label, display_name
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.core.testing import HouseholdFactory


def _name(world, first="Tâm", last="Huỳnh Văn", username=None):
    user = world.alice
    user.first_name, user.last_name = first, last
    if username is not None:
        user.username = username
    user.save()
    return user


def test_display_name_is_family_name_first(world):
    user = _name(world)
    assert user.get_full_name() == "Tâm Huỳnh Văn"  # Django's order, which we do not show
    assert display_name(user) == "Huỳnh Văn Tâm"
    assert display_name(SimpleNamespace(first_name=" Tâm ", last_name="Huỳnh  Văn")) == (
        "Huỳnh Văn Tâm"
    )
    assert display_name(SimpleNamespace(first_name="", last_name="Huỳnh", username="x")) == "Huỳnh"
    assert display_name(world.bob) == "bob"  # no name: the username
    assert display_name(AnonymousUser()) == ""
    assert display_name(None) == ""


def test_template_filter_and_page_header(client, world):
    user = _name(world)
    assert Template("{% load core_tags %}{{ u|display_name }}").render(Context({"u": user})) == (
        "Huỳnh Văn Tâm"
    )
    client.force_login(user)
    html = client.get(reverse("core:home")).content.decode()
    assert "<strong>Huỳnh Văn Tâm</strong>" in html and "Tâm Huỳnh Văn" not in html
    client.force_login(world.bob)
    assert "<strong>bob</strong>" in client.get(reverse("core:home")).content.decode()


def test_audit_trail_stores_the_name_with_the_username(client, world):
    user = _name(world, username="truongthon.anphu")
    household = HouseholdFactory(village=world.village1)
    client.force_login(user)
    client.post(
        reverse("registry:household_edit", args=[household.pk]),
        {"code": household.code, "head_name": household.head_name, "note": "sửa"},
    )
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.actor_name == "Huỳnh Văn Tâm (truongthon.anphu)"
    client.force_login(world.carol)
    html = client.get(reverse("audit:household_history", args=[household.pk])).content.decode()
    assert "Huỳnh Văn Tâm (truongthon.anphu)" in html


def test_audit_names_without_a_name_or_actor(world):
    event = audit.record(actor=world.bob, action=AuditAction.VIEW, object_type="x")
    assert event.actor_name == "bob"
    assert audit.record(actor=None, action=AuditAction.VIEW, object_type="x").actor_name == "system"


def test_long_names_are_cut_to_fit_keeping_the_username(world):
    user = _name(world, first="Tâm" * 40, last="Huỳnh Văn " * 10, username="u" * 30)
    label = actor_label(user)
    assert len(label) == 150
    assert label.endswith("… (" + "u" * 30 + ")") and label.startswith("Huỳnh Văn Huỳnh")
    event = audit.record(actor=user, action=AuditAction.VIEW, object_type="x")
    event.refresh_from_db()
    assert event.actor_name == label
    # A username of the maximum length leaves no room for a name: the username alone.
    assert actor_label(SimpleNamespace(first_name="A", last_name="B", username="v" * 150)) == (
        "v" * 150
    )
    assert (
        len(actor_label(SimpleNamespace(first_name="A", last_name="B", username="v" * 146))) <= 150
    )
