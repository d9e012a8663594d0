import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from smartvillage.core.testing import HouseholdFactory
from smartvillage.registry.models import Household, Person
from smartvillage.transfer.tests import builders


def test_import_dry_run_then_real(world, tmp_path):
    path = builders.two_sheet_xlsx(tmp_path / "ds.xlsx")
    out = io.StringIO()
    call_command("import", str(path), "--village", str(world.village1.pk), "--dry-run", stdout=out)
    assert "Kiểm tra (chưa ghi)" in out.getvalue() and "3 thêm" in out.getvalue()
    assert not Household.objects.exists()
    out = io.StringIO()
    call_command(
        "import", str(path), "--village", world.village1.code, "--user", "alice", stdout=out
    )
    assert "Đã nhập" in out.getvalue()
    assert Person.objects.filter(village=world.village1).count() == 6


def test_import_errors_exit_non_zero_with_the_list(world, tmp_path):
    path = builders.big_persons_xlsx(tmp_path / "loi.xlsx", persons=50, bad_row=7)
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import", str(path), "--village", str(world.village1.pk), stderr=err)
    assert info.value.returncode == 2
    assert "Lỗi: Trang “Nhân khẩu”, dòng 7, cột C (Ngày sinh)" in err.getvalue()
    assert not Person.objects.exists()


def test_import_map_option_and_bad_map(world, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(
        "Mã hộ,Họ và tên,Năm sinh,Quan hệ,App ngân hàng\nM1,A B,1980,Chủ hộ,x\n", encoding="utf-8"
    )
    call_command(
        "import",
        str(path),
        "--village",
        str(world.village1.pk),
        "--map",
        "App ngân hàng=epayment_account",
        stdout=io.StringIO(),
    )
    assert Person.objects.get().epayment_account
    with pytest.raises(CommandError, match="không có trường"):
        call_command(
            "import",
            str(path),
            "--village",
            str(world.village1.pk),
            "--map",
            "App ngân hàng=khong_co",
        )


def test_import_permission_and_unknown_unit(world, tmp_path):
    path = builders.person_code_csv(tmp_path / "p.csv")
    with pytest.raises(CommandError, match="không có quyền"):
        call_command("import", str(path), "--village", str(world.village1.pk), "--user", "bob")
    with pytest.raises(CommandError, match="Không tìm thấy đơn vị"):
        call_command("import", str(path), "--village", "KHONG-CO")


def test_export_list_template_and_xlsform(world, tmp_path):
    HouseholdFactory(village=world.village1, code="H1", head_name="Chủ Hộ Cáp", fibre_internet=True)
    out = tmp_path / "b01.xlsx"
    call_command(
        "export",
        "list",
        "--village",
        str(world.village1.pk),
        "--criteria-set",
        "phutho-khu-dan-cu-thong-minh-1491",
        "--criterion",
        "1.1",
        "--format",
        "xlsx",
        "-o",
        str(out),
        "--at",
        "05/03/2024",
        stdout=io.StringIO(),
    )
    values = [c.value for row in load_workbook(out).active.iter_rows() for c in row]
    assert "Chủ Hộ Cáp" in values
    docx = tmp_path / "b01.docx"
    call_command(
        "export",
        "list",
        "--village",
        str(world.village1.pk),
        "--criteria-set",
        "phutho-khu-dan-cu-thong-minh-1491",
        "--criterion",
        "1.1",
        "--format",
        "docx",
        "-o",
        str(docx),
        stdout=io.StringIO(),
    )
    assert docx.read_bytes()[:2] == b"PK"
    template = tmp_path / "mau.xlsx"
    call_command(
        "export",
        "template",
        "--village",
        str(world.village1.pk),
        "-o",
        str(template),
        stdout=io.StringIO(),
    )
    assert load_workbook(template).sheetnames == ["Hướng dẫn", "Hộ gia đình", "Nhân khẩu"]
    form = tmp_path / "form.xlsx"
    call_command("export", "xlsform", "-o", str(form), stdout=io.StringIO())
    assert load_workbook(form).sheetnames == ["survey", "choices", "settings"]
    with pytest.raises(CommandError, match="không có tiêu chí"):
        call_command(
            "export",
            "list",
            "--village",
            str(world.village1.pk),
            "--criteria-set",
            "phutho-khu-dan-cu-thong-minh-1491",
            "--criterion",
            "9.9",
            "-o",
            str(out),
        )


def test_export_template_with_registry_is_filled_checked_and_audited(world, tmp_path):
    from openpyxl import load_workbook

    from smartvillage.audit.models import AuditEvent

    HouseholdFactory(village=world.village1, code="H1", head_name="Chủ Hộ Một")
    out = tmp_path / "ds.xlsx"
    call_command(
        "export",
        "template",
        "--village",
        str(world.village1.pk),
        "--with-registry",
        "--user",
        "alice",
        "-o",
        str(out),
        stdout=io.StringIO(),
    )
    sheet = load_workbook(out)["Hộ gia đình"]
    assert (sheet.cell(4, 2).value, sheet.cell(4, 3).value) == ("H1", "Chủ Hộ Một")
    assert AuditEvent.objects.filter(
        action="export", object_type="registry", actor=world.alice
    ).exists()
    with pytest.raises(CommandError, match="không có quyền"):
        call_command(
            "export",
            "template",
            "--village",
            str(world.village1.pk),
            "--with-registry",
            "--user",
            "mallory",
            "-o",
            str(tmp_path / "x.xlsx"),
            stdout=io.StringIO(),
        )
