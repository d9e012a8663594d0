import datetime as dt
import io
import subprocess
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
from django.core.management import CommandError, call_command

from smartvillage.assessments import services
from smartvillage.assessments.tests.conftest import AT, PHUTHO, populate
from smartvillage.criteria.loader import get_set
from smartvillage.documents import build_templates, rendering, reports
from smartvillage.evidence import services as evidence

SUBMITTED = dt.datetime(2024, 3, 5, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def _text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


@pytest.fixture
def submitted(world, monkeypatch):
    populate(world.village1)
    evidence.do_create_evidence(
        world.alice,
        world.village1,
        category="document",
        type="decision_digital_team",
        title="Quyết định thành lập tổ công nghệ số cộng đồng Thôn Một",
        number="12/QĐ-UBND",
        issued_date=dt.date(2024, 1, 10),
        issuer="UBND Xã An",
    )
    a = services.do_create(
        world.alice,
        world.village1,
        PHUTHO,
        AT,
        signer_name="Phạm Văn Định",
        report_number="15/BC-UBND",
        strengths="Nhân dân đồng thuận cao",
    )
    monkeypatch.setattr(services.timezone, "now", lambda: SUBMITTED)
    services.do_submit(world.alice, a)
    a.refresh_from_db()
    return a


def test_mau01_docx_from_snapshot(submitted):
    data = reports.render_report("mau01", reports.source_for_assessment(submitted), "docx")
    text = _text(data)
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN",
        "XÃ AN",
        "Số: 15/BC-UBND",
        "Xã An, ngày 05 tháng 3 năm 2024",
        "Mẫu số 01",
        "BÁO CÁO",
        "Kết quả thực hiện tiêu chí khu dân cư thông minh năm 2024",
        "Căn cứ Quyết định số 1491/QĐ-UBND ngày 20 tháng 7 năm 2023 của UBND tỉnh Phú Thọ",
        "I. Công tác tổ chức triển khai thực hiện",
        "số 12/QĐ-UBND ngày 10/01/2024 của UBND Xã An",
        "II. Kết quả thực hiện các chỉ tiêu",
        "Tỷ lệ 80 % (4/5 hộ), yêu cầu từ 80 % trở lên.",
        "Tỷ lệ 60 % (3/5 người), yêu cầu từ 80 % trở lên, còn thiếu 1 người.",
        "1.3 | Tỷ lệ người dân ở độ tuổi lao động có tài khoản",
        "III. Đánh giá chung",
        "Nhân dân đồng thuận cao",
        "IV. Tự đánh giá",
        "Thôn Một: KHÔNG ĐẠT",
        "Nơi nhận:",
        "- Sở TT&TT;",
        "- Lưu: VT.",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Phạm Văn Định",
        "Biểu 01",
        "Danh sách hộ dân được phủ mạng Internet băng rộng cáp quang",
        "Tổng cộng: 4",
        "Biểu 03",
        "Xác nhận của UBND xã",
        "Xác nhận của khu dân cư",
    ]:
        assert expected in text, expected
    # The Biểu 01 list holds exactly the households that met the criterion, by name.
    document = docx.Document(io.BytesIO(data))
    lists = [t for t in document.tables if t.rows[0].cells[0].text == "STT"]
    assert [r.cells[1].text for r in lists[0].rows[1:-1]] == [
        f"Nguyễn Văn Hộ {submitted.unit_id}-{i}" for i in range(4)
    ]
    assert "{{" not in text and "{%" not in text
    props = document.core_properties
    assert props.created == SUBMITTED.astimezone(dt.UTC)


def test_docx_is_reproducible_zip(submitted):
    source = reports.source_for_assessment(submitted)
    first = reports.render_report("mau01", source, "docx")
    second = reports.render_report("mau01", reports.source_for_assessment(submitted), "docx")
    assert first == second
    times = {info.date_time for info in zipfile.ZipFile(io.BytesIO(first)).infolist()}
    assert times == {(2024, 3, 5, 2, 30, 0)}


def test_pdf_renders_with_national_header(submitted, tmp_path):
    pdf = reports.render_report("mau01", reports.source_for_assessment(submitted), "pdf")
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "mau01.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
    )
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes().startswith(b"\x89PNG")
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "BÁO CÁO" in text and "Thôn Một" in text
    # Reproducible too: LibreOffice's creation time and document id are pinned to the submission.
    assert reports.render_report("mau01", reports.source_for_assessment(submitted), "pdf") == pdf


def test_criteria_report_for_any_set(world):
    populate(world.village1)
    cset = get_set("dongthap-lang-thong-minh-384")
    data = reports.render_report("criteria", reports.source_live(world.village1, cset, AT), "docx")
    text = _text(data)
    assert "II. KẾT QUẢ THỰC HIỆN CÁC TIÊU CHÍ" in text
    for group in cset.groups:
        assert f"{group.code}. {group.title}" in text
    assert "2.13. Tiêu chí:" in text and "Thực trạng:" in text and "Kết quả:" in text
    assert "Dân số: 5 người (5 hộ)." in text
    assert "Số liệu tính trực tiếp từ hệ thống tại ngày tham chiếu 05/03/2024 (chưa chốt)." in text


def test_commune_summary_for_kontum(world):
    populate(world.village1, n=5, fibre=5, smartphone=5, epay=5)
    populate(world.village2, n=4, smartphone=1, epay=0)
    cset = get_set("kontum-xa-ntm-thong-minh-2431")
    data = reports.render_report("commune", reports.source_live(world.commune, cset, AT), "docx")
    text = _text(data)
    assert "I. KẾT QUẢ CỦA CÁC THÔN" in text and "II. CÁC TIÊU CHÍ CỦA XÃ" in text
    rows = [line for line in text.splitlines() if line.startswith(("1 |", "2 |"))]
    assert rows[0].startswith("1 | Thôn Một |") and rows[1].startswith("2 | Thôn Hai |")
    assert rows[1].endswith("Chưa đạt")
    assert "Số thôn đạt" in text and "thôn thông minh" in text
    assert "Xã An: KHÔNG ĐẠT" in text
    assert (
        "Căn cứ Văn bản số 2431/UBND-NNTN ngày 28 tháng 7 năm 2023 của UBND tỉnh Kon Tum về việc"
        in text
    )


def test_admin_replaced_template_is_used(world, settings, tmp_path):
    populate(world.village1)
    settings.SMARTVILLAGE_DOCUMENT_TEMPLATES_DIR = str(tmp_path)
    document = docx.Document()
    document.add_paragraph("MẪU RIÊNG CỦA TỈNH: {{ unit_name }} – {{ overall_label }}")
    document.save(str(tmp_path / "criteria.docx"))
    cset = get_set(PHUTHO)
    text = _text(
        reports.render_report("criteria", reports.source_live(world.village1, cset, AT), "docx")
    )
    assert text.strip() == "MẪU RIÊNG CỦA TỈNH: Thôn Một – Không đạt"


def test_shipped_templates_match_builder(tmp_path):
    """The committed templates are what build_templates produces (same document XML)."""
    build_templates.build_all(tmp_path)
    for name in rendering.TEMPLATE_NAMES:
        built = zipfile.ZipFile(tmp_path / name).read("word/document.xml")
        shipped = zipfile.ZipFile(rendering.SHIPPED_DIR / name).read("word/document.xml")
        assert built == shipped, name


def test_cli_report(world, tmp_path, submitted):
    out = tmp_path / "r.docx"
    call_command(
        "report",
        "mau01",
        "--unit",
        world.village1.code,
        "--criteria-set",
        PHUTHO,
        "--assessment",
        str(submitted.pk),
        "--format",
        "docx",
        "-o",
        str(out),
    )
    assert out.read_bytes() == reports.render_report(
        "mau01", reports.source_for_assessment(submitted), "docx"
    )
    live = tmp_path / "live.docx"
    call_command(
        "report",
        "criteria",
        "--unit",
        str(world.village1.pk),
        "--criteria-set",
        PHUTHO,
        "--at",
        "2024-03-05",
        "--format",
        "docx",
        "-o",
        str(live),
    )
    assert "Thôn Một" in _text(live.read_bytes())
    with pytest.raises(CommandError, match="không khớp"):
        call_command(
            "report",
            "mau01",
            "--unit",
            world.village2.code,
            "--criteria-set",
            PHUTHO,
            "--assessment",
            str(submitted.pk),
            "--format",
            "docx",
            "-o",
            str(out),
        )
    with pytest.raises(CommandError, match="Không có bộ tiêu chí"):
        call_command(
            "report",
            "mau01",
            "--unit",
            world.village1.code,
            "--criteria-set",
            "khong-co",
            "--format",
            "docx",
            "-o",
            str(out),
        )
    assert not Path(tmp_path / "missing.docx").exists()
