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
        "- Sở Khoa học và Công nghệ;",
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


def test_mau01_wording(submitted):
    """Audit fixes: names inside sentences, no repeated "Yêu cầu", 100 % targets, requirements
    met (not records) in the summary table, the basis punctuated, the decree's right margin."""
    data = reports.render_report("mau01", reports.source_for_assessment(submitted), "docx")
    text = _text(data)
    assert (
        "UBND xã An báo cáo kết quả thực hiện tiêu chí khu dân cư thông minh của thôn Một "
        "(số liệu tại ngày 05/03/2024)" in text
    )
    assert "UBND Xã An báo cáo" not in text and "của Thôn Một" not in text
    assert "Thôn Một, xã An – số liệu ngày 05/03/2024" in text  # Biểu subtitle
    assert "- Yêu cầu: ≥ 80 %. Hồ sơ kiểm chứng: Thống kê danh sách hộ gia đình" in text
    assert "Yêu cầu: ≥ 80%. Yêu cầu" not in text and ". Yêu cầu:" not in text
    assert "Tỷ lệ 0 % (0/5 hộ), yêu cầu đạt 100 %, còn thiếu 5 hộ." in text
    assert "100 % trở lên" not in text and "≥ 100 %" not in text
    rows = {line.split(" | ")[0]: line.split(" | ") for line in text.splitlines() if " | " in line}
    assert rows["1.5"][2:4] == ["100 %", "0 % (0/5)"]
    assert rows["1.6"][3] == "1/3 yêu cầu"
    assert "Đã có 1 minh chứng (đáp ứng 1/3 yêu cầu)" in text
    basis = [line for line in text.splitlines() if line.startswith("Căn cứ")]
    # The decision, then the guidance the seed's Mẫu số 01 cites (its number left blank there).
    assert len(basis) == 2 and basis[0].endswith("giai đoạn 2021-2025;")
    assert basis[1].startswith("Căn cứ Hướng dẫn số …/HD-STTTT của Sở Thông tin và Truyền thông")
    assert basis[1].endswith("giai đoạn 2021- 2025.")
    document = docx.Document(io.BytesIO(data))
    for section in document.sections:
        assert section.right_margin.twips >= 851 and section.right_margin.mm >= 15
        assert section.left_margin.mm >= 30 and section.top_margin.mm >= 20
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert 'w:right="851"' in xml and 'w:right="850"' not in xml


def test_mau01_cites_the_guidance_when_the_set_records_it(submitted):
    source = reports.source_for_assessment(submitted)
    source.data = {**source.data, "criteria_set": dict(source.data["criteria_set"])}
    source.data["criteria_set"]["guidance"] = {
        "number": "1478/HD-STTTT",
        "date": "2023-07-25",
        "issuer": "Sở Thông tin và Truyền thông",
        "title": "Hướng dẫn thực hiện các nội dung tiêu chí khu dân cư thông minh trong Bộ tiêu "
        "chí xã nông thôn mới kiểu mẫu giai đoạn 2021 - 2025",
    }
    basis = reports.mau01_context(source)["basis"]
    assert basis == [
        "Căn cứ Quyết định số 1491/QĐ-UBND ngày 20 tháng 7 năm 2023 của UBND tỉnh Phú Thọ về việc "
        "ban hành tiêu chí khu dân cư thông minh trên địa bàn tỉnh Phú Thọ giai đoạn 2021-2025;",
        "Căn cứ Hướng dẫn số 1478/HD-STTTT ngày 25 tháng 7 năm 2023 của Sở Thông tin và Truyền "
        "thông thực hiện các nội dung tiêu chí khu dân cư thông minh trong Bộ tiêu chí xã nông "
        "thôn mới kiểu mẫu giai đoạn 2021 - 2025.",
    ]
    # Only Mẫu số 01 cites it; the generic report cites the set's legal basis alone.
    assert len(reports.criteria_context(source)["basis"]) == 1


def test_live_draft_is_dated_in_its_reference_year(world):
    populate(world.village1)
    at = dt.date(2024, 3, 5)
    source = reports.source_live(world.village1, get_set(PHUTHO), at)
    text = _text(reports.render_report("mau01", source, "docx"))
    assert "Xã An, ngày     tháng     năm 2024" in text
    assert "Kết quả thực hiện tiêu chí khu dân cư thông minh năm 2024" in text


def test_count_criteria_name_what_they_count(world):
    populate(world.village1)
    evidence.do_create_evidence(
        world.alice,
        world.village1,
        category="facility",
        type="wifi_public",
        title="Wi-Fi nhà văn hóa",
        quantity=3,
        since=dt.date(2024, 1, 1),
    )
    source = reports.source_live(world.village1, get_set("kontum-thon-thong-minh-2431"), AT)
    text = _text(reports.render_report("criteria", source, "docx"))
    assert "Thực trạng: Có 3 điểm wifi miễn phí công cộng (yêu cầu tối thiểu 1)." in text
    # Criterion 6 is an open list ("..."): the models it names, or another one described.
    assert "Còn thiếu: An ninh trật tự, giám sát cộng đồng / An toàn giao thông" in text
    assert "hoặc Lĩnh vực khác (ghi rõ trong phần mô tả)" in text
    assert "Có 0 (" not in text and "Có 3 (" not in text
    assert "của thôn Một" in text and "Đơn vị: Thôn Một, xã An." in text


@pytest.mark.parametrize(
    ("kind", "unit", "slug"),
    [
        ("commune", "village1", PHUTHO),
        ("criteria", "commune", PHUTHO),
        ("mau01", "commune", PHUTHO),
        ("mau01", "village1", "thanhhoa-thon-thong-minh-35"),
    ],
)
def test_render_refuses_a_report_that_does_not_fit(world, kind, unit, slug):
    """Whatever the caller (page, command, a frozen source): render_report itself refuses.
    (A commune set cannot even be evaluated for a village: the engine refuses that source.)"""
    from smartvillage.core.errors import DomainError

    source = reports.source_live(getattr(world, unit), get_set(slug), AT)
    with pytest.raises(DomainError) as exc:
        reports.render_report(kind, source, "docx")
    assert exc.value.code == "report_unsuitable"


def test_kinds_offered_per_level_and_set(db):
    phutho, thanhhoa = get_set(PHUTHO), get_set("thanhhoa-thon-thong-minh-35")
    kontum_xa = get_set("kontum-xa-ntm-thong-minh-2431")
    assert reports.kinds_for("village", phutho) == ["mau01", "criteria"]
    assert reports.kinds_for("village", thanhhoa) == ["criteria"]
    assert reports.kinds_for("village", kontum_xa) == []
    assert reports.kinds_for("commune", kontum_xa) == ["commune", "criteria"]
    assert reports.kinds_for("commune", phutho) == ["commune"]
    assert reports.kinds_for("district", phutho) == []
