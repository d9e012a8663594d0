"""Adding a village whose name is already there in another case, spacing, Unicode form or tone-mark
placement returns the existing village, on SQLite (whose LIKE/iexact folds ASCII only) as on
PostgreSQL; a name that differs by its diacritics is another village."""

from __future__ import annotations

import json
import unicodedata
from io import StringIO

import pytest
from django.core.management import call_command

from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.units.models import AdminUnit, Level
from smartvillage.units.services import add_village, do_add_village, village_name_key


def _add(commune: AdminUnit, name: str) -> dict:
    out = StringIO()
    args = ["add-village", "--commune", f"id:{commune.pk}", "--name", name, "--format", "json"]
    call_command("units", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("AN PHÚ", "An Phú"),
        ("An Phú", "AN PHÚ"),
        ("Đông Hòa", "ĐÔNG  HÒA"),
        ("Đông Hòa", "đông hoà"),  # tone mark on the other vowel (old style)
        ("Mỹ Nam", unicodedata.normalize("NFD", "mỹ nam")),  # decomposed, as some keyboards send
    ],
)
def test_cli_add_village_does_not_duplicate_other_spellings(world, first, second):
    created = _add(world.commune, first)
    again = _add(world.commune, second)
    assert created["created"] is True and again["created"] is False
    assert again["id"] == created["id"] and again["code"] == created["code"]
    villages = AdminUnit.objects.filter(parent=world.commune, level=Level.VILLAGE)
    # Thôn Một, Thôn Hai and the one added.
    assert villages.count() == 3
    assert villages.get(pk=created["id"]).name == " ".join(first.split())
    assert (
        AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="adminunit").count() == 1
    )


def test_existing_test_world_names_match_in_other_case(world):
    village, created = do_add_village(world.carol, world.commune, "THÔN MỘT")
    assert (village, created) == (world.village1, False)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("first", "second"),
    [("Đông", "Đồng"), ("Hà", "Hạ"), ("An Phú", "An Phu"), ("Đông", "Dông")],
)
def test_names_differing_by_diacritics_are_different_villages(world, first, second):
    one = add_village(world.commune, first)
    two = add_village(world.commune, second)
    assert one.pk != two.pk


def test_same_name_in_another_commune_is_another_village(world):
    assert add_village(world.commune, "An Phú").pk != add_village(world.commune2, "AN PHÚ").pk


def test_village_name_key():
    assert village_name_key("  AN   PHÚ ") == village_name_key("an phú")
    assert village_name_key("Hoà") == village_name_key("Hòa")
    assert village_name_key("Đông") != village_name_key("Dông")
    assert village_name_key("Hà") != village_name_key("Hạ")
