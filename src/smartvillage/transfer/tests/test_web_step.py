"""The web import step (issue #8): questions, preview, saved mappings, corrected files, the log.

Every test goes through the real engine and real files written to disk and read back.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from smartvillage.core.testing import PASSWORD
from smartvillage.registry.models import Person
from smartvillage.transfer import mappings
from smartvillage.transfer.models import ImportJob, JobStatus, SavedMapping
from smartvillage.transfer.web_report import clean_reason

pytestmark = pytest.mark.django_db

HEADERS = ["STT", "Mã hộ", "Họ và tên", "Ngày sinh", "Giới tính", "Quan hệ với chủ hộ", "Số CCCD"]
# A column no header table knows: the user must say what it is.
ODD_HEADER = "Cột theo dõi riêng của thôn"


def village_xlsx(
    path: Path,
    sheet: str,
    households: int = 4,
    odd_header: str = ODD_HEADER,
    extra_first: str | None = None,
    code_prefix: str = "H",
) -> Path:
    """A village list of `households` × 3 persons; the odd column holds x or blank."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    headers = [*HEADERS, odd_header]
    if extra_first:
        headers.insert(1, extra_first)
    ws.append(headers)
    n = 0
    for h in range(1, households + 1):
        for rel, name, year, sex in (
            ("Chủ hộ", f"Lò Văn Chủ{h}", 1970 + h, "Nam"),
            ("Vợ", f"Lường Thị Vợ{h}", 1972 + h, "Nữ"),
            ("Con", f"Lò Văn Con{h}", 2000 + h, "Nam"),
        ):
            n += 1
            row = [
                n,
                f"{code_prefix}{h:02d}",
                name,
                f"0{h}/03/{year}",
                sex,
                rel,
                f"0790{h:02d}00{n:04d}",
                "x" if n % 2 else None,
            ]
            if extra_first:
                row.insert(1, "ghi chú")
            ws.append(row)
    wb.save(path)
    return path


def _login(client, user) -> None:
    assert client.login(username=user.username, password=PASSWORD)


def _upload(client, village, path: Path, previous: ImportJob | None = None) -> ImportJob:
    data = {"files": SimpleUploadedFile(path.name, path.read_bytes())}
    if previous is not None:
        data["previous"] = str(previous.pk)
    response = client.post(reverse("transfer:import", args=[village.pk]), data)
    assert response.status_code == 302, response.content.decode()[:500]
    job = ImportJob.objects.filter(village=village).order_by("-created_at").first()
    # The first visit lays a carried or saved mapping onto the file and checks it again.
    page = client.get(reverse("transfer:job", args=[job.pk]), follow=True)
    assert page.status_code == 200
    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEWED, job.message
    return job


def _page(client, job: ImportJob) -> str:
    return client.get(reverse("transfer:job", args=[job.pk])).content.decode()


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _odd_ref(job: ImportJob) -> str:
    for layout in job.report["layouts"]:
        for column in layout.get("all_columns", []):
            if column["header"] == ODD_HEADER:
                return f"{layout['name']}!{column['letter']}"
    for item in job.report.get("questions", []):
        if item["header"] == ODD_HEADER:
            return f"{item['sheet']}!{item['column']}"
    raise AssertionError("the odd column is not in the report")


def _answer(client, job: ImportJob, ref: str, field: str) -> None:
    client.post(reverse("transfer:job_mapping", args=[job.pk]), {f"q:{ref}": field})
    job.refresh_from_db()
    assert job.mapping.get(ref) == field
    assert not any(f"{q['sheet']}!{q['column']}" == ref for q in job.report.get("questions", []))


def _confirm(client, job: ImportJob, **extra) -> None:
    client.post(reverse("transfer:job_confirm", args=[job.pk]), extra)
    job.refresh_from_db()


def test_saved_mapping_is_offered_for_the_next_village_of_the_commune(client, world, tmp_path):
    _login(client, world.carol)  # commune officer: edits every village of Xã An
    first = _upload(client, world.village1, village_xlsx(tmp_path / "thon-mot.xlsx", "Thôn Một"))
    assert first.saved_mapping is None and not SavedMapping.objects.exists()
    ref = _odd_ref(first)
    _answer(client, first, ref, "online_public_services")
    _confirm(client, first)
    assert first.status == JobStatus.DONE, first.message
    saved = SavedMapping.objects.get()
    assert saved.commune == world.commune and saved.created_by == world.carol
    assert saved.mapping == [
        {
            "sheet_index": 0,
            "sheet": "Thôn Một",
            "letter": ref.split("!")[1],
            "header": ODD_HEADER,
            "field": "online_public_services",
        }
    ]

    # The next village's list: same header layout, its own sheet name and households.
    path = village_xlsx(tmp_path / "thon-hai.xlsx", "Thôn Hai", households=3, code_prefix="K")
    second = _upload(client, world.village2, path)
    assert second.saved_mapping == saved
    assert second.mapping == {f"Thôn Hai!{ref.split('!')[1]}": "online_public_services"}
    text = _text(_page(client, second))
    assert "Đã áp dụng cách gán cột đã lưu cho mẫu tệp này" in text
    assert f"“{ODD_HEADER}” → Sử dụng dịch vụ công trực tuyến" in text
    assert "thon-mot.xlsx" in text and "Thôn Một" in text
    assert not second.report.get("questions")
    _confirm(client, second)
    assert second.status == JobStatus.DONE, second.message
    persons = Person.objects.filter(village=world.village2)
    assert persons.count() == 9 and persons.filter(online_public_services=True).count() == 5
    saved.refresh_from_db()
    assert saved.uses == 1 and saved.village == world.village2


def test_saved_mapping_stays_in_its_commune_and_needs_the_same_layout(client, world, tmp_path):
    _login(client, world.carol)
    first = _upload(client, world.village1, village_xlsx(tmp_path / "a.xlsx", "Thôn Một"))
    _answer(client, first, _odd_ref(first), "vneid")
    _confirm(client, first)
    assert SavedMapping.objects.count() == 1
    # Another commune's village: not offered.
    _login(client, world.mallory)
    other = _upload(client, world.village3, village_xlsx(tmp_path / "b.xlsx", "Thôn Ba"))
    assert other.saved_mapping is None and other.mapping == {}
    # Same commune, another header layout (one more column): not offered either.
    _login(client, world.carol)
    path = village_xlsx(tmp_path / "c.xlsx", "Thôn Hai", extra_first="Ghi chú thêm")
    changed = _upload(client, world.village2, path)
    assert changed.saved_mapping is None and changed.mapping == {}


def test_corrected_file_keeps_the_column_choices_by_header(client, world, tmp_path):
    _login(client, world.alice)
    first = _upload(client, world.village1, village_xlsx(tmp_path / "ds.xlsx", "Danh sách"))
    ref = _odd_ref(first)
    _answer(client, first, ref, "smartphone")
    # The corrected file has a column more in front: the odd column moved one letter right.
    path = village_xlsx(tmp_path / "ds-sua.xlsx", "Danh sách", extra_first="Ghi chú thêm")
    second = _upload(client, world.village1, path, previous=first)
    assert second.previous == first and second.saved_mapping is None
    letter = ref.split("!")[1]
    moved = chr(ord(letter) + 1)
    assert second.mapping == {f"Danh sách!{moved}": "smartphone"}
    text = _text(_page(client, second))
    assert "Đã giữ các lựa chọn cột của lần tải trước" in text
    assert f"Cột {moved} “{ODD_HEADER}” → Sử dụng điện thoại thông minh" in text


def test_import_log_and_history_in_vietnamese_with_identity_numbers_masked(client, world, tmp_path):
    _login(client, world.carol)
    job = _upload(client, world.village1, village_xlsx(tmp_path / "ds.xlsx", "Thôn Một"))
    _answer(client, job, _odd_ref(job), "")  # "Bỏ qua cột này"
    _confirm(client, job)
    assert job.status == JobStatus.DONE and job.event_id
    html = client.get(reverse("transfer:event", args=[world.village1.pk, job.event_id]))
    text = _text(html.content.decode())
    assert "Quan hệ với chủ hộ: – → Chủ hộ" in text
    assert "Giới tính: – → Nữ" in text and "Ngày sinh: – → 01/03/1971" in text
    assert "Số CCCD/định danh: – → 079*******01" in text
    assert "079010000001" not in text
    for key in ("relationship", "identity_number", "birth_date", "full_name", " head "):
        assert key not in text, key
    person = Person.objects.get(full_name="Lò Văn Chủ1")
    history = client.get(reverse("audit:household_history", args=[person.household_id]))
    text = _text(history.content.decode())
    assert "Quan hệ với chủ hộ: – → Chủ hộ" in text and "079010000001" not in text
    assert f"lượt nhập #{job.event_id}" in text


def test_page_shows_no_field_keys_or_command_line_syntax(client, world, tmp_path):
    _login(client, world.alice)
    path = village_xlsx(tmp_path / "ds.xlsx", "Thôn Một", odd_header="Ghi nhận khác")
    job = _upload(client, world.village1, path)
    html = _page(client, job)
    text = _text(html)
    assert "--map" not in html and "--skip-column" not in html and "dòng lệnh" not in text
    for key in ("_index", "row_key", "parent_key", "online_public_services", "(epayment"):
        assert key not in text, key
    assert "Sử dụng dịch vụ công trực tuyến" in text  # the same choices, by their labels


def test_clean_reason_drops_command_line_hints():
    engine_text = (
        "không nhận ra cột “App”: bỏ qua (hãy chọn trường cho cột này nếu cần; "
        'dòng lệnh: --map "Nhân khẩu!L=mã_trường")'
    )
    assert clean_reason(engine_text) == (
        "không nhận ra cột “App”: bỏ qua (hãy chọn trường cho cột này nếu cần)"
    )
    assert clean_reason('cột B: hỏi (--map "S!B=x" hoặc --skip-column "S!B")') == "cột B: hỏi"
    assert clean_reason("ngày sinh sai") == "ngày sinh sai"


def test_translate_prefers_same_sheet_and_letter_among_equal_headers():
    report = {
        "layouts": [
            {
                "name": "Hộ",
                "role": "households",
                "all_columns": [
                    {"letter": "B", "header": "x"},
                    {"letter": "C", "header": "Ghi chú"},
                ],
            },
            {
                "name": "NK",
                "role": "persons",
                "all_columns": [
                    {"letter": "B", "header": "Ghi chú"},
                    {"letter": "D", "header": "Ghi chú"},
                ],
            },
        ]
    }
    entries = [
        {"sheet_index": 1, "sheet": "NK", "letter": "D", "header": "Ghi chú", "field": "vneid"},
        {"sheet_index": 1, "sheet": "NK", "letter": "B", "header": "ghi chu", "field": ""},
        {"sheet_index": 0, "sheet": "Hộ", "letter": "Z", "header": "gone", "field": "vneid"},
        {"sheet_index": 0, "sheet": "Hộ", "letter": "C", "header": "Ghi chú", "field": "nope"},
    ]
    assert mappings.translate(entries, report) == {"NK!D": "vneid", "NK!B": ""}
    assert mappings.portable({"NK!D": "vneid"}, report) == [entries[0]]


def _job_with_report(world, report: dict, **fields) -> ImportJob:
    base = {
        "ok": True,
        "counts": {"households_in_file": 4},
        "summary": "Hộ: 4 thêm",
        "layouts": [],
        "errors": [],
        "warnings": [],
        "error_count": 0,
        "warning_count": 0,
    }
    return ImportJob.objects.create(
        village=world.village1,
        user=world.alice,
        status=JobStatus.PREVIEWED,
        files=[{"path": "/nonexistent", "name": "ds.xlsx"}],
        report={**base, **report},
        mapping_offered=True,
        **fields,
    )


QUESTION = {
    "sheet": "Nhân khẩu",
    "column": "H",
    "header": "TK",
    "samples": ["x", "", "x", "có", "x", "không hiện"],
    "candidates": [
        {"field": "epayment_account", "label": "Có tài khoản thanh toán điện tử", "score": 71},
        {"field": "vneid", "label": "Cài đặt ứng dụng định danh điện tử VNeID", "score": 40},
        {"field": "smartphone", "label": "Sử dụng điện thoại thông minh", "score": 30},
        {"field": "internet", "label": "Hộ có sử dụng Internet", "score": 10},
    ],
    "reason": 'tiêu đề viết tắt (dòng lệnh: --map "Nhân khẩu!H=mã_trường")',
}


def test_open_questions_show_samples_and_candidates_and_block_the_write(client, world):
    report = {
        "questions": [QUESTION],
        "warnings": [{"sheet": "Nhân khẩu", "row": 3, "column": "C", "reason": "năm sinh lạ"}],
        "warning_count": 1,
        "preview_rows": [
            {
                "sheet": "Nhân khẩu",
                "columns": ["Họ và tên", "Ngày sinh", "Số CCCD", "Có tài khoản thanh toán điện tử"],
                "rows": [
                    [f"Người {i}", f"1980-03-0{i % 9 + 1}", "079*******12", True] for i in range(12)
                ],
            }
        ],
    }
    job = _job_with_report(world, report)
    _login(client, world.alice)
    html = _page(client, job)
    text = _text(html)
    assert "Cột cần bạn chọn (1)" in text and "Cột H “TK”" in text
    assert "tiêu đề viết tắt" in text and "--map" not in html
    for sample in ("x", "có"):
        assert f'<span class="tag">{sample}</span>' in html
    assert "không hiện" not in text  # five samples, not six
    radios = re.findall(r'<input type="radio" name="q:Nhân khẩu!H" value="([^"]*)"', html)
    assert radios == ["epayment_account", "vneid", "smartphone", ""]  # top 3 + "Bỏ qua cột này"
    assert "Bỏ qua cột này" in text and "Hộ có sử dụng Internet</label>" not in html
    # The write: no button while a question is open, and the confirm block comes last.
    assert "Xác nhận và ghi vào sổ" not in html and "Còn 1 cột chưa chọn" in text
    assert html.index('id="warnings"') < html.index('id="confirm"')
    assert html.index('id="questions"') < html.index('id="confirm"')
    # The preview: ten rows as understood, dates dd/mm/yyyy, yes/no in words.
    assert html.count("<tr><td>Người ") == 10 and "01/03/1980" in text and "Có" in text
    _confirm(client, job)
    assert (
        job.status == JobStatus.PREVIEWED
        and not ImportJob.objects.filter(status=JobStatus.APPLYING).exists()
    )


def test_other_field_overrides_the_radio_and_skip_is_explicit(client, world, monkeypatch):
    from smartvillage.transfer import jobs

    started = []
    monkeypatch.setattr(jobs, "start_preview", lambda job, background=None: started.append(job))
    job = _job_with_report(world, {"questions": [QUESTION, {**QUESTION, "column": "I"}]})
    _login(client, world.alice)
    client.post(
        reverse("transfer:job_mapping", args=[job.pk]),
        {
            "q:Nhân khẩu!H": "vneid",
            "qo:Nhân khẩu!H": "digital_skills_trained",
            "q:Nhân khẩu!I": "",
            "qo:Nhân khẩu!I": "",
        },
    )
    job.refresh_from_db()
    assert job.mapping == {"Nhân khẩu!H": "digital_skills_trained", "Nhân khẩu!I": ""}
    assert started


def test_partial_write_button_and_rejected_rows_download(client, world, settings, monkeypatch):
    from smartvillage.transfer import jobs

    applied = []
    monkeypatch.setattr(jobs, "start_apply", lambda job, background=None: applied.append(job))
    report = {
        "ok": False,
        "error_count": 3,
        "errors": [{"sheet": "NK", "row": 5, "column": "D", "value": "31/02/1990", "reason": "x"}],
    }
    job = _job_with_report(world, report)
    _login(client, world.alice)
    html = _page(client, job)
    assert "Ghi các hộ hợp lệ" in html and "Xác nhận và ghi vào sổ" not in html
    _confirm(client, job)  # the default is all or nothing: refused
    assert not applied and not job.partial
    _confirm(client, job, partial="1")
    assert applied and job.partial

    wb = Workbook()
    wb.active.append(["Họ và tên", "Ngày sinh", "Lỗi"])
    content = io.BytesIO()
    wb.save(content)
    rejected = default_storage.save(jobs.rejected_name(job), ContentFile(content.getvalue()))
    job.status = JobStatus.DONE
    job.report = {**job.report, "rejected": 1, "rejected_file": rejected}
    job.save()
    html = _page(client, job)
    assert "1 dòng có lỗi chưa được ghi" in _text(html) and "Tải các dòng bị từ chối" in html
    response = client.get(reverse("transfer:job_rejected", args=[job.pk]))
    assert response.status_code == 200 and "ds-dong-loi.xlsx" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == content.getvalue()
    # Only the job's own stored file is served: never a path, nor another stored file.
    other = default_storage.save("imports/rejected/khac.xlsx", ContentFile(b"x"))
    for name in ("/etc/passwd", str(Path(settings.MEDIA_ROOT) / rejected), other):
        job.report = {**job.report, "rejected_file": name}
        job.save()
        assert client.get(reverse("transfer:job_rejected", args=[job.pk])).status_code == 404


def _list_with_bad_dates(path: Path, bad: set[int], households: int = 6) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append(["Mã hộ", "Họ và tên", "Ngày sinh", "Giới tính", "Quan hệ với chủ hộ"])
    for h in range(1, households + 1):
        ws.append([f"P{h}", f"Đinh Văn Chủ {h}", f"0{h}/04/1970", "Nam", "Chủ hộ"])
        ws.append([f"P{h}", f"Đinh Thị Vợ {h}", "31/02/1972" if h in bad else "01/02/1972", "Nữ"])
        ws.cell(ws.max_row, 5, "Vợ")
    wb.save(path)
    return path


def test_partial_import_through_the_web_and_the_corrected_rejected_file(client, world, tmp_path):
    from openpyxl import load_workbook

    _login(client, world.alice)
    job = _upload(client, world.village1, _list_with_bad_dates(tmp_path / "ds.xlsx", {2, 4, 6}))
    assert job.report["error_count"] == 3
    assert "Ghi các hộ hợp lệ" in _page(client, job)
    _confirm(client, job, partial="1")
    assert job.status == JobStatus.DONE, job.message
    assert set(Person.objects.values_list("household__code", flat=True)) == {"P1", "P3", "P5"}
    response = client.get(reverse("transfer:job_rejected", args=[job.pk]))
    assert response.status_code == 200
    fixed = tmp_path / "ds-dong-loi.xlsx"
    fixed.write_bytes(b"".join(response.streaming_content))
    wb = load_workbook(fixed)
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header[-1] == "Lỗi"
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if any(r)]
    assert sorted({r[0] for r in rows}) == ["P2", "P4", "P6"] and len(rows) == 6
    for row in ws.iter_rows(min_row=2):
        if row[2].value == "31/02/1972":
            row[2].value = "28/02/1972"
    wb.save(fixed)
    again = _upload(client, world.village1, fixed, previous=job)
    assert again.report["ok"], again.report["errors"]
    _confirm(client, again)
    assert again.status == JobStatus.DONE, again.message
    assert Person.objects.filter(village=world.village1).count() == 12
    assert len(set(Person.objects.values_list("household__code", flat=True))) == 6


def test_proposals_are_shown_preselected_and_confirmed_with_the_write(client, world, monkeypatch):
    from smartvillage.transfer import jobs

    applied = []
    monkeypatch.setattr(jobs, "start_apply", lambda job, background=None: applied.append(job))
    proposal = {**QUESTION, "field": "epayment_account", "label": "Có tài khoản thanh toán điện tử"}
    job = _job_with_report(world, {"proposed": [proposal]})
    _login(client, world.alice)
    html = _page(client, job)
    assert "Cột đã đoán, hãy kiểm tra (1)" in _text(html)
    assert '<input type="radio" name="q:Nhân khẩu!H" value="epayment_account" checked>' in html
    assert "Xác nhận và ghi vào sổ" in html  # a proposal does not block; the write confirms it
    _confirm(client, job)
    assert applied and job.mapping == {"Nhân khẩu!H": "epayment_account"}


def test_saved_mappings_listed_on_the_import_page_and_deleted(client, world, tmp_path):
    _login(client, world.carol)
    job = _upload(client, world.village1, village_xlsx(tmp_path / "ds.xlsx", "Thôn Một"))
    _answer(client, job, _odd_ref(job), "vneid")
    _confirm(client, job)
    saved = SavedMapping.objects.get()
    # Listed for every village of the commune, by header and label.
    page = client.get(reverse("transfer:import", args=[world.village2.pk])).content.decode()
    assert "Cách gán cột đã lưu của xã" in page
    assert f"“{ODD_HEADER}” → Cài đặt ứng dụng định danh điện tử VNeID" in _text(page)
    # Not for another commune's village head, who cannot delete it either.
    _login(client, world.mallory)
    page = client.get(reverse("transfer:import", args=[world.village3.pk])).content.decode()
    assert "Cách gán cột đã lưu của xã" not in page
    url = reverse("transfer:saved_mapping_delete", args=[world.village3.pk, saved.pk])
    client.post(url)
    assert SavedMapping.objects.exists()
    _login(client, world.carol)
    client.post(reverse("transfer:saved_mapping_delete", args=[world.village2.pk, saved.pk]))
    assert not SavedMapping.objects.exists()


def test_the_same_file_uploaded_again_from_the_start_page_keeps_the_choices(
    client, world, tmp_path
):
    _login(client, world.alice)
    path = village_xlsx(tmp_path / "ds.xlsx", "Thôn Một")
    first = _upload(client, world.village1, path)
    ref = _odd_ref(first)
    _answer(client, first, ref, "vneid")
    # Not confirmed; corrected in Excel and sent again through "Nhập tệp khác".
    second = _upload(client, world.village1, path)
    assert second.previous == first and second.mapping == {ref: "vneid"}
    assert "Đã giữ các lựa chọn cột của lần tải trước" in _text(_page(client, second))
    # Another user's choices are not someone else's: carol starts afresh.
    _login(client, world.carol)
    third = _upload(client, world.village1, path)
    assert third.previous is None and third.mapping == {}


def test_identity_numbers_in_errors_are_masked(client, world):
    layouts = [
        {
            "name": "NK",
            "role": "persons",
            "all_columns": [{"letter": "G", "header": "CCCD", "field": "identity_number"}],
        }
    ]
    error = {
        "sheet": "NK",
        "row": 4,
        "column": "G",
        "header": "CCCD",
        "value": "79012345678",
        "fix": "079012345678",
        "reason": "số CCCD có 11 chữ số",
    }
    job = _job_with_report(
        world, {"ok": False, "layouts": layouts, "errors": [error], "error_count": 1}
    )
    _login(client, world.alice)
    html = _page(client, job)
    assert "79012345678" not in html and "790******78" in html
    assert "Đề xuất sửa thành: 079*******78" in _text(html)


def test_totals_and_signature_rows_are_listed_as_skipped_not_errors(client, world, tmp_path):
    from openpyxl import load_workbook

    path = village_xlsx(tmp_path / "ds.xlsx", "Thôn Một", households=2)
    wb = load_workbook(path)
    ws = wb.active
    ws.append(["Tổng cộng: 02 hộ, 06 nhân khẩu"])
    ws.append([])
    ws.append([None, None, "NGƯỜI LẬP BIỂU", None, None, "TRƯỞNG THÔN"])
    wb.save(path)
    _login(client, world.alice)
    job = _upload(client, world.village1, path)
    assert job.report["error_count"] == 0
    text = _text(_page(client, job))
    assert "Dòng không phải hộ, nhân khẩu (bỏ qua)" in text and "Tổng cộng: 02 hộ" in text


def test_the_step_in_english_is_translated(client, world, tmp_path):
    _login(client, world.alice)
    job = _upload(client, world.village1, village_xlsx(tmp_path / "ds.xlsx", "Thôn Một"))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = _page(client, job)
    assert "Preview (nothing written yet)" in html and "Xem trước" not in html
    assert "Write to the registry" in html and "--map" not in html


def test_old_rejected_rows_files_are_purged(settings, tmp_path, db):
    import os
    import time

    from smartvillage.transfer import jobs

    settings.DATA_DIR = tmp_path
    folder = tmp_path / "rejected"
    folder.mkdir()
    old, new = folder / "old.xlsx", folder / "new.xlsx"
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    three_days = time.time() - 3 * 24 * 3600
    os.utime(old, (three_days, three_days))
    jobs.purge_old_uploads()
    assert not old.exists() and new.exists()
