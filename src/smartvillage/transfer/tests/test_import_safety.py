import datetime as dt

import pytest

from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.registry.models import Household, Person
from smartvillage.transfer import importer
from smartvillage.transfer.importing import write
from smartvillage.transfer.tests import builders


def test_one_bad_date_in_row_4037_reports_that_cell_and_writes_nothing(world, tmp_path):
    path = builders.big_persons_xlsx(tmp_path / "lon.xlsx", persons=4100, bad_row=4037)
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert not report.applied
    assert len(report.errors) == 1
    error = report.errors[0]
    assert (error.sheet, error.row, error.column, error.header, error.value) == (
        "Nhân khẩu",
        4037,
        "C",
        "Ngày sinh",
        "31/02/1990",
    )
    assert "không phải ngày có thật" in error.reason
    assert (
        error.message()
        == "Trang “Nhân khẩu”, dòng 4.037, cột C (Ngày sinh): “31/02/1990” không phải ngày có thật"
    )
    assert not Household.objects.exists() and not Person.objects.exists()
    assert not AuditEvent.objects.exists()


def test_dry_run_writes_nothing_then_confirm_writes_all(world, tmp_path):
    path = builders.big_persons_xlsx(tmp_path / "vua.xlsx", persons=400)
    report = importer.import_files(world.village1, [path], user=world.alice, dry_run=True)
    assert report.ok and not report.applied
    assert report.counts["households_created"] == 100 and report.counts["persons_created"] == 400
    assert not Person.objects.exists() and not AuditEvent.objects.exists()
    importer.apply(report, world.alice)
    assert Household.objects.filter(village=world.village1).count() == 100
    assert Person.objects.filter(village=world.village1).count() == 400
    assert AuditEvent.objects.filter(batch__isnull=False).count() == 500


def test_second_import_of_the_same_file_changes_nothing(world, tmp_path):
    path = builders.big_persons_xlsx(tmp_path / "hai-lan.xlsx", persons=200)
    importer.import_files(world.village1, [path], user=world.alice)
    before_h = list(Household.objects.order_by("pk").values())
    before_p = list(Person.objects.order_by("pk").values())
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok
    assert (
        report.counts.get("households_created", 0) == 0
        and report.counts.get("persons_created", 0) == 0
    )
    assert (
        report.counts.get("households_updated", 0) == 0
        and report.counts.get("persons_updated", 0) == 0
    )
    assert report.counts["persons_unchanged"] == 200
    assert list(Household.objects.order_by("pk").values()) == before_h
    assert list(Person.objects.order_by("pk").values()) == before_p
    second = importer.import_events(world.village1).first()
    assert second.items.count() == 0


def test_errors_make_the_whole_import_fail_atomically(world, tmp_path, monkeypatch):
    path = builders.big_persons_xlsx(tmp_path / "ok.xlsx", persons=40)
    report = importer.preview(world.village1, [path])
    assert report.ok

    real_insert = write._raw_insert

    def boom(model, rows, returning):
        if model is AuditEvent:  # the last write: households and persons are already inserted
            raise RuntimeError("disk full")
        return real_insert(model, rows, returning)

    monkeypatch.setattr(write, "_raw_insert", boom)
    with pytest.raises(RuntimeError):
        importer.apply(report, world.alice)
    assert not Household.objects.exists() and not Person.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()


def test_validation_messages(world, tmp_path):
    path = tmp_path / "loi.csv"
    path.write_text(
        "Mã hộ,Họ và tên,Ngày sinh,Giới tính,Quan hệ với chủ hộ,ĐTTM,CCCD\n"
        "A1,Nguyễn A,01/01/2090,Nam,Chủ hộ,x,\n"
        "A1,Nguyễn B,01/01/1990,Nữ?,Vợ,có lẽ,12AB\n"
        "A1,Nguyễn B,01/01/1990,Nữ,Bạn,x,\n"
        "A2,,01/01/1990,Nữ,Chủ hộ,x,\n",
        encoding="utf-8",
    )
    report = importer.preview(world.village1, [path])
    messages = [e.message() for e in report.errors]
    assert "Trang “loi”, dòng 2, cột C (Ngày sinh): ngày “01/01/2090” ở tương lai" in messages
    assert any("dòng 3, cột D (Giới tính): giới tính “Nữ?” không rõ" in m for m in messages)
    assert any("dòng 3, cột F (ĐTTM): “có lẽ” không phải có/không" in m for m in messages)
    assert any("dòng 3, cột G (CCCD)" in m and "chỉ được có chữ số" in m for m in messages)
    assert any("dòng 4" in m and "trùng với dòng 3" in m for m in messages)
    assert any("dòng 5" in m and "thiếu họ và tên" in m for m in messages)
    assert any("quan hệ “Bạn” không rõ" in w.message() for w in report.warnings)


def test_unknown_columns_are_reported_and_can_be_mapped(world, tmp_path):
    path = tmp_path / "map.csv"
    path.write_text(
        "Mã hộ,Họ và tên,Năm sinh,Quan hệ,Dùng app ngân hàng,Cột lạ\n"
        "M1,Trịnh Văn X,1980,Chủ hộ,x,abc\n",
        encoding="utf-8",
    )
    report = importer.preview(world.village1, [path])
    # An unknown column is a warning; one that may hold a criterion's fact is asked about.
    assert {h for _s, _l, h in report.unmatched} == {"Cột lạ"}
    assert any("không nhận ra cột “Cột lạ”" in w.message() for w in report.warnings)
    (question,) = report.questions
    assert (question["column"], question["header"]) == ("E", "Dùng app ngân hàng")
    assert question["candidates"][0]["field"] == "epayment_account"
    mapping = importer.parse_mapping(["Dùng app ngân hàng=epayment_account", "cot la="])
    report = importer.import_files(world.village1, [path], user=world.alice, mapping=mapping)
    assert report.ok and not report.unmatched
    person = Person.objects.get(full_name="Trịnh Văn X")
    assert person.epayment_account and person.birth_date == dt.date(1980, 1, 1)


def test_two_columns_for_one_field_keep_the_first_and_say_so(world, tmp_path):
    path = tmp_path / "trung.csv"
    path.write_text(
        "Mã hộ,Họ và tên,Năm sinh,Quan hệ,ĐTTM,Điện thoại thông minh\nT1,Ai Đó,1980,Chủ hộ,x,\n",
        encoding="utf-8",
    )
    report = importer.preview(world.village1, [path])
    assert report.ok
    assert any(
        w.message()
        == "Trang “trung”, dòng 1, cột F (Điện thoại thông minh): cột “Điện thoại thông minh” cũng là "
        "“Sử dụng điện thoại thông minh” như cột E: bỏ qua cột F; để nhập cột này, chọn cho nó một "
        'trường khác ở bước gán cột (dòng lệnh: --map "trung!F=mã_trường")'
        for w in report.warnings
    )


def test_value_spellings():
    from smartvillage.transfer import values as V

    for yes in ("x", "X", "có", "Có", "CÓ", "1", 1, "yes", "Yes", "✓", True):
        assert V.parse_bool(yes) is True, yes
    for no in (None, "", "không", "Không", "0", 0, "no", "No", False):
        assert V.parse_bool(no) is False, no
    assert V.parse_date(dt.datetime(1985, 3, 5, 0, 0)) == (dt.date(1985, 3, 5), False)
    assert V.parse_date("05/03/1985") == (dt.date(1985, 3, 5), False)
    assert V.parse_date("5/3/85") == (dt.date(1985, 3, 5), False)
    assert V.parse_date("5-3-1985") == (dt.date(1985, 3, 5), False)
    assert V.parse_date("1985") == (dt.date(1985, 1, 1), True)
    assert V.parse_date(1985) == (dt.date(1985, 1, 1), True)
    assert V.parse_date(31111) == (dt.date(1985, 3, 5), False)  # Excel serial number
    assert V.parse_date("31111") == (dt.date(1985, 3, 5), False)
    assert V.parse_date("1985-03-05") == (dt.date(1985, 3, 5), False)
    for sex, code in (
        ("Nam", "M"),
        ("nam", "M"),
        ("M", "M"),
        ("Nữ", "F"),
        ("NỮ", "F"),
        ("F", "F"),
        ("", ""),
    ):
        assert V.parse_sex(sex) == code
    for bad in ("30/02/1990", "abc", "13/13/1990"):
        with pytest.raises(ValueError):
            V.parse_date(bad)
