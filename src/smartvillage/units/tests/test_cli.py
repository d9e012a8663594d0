"""`smartvillage units load|list|add-village`: the interface scripts rely on."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.units.management.commands.units import Command
from smartvillage.units.models import AdminUnit, Level, Scheme, UnitType

LIST_KEYS = [
    "id",
    "code",
    "name",
    "full_name",
    "level",
    "type",
    "scheme",
    "parent_id",
    "parent_code",
    "current_commune",
]


def run(*args: str) -> str:
    out = StringIO()
    call_command("units", *args, stdout=out)
    return out.getvalue()


def run_json(*args: str):
    return json.loads(run(*args, "--format", "json"))


def test_load_prints_counts_and_second_run_creates_nothing(db):
    first = run("load", "--only-provinces", "30,38")
    assert "xã (trước 2025):" in first and "tạo mới" in first
    communes = AdminUnit.objects.filter(scheme=Scheme.PRE_2025, level=Level.COMMUNE).count()
    assert f"xã (trước 2025): {communes} tạo mới" in first
    assert (
        AuditEvent.objects.filter(action=AuditAction.IMPORT, object_type="adminunit").count() == 1
    )

    second = run_json("load", "--only-provinces", "30,38")

    assert second["units"]["pre2025:commune"] == {"created": 0, "updated": 0, "unchanged": communes}
    assert second["succession"]["created"] == 0
    assert second["data_version"] == "vietnamadminunits-1.0.4"
    assert AdminUnit.objects.filter(scheme=Scheme.PRE_2025, level=Level.COMMUNE).count() == communes
    # Nothing changed, nothing audited.
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 1


def test_list_json_shape_and_filters(sample_units):
    provinces = run_json("list")
    assert [(p["scheme"], p["code"]) for p in provinces] == [
        ("2025", "31"),
        ("2025", "38"),
        ("pre2025", "30"),
        ("pre2025", "38"),
    ]
    assert list(provinces[0]) == LIST_KEYS
    hai_duong = provinces[2]
    assert hai_duong["full_name"] == "Tỉnh Hải Dương" and hai_duong["parent_id"] is None

    districts = run_json("list", "--parent", "pre2025:30")
    assert {d["level"] for d in districts} == {"district"}
    tu_ky = next(d for d in districts if d["name"] == "Tứ Kỳ")
    assert tu_ky["parent_code"] == "30" and tu_ky["parent_id"] == hai_duong["id"]

    communes = run_json("list", "--parent", str(tu_ky["id"]), "--level", "commune")
    an_thanh = next(c for c in communes if c["code"] == "11125")
    assert an_thanh == {
        "id": an_thanh["id"],
        "code": "11125",
        "name": "An Thanh",
        "full_name": "Xã An Thanh",
        "level": "commune",
        "type": "xa",
        "scheme": "pre2025",
        "parent_id": tu_ky["id"],
        "parent_code": "298",
        "current_commune": an_thanh["current_commune"],
    }
    chi_minh = AdminUnit.objects.get(scheme=Scheme.PRE_2025, code="11125").current_commune()
    assert an_thanh["current_commune"] == {
        "id": chi_minh.pk,
        "code": chi_minh.code,
        "name": "Chí Minh",
        "full_name": "Xã Chí Minh",
    }
    assert hai_duong["current_commune"] is None
    # A level below a province spans its districts.
    all_communes = run_json("list", "--parent", "pre2025:30", "--level", "commune")
    assert (
        len(all_communes)
        == AdminUnit.objects.filter(
            path__startswith=AdminUnit.objects.get(scheme="pre2025", code="30").path,
            level="commune",
        ).count()
    )
    assert an_thanh in all_communes
    assert run_json("list", "--level", "province", "--scheme", "2025") == provinces[:2]


def test_list_text_output(sample_units):
    text = run("list", "--parent", "pre2025:298")
    assert "Xã An Thanh" in text and "(" in text.splitlines()[-1]


def test_add_village_prints_id_and_code_and_is_idempotent(sample_units):
    commune = AdminUnit.objects.get(scheme=Scheme.PRE_2025, code="11125")

    data = run_json(
        "add-village", "--commune", "pre2025:11125", "--name", " Mỹ  Nam ", "--type", "xóm"
    )

    village = AdminUnit.objects.get(pk=data["id"])
    assert data == {
        "id": village.pk,
        "code": "11125-T001",
        "name": "Mỹ Nam",
        "type": "xom",
        "commune_id": commune.pk,
        "commune_code": "11125",
        "created": True,
    }
    assert (village.parent, village.level, village.scheme, village.unit_type) == (
        commune,
        Level.VILLAGE,
        Scheme.LOCAL,
        UnitType.XOM,
    )
    assert village.path == f"{commune.path}{village.pk}/"
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="adminunit")
    assert event.object_id == str(village.pk) and event.actor_name == "system"

    again = run_json(
        "add-village", "--commune", str(commune.pk), "--name", "mỹ nam", "--type", "xóm"
    )
    assert again["id"] == village.pk and again["created"] is False
    text = run("add-village", "--commune", f"id:{commune.pk}", "--name", "Thanh Kỳ")
    assert "Đã tạo Thôn Thanh Kỳ thuộc Xã An Thanh" in text and "11125-T002" in text
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--parent", "khong-co"], "Không tìm thấy đơn vị “khong-co”"),
        (["add-village", "--commune", "no-such", "--name", "A"], "Không tìm thấy đơn vị"),
        (
            ["add-village", "--commune", "pre2025:298", "--name", "A"],
            "Thôn chỉ được tạo dưới một xã/phường",
        ),
        (
            ["add-village", "--commune", "pre2025:11125", "--name", "A", "--type", "làng"],
            "Loại thôn “làng” không hợp lệ",
        ),
        (
            ["add-village", "--commune", "pre2025:11125", "--name", "   "],
            "Tên thôn không được để trống",
        ),
        (["load", "--only-provinces", "30,77777"], "Không có tỉnh mã 77777"),
    ],
)
def test_errors_are_vietnamese_with_exit_code_2(sample_units, args, message):
    before = AdminUnit.objects.count()
    with pytest.raises(CommandError, match=message) as info:
        call_command("units", *args, stdout=StringIO())
    assert info.value.returncode == 2
    assert AdminUnit.objects.count() == before


def test_command_line_error_goes_to_stderr_with_status_2(sample_units, monkeypatch, capsys):
    # run_from_argv is what `smartvillage units ...` runs; keep the test's DB connection open.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as info:
        Command().run_from_argv(
            ["smartvillage", "units", "add-village", "--commune", "pre2025:298", "--name", "A"]
        )
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert "Thôn chỉ được tạo dưới một xã/phường" in captured.err
    assert captured.out == ""
