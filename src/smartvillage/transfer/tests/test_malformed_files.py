"""Hostile and broken import files (issue 11, items 1 and 9): bounded, refused in Vietnamese.

Over 300 generated files (transfer/tests/malformed.py) go through the real import path: each is
refused with a DomainError in plain Vietnamese or imported, none hangs (a 10 s alarm per file is
a guard that fails the test, not a measurement), none raises anything else, and a refused file
writes nothing.
"""

from __future__ import annotations

import re
import signal
import zipfile
from contextlib import contextmanager

import pytest

from smartvillage.audit.models import AuditEvent
from smartvillage.core.errors import DomainError
from smartvillage.registry.models import Household, Person
from smartvillage.transfer import importer
from smartvillage.transfer.models import ImportJob, JobStatus
from smartvillage.transfer.reader import read_file
from smartvillage.transfer.tests import malformed

PER_FILE_GUARD_SECONDS = 10
_VIETNAMESE = re.compile("[ăâđêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ]", re.IGNORECASE)
# What a refusal must never show: exception names, Python/openpyxl English, server paths.
_FORBIDDEN = re.compile(
    r"Error\b|Exception|Traceback|Errno|openpyxl|xlrd|zipfile|File is not|"
    r"BadZip|Unsupported|not a zip|Can't find|workbook|/tmp|/work|/home|\\\\",
)


class Hung(Exception):
    pass


@contextmanager
def guard(seconds: int):
    """Fail instead of hanging: SIGALRM interrupts a file that reads for longer than `seconds`."""

    def _alarm(signum, frame):
        raise Hung(f"still reading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_plain_vietnamese(message: str, where: str) -> None:
    assert _VIETNAMESE.search(message), f"{where}: not Vietnamese: {message!r}"
    assert not _FORBIDDEN.search(message), f"{where}: technical words: {message!r}"


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> list[malformed.Case]:
    return malformed.generate(tmp_path_factory.mktemp("malformed"))


def _counts() -> tuple[int, int, int]:
    return Household.objects.count(), Person.objects.count(), AuditEvent.objects.count()


def test_generator_makes_the_kinds_of_the_attack_test(cases):
    assert len(cases) >= 300
    kinds = {case.kind for case in cases}
    for kind in (
        "dimension_lie",
        "spaces_bomb",
        "csv_too_wide",
        "zip_declared_huge",
        "password",
        "html_as_xls",
        "xml_entity_bomb",
        "control_character",
        "good",
    ):
        assert kind in kinds
    bomb = next(c for c in cases if c.kind == "spaces_bomb")
    with zipfile.ZipFile(bomb.path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    assert bomb.path.stat().st_size < 1024 * 1024 and unpacked > 600 * 1024 * 1024


def test_every_malformed_file_is_refused_in_vietnamese_or_imported_without_partial_writes(
    world, cases
):
    failures: list[str] = []
    refused_kinds: dict[str, int] = {}
    imported = 0
    for case in cases:
        before = _counts()
        try:
            with guard(PER_FILE_GUARD_SECONDS):
                report = importer.import_files(world.village1, [case.path], user=world.alice)
        except DomainError as exc:
            refused_kinds[case.kind] = refused_kinds.get(case.kind, 0) + 1
            try:
                assert_plain_vietnamese(exc.message, case.path.name)
            except AssertionError as problem:
                failures.append(str(problem))
            if _counts() != before:
                failures.append(f"{case.path.name}: refused but wrote rows")
            continue
        except Hung:
            failures.append(f"{case.path.name} ({case.kind}): hung")
            continue
        except Exception as exc:  # noqa: BLE001 - any other exception is the defect we look for
            failures.append(f"{case.path.name} ({case.kind}): {type(exc).__name__}: {exc}")
            continue
        if case.must_refuse:
            failures.append(f"{case.path.name} ({case.kind}): accepted")
        if report.applied:
            imported += 1
        elif _counts() != before:
            failures.append(f"{case.path.name}: not applied but wrote rows")
        for issue in report.errors:
            try:
                assert_plain_vietnamese(issue.message(), case.path.name)
            except AssertionError as problem:
                failures.append(str(problem))
    assert not failures, "\n".join(failures)
    assert imported >= 12  # the good files still import
    assert refused_kinds["password"] == 10


def test_a_sheet_claiming_the_whole_grid_is_read_by_its_real_cells(tmp_path):
    rows = [*malformed.good_rows(), (1048576, ["cuối"])]
    path = tmp_path / "khai-gian.xlsx"
    path.write_bytes(malformed.xlsx_bytes([malformed.sheet_xml(rows, dimension="A1:XFD1048576")]))
    with guard(PER_FILE_GUARD_SECONDS):
        sheets = read_file(path)
    assert [number for number, _values in sheets[0].rows] == [1, 2, 3, 1048576]
    assert sheets[0].rows[-1][1] == ["cuối"]
    assert max(len(values) for _n, values in sheets[0].rows) == 4


def test_600_megabytes_of_spaces_are_refused_before_they_are_unpacked(cases):
    path = next(c.path for c in cases if c.kind == "spaces_bomb")
    with guard(PER_FILE_GUARD_SECONDS), pytest.raises(DomainError) as info:
        read_file(path)
    assert info.value.code == "too_large_unpacked"
    assert "khi giải nén lớn 600 MB, quá giới hạn 200 MB" in info.value.message


def test_a_csv_wider_than_excel_is_refused_with_its_row(tmp_path):
    path = tmp_path / "rong.csv"
    header = ",".join(["Mã hộ", "Họ và tên", *(f"c{n}" for n in range(18_300))])
    path.write_text(header + "\nH1,An\n", encoding="utf-8")
    with guard(PER_FILE_GUARD_SECONDS), pytest.raises(DomainError) as info:
        read_file(path)
    assert info.value.code == "too_many_columns"
    assert "trang “rong”, dòng 1" in info.value.message and "quá giới hạn 500 cột" in (
        info.value.message
    )


def test_a_password_protected_workbook_is_named_as_such(tmp_path):
    path = tmp_path / "bao-mat.xlsx"
    path.write_bytes(malformed.password_xlsx("bimat"))
    with pytest.raises(DomainError) as info:
        read_file(path, display_name="Danh sách hộ.xlsx")
    assert info.value.code == "password_protected"
    assert info.value.message.startswith("Tệp được đặt mật khẩu: “Danh sách hộ.xlsx”")
    assert ".xls" not in info.value.message.replace("Danh sách hộ.xlsx", "")


def test_html_saved_as_xls_is_named_a_web_page(tmp_path):
    path = tmp_path / "xuat.xls"
    path.write_bytes(b"\xef\xbb\xbf<html><body><table><tr><td>1</td></tr></table></html>")
    with pytest.raises(DomainError, match="là trang web"):
        read_file(path)


def test_limits_come_from_settings(settings, tmp_path):
    settings.IMPORT_MAX_ROWS = 3
    settings.IMPORT_MAX_CELL_CHARS = 10
    path = tmp_path / "nhieu.csv"
    path.write_text("Mã hộ,Họ và tên\n" + "".join(f"H{i},An\n" for i in range(5)), "utf-8")
    with pytest.raises(DomainError, match="có hơn 3 dòng dữ liệu"):
        read_file(path)
    path.write_text("Mã hộ,Họ và tên\nH1,Nguyễn Văn Anh Tuấn\n", "utf-8")
    with pytest.raises(DomainError, match="cột B: ô dài 19 ký tự, quá giới hạn 10"):
        read_file(path)


def test_the_wall_clock_limit_stops_a_slow_read(settings, tmp_path, monkeypatch):
    settings.IMPORT_MAX_SECONDS = 5
    clock = iter(range(0, 10_000, 3))  # every look at the clock is 3 s later
    monkeypatch.setattr("smartvillage.transfer.reader.time.monotonic", lambda: next(clock))
    path = tmp_path / "cham.csv"
    path.write_text("Mã hộ,Họ và tên\n" + "".join(f"H{i},An\n" for i in range(3000)), "utf-8")
    with pytest.raises(DomainError) as info:
        read_file(path)
    assert info.value.code == "file_too_slow" and "cần hơn 5 giây để đọc" in info.value.message


def test_a_control_character_in_a_cell_is_refused_with_its_cell(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes("Mã hộ,Họ và tên\nH1,Nguyễn\x00An\n".encode())
    with pytest.raises(DomainError) as info:
        read_file(path)
    assert info.value.message == (
        "Tệp “nul.csv”, trang “nul”, dòng 2, cột B: ô có ký tự điều khiển không in được "
        "(U+0000) ở vị trí 7; hãy gõ lại nội dung này thay vì dán; chưa ghi gì."
    )


def test_a_refused_upload_leaves_the_job_failed_with_the_reason(client, world, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from smartvillage.core.testing import PASSWORD

    assert client.login(username=world.alice.username, password=PASSWORD)
    data = malformed.xlsx_bytes(
        [malformed.sheet_xml([(1, [None] * 16383 + ["x"])], dimension="A1:XFD1048576")]
    )
    url = reverse("transfer:import", args=[world.village1.pk])
    response = client.post(url, {"files": SimpleUploadedFile("rong.xlsx", data)})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == JobStatus.FAILED
    assert "quá giới hạn 500 cột" in job.message
    assert_plain_vietnamese(job.message, "job")
    assert not Person.objects.exists()
