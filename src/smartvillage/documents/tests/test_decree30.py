"""The documents as Decree 30/2020 and the seeds lay them out: page numbers from the second page,
Vietnamese language tags, the issuing body in bold, "Mẫu số 01" above the header, recipients from
configuration (no district level, no Sở TT&TT by default), the guidance line, a note when the
date lies outside the set's validity, and the standalone Biểu identical to the annex."""

import datetime as dt
import io
import zipfile

import docx
import pytest

from smartvillage.assessments.tests.conftest import AT, PHUTHO, populate
from smartvillage.criteria import loader
from smartvillage.criteria.loader import get_set
from smartvillage.documents import reports
from smartvillage.documents.tests.test_reports import _text, submitted  # noqa: F401 - fixture
from smartvillage.transfer.lists import build_list, list_docx


def _part(data: bytes, name: str) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(name).decode()


def _mau01(assessment) -> bytes:
    return reports.render_report("mau01", reports.source_for_assessment(assessment), "docx")


def test_page_numbers_from_the_second_page_and_vietnamese_language(submitted):  # noqa: F811
    data = _mau01(submitted)
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert section.different_first_page_header_footer  # w:titlePg: page 1 has its own header
    header_xml = section.header._element.xml
    assert "PAGE" in header_xml and 'w:fldCharType="begin"' in header_xml
    assert "PAGE" not in section.first_page_header._element.xml
    styles = _part(data, "word/styles.xml")
    assert 'w:lang w:val="vi-VN"' in styles and "en-US" not in styles
    assert document.core_properties.language == "vi-VN"


def test_issuing_body_bold_and_the_form_label_above_it(submitted):  # noqa: F811
    document = docx.Document(io.BytesIO(_mau01(submitted)))
    body = document.element.body
    first = body[0]
    assert first.tag.endswith("}p") and "Mẫu số 01" in "".join(first.itertext())
    assert body[1].tag.endswith("}tbl")  # the header comes after the label
    left = document.tables[0].rows[0].cells[0]
    runs = [r for p in left.paragraphs for r in p.runs if r.text.strip()]
    assert [r.text for r in runs[:2]] == ["ỦY BAN NHÂN DÂN", "XÃ AN"]
    assert all(r.bold for r in runs[:2])


def test_recipients_default_to_the_2025_structure_and_follow_configuration(
    submitted,  # noqa: F811
    settings,
):
    text = _text(_mau01(submitted))
    assert "- Sở Khoa học và Công nghệ;" in text
    assert "UBND huyện" not in text and "Sở TT&TT" not in text
    settings.SMARTVILLAGE_DOCUMENT_RECIPIENTS = {
        "Tỉnh Thử": {"mau01": ["Sở Khoa học và Công nghệ tỉnh Thử;", "Đảng ủy xã;"]}
    }
    text = _text(_mau01(submitted))
    assert "- Sở Khoa học và Công nghệ tỉnh Thử;" in text and "- Đảng ủy xã;" in text
    assert "- Lưu: VT." in text  # the archive line is added when the configuration omits it
    generic = _text(
        reports.render_report("criteria", reports.source_for_assessment(submitted), "docx")
    )
    assert "Đảng ủy xã" not in generic  # only Mẫu số 01 was configured


def test_recipients_from_the_set_win(submitted, settings, tmp_path):  # noqa: F811
    text = loader.load_file(loader.SETS_DIR / f"{PHUTHO}.yaml")
    assert text.recipients == []
    source = (loader.SETS_DIR / f"{PHUTHO}.yaml").read_text(encoding="utf-8")
    (tmp_path / "pt.yaml").write_text(
        source.replace("version: 1", "version: 7").replace(
            "valid_from: 2023-07-20",
            "recipients: [Văn phòng Điều phối NTM tỉnh;]\nvalid_from: 2023-07-20",
        ),
        encoding="utf-8",
    )
    settings.SMARTVILLAGE_CRITERIA_DIRS = [str(tmp_path)]
    loader.reload()
    try:
        source_data = reports.source_for_assessment(submitted)
        source_data.data = {
            **source_data.data,
            "criteria_set": {**source_data.data["criteria_set"], "version": 7},
        }
        text = _text(reports.render_report("mau01", source_data, "docx"))
        assert "- Văn phòng Điều phối NTM tỉnh;" in text and "Sở Khoa học" not in text
    finally:
        loader.reload()


def test_guidance_line_when_the_set_records_it(submitted):  # noqa: F811
    text = _text(_mau01(submitted))
    assert (
        "Căn cứ Hướng dẫn số …/HD-STTTT của Sở Thông tin và Truyền thông tỉnh Phú Thọ thực hiện "
        "các nội dung tiêu chí khu dân cư thông minh" in text
    )


def test_a_report_outside_the_sets_validity_says_so(world):
    populate(world.village1)
    inside = reports.source_live(world.village1, get_set(PHUTHO), AT)
    assert reports.mau01_context(inside)["validity_note"] == ""
    late = reports.source_live(world.village1, get_set(PHUTHO), dt.date(2026, 12, 4))
    note = reports.mau01_context(late)["validity_note"]
    assert note == (
        "Lưu ý: ngày số liệu 04/12/2026 nằm ngoài thời gian hiệu lực của bộ tiêu chí áp dụng "
        "(từ 20/07/2023 đến 31/12/2025)."
    )
    assert note in _text(reports.render_report("mau01", late, "docx"))


def test_the_standalone_list_is_the_annex_page(submitted):  # noqa: F811
    annex = docx.Document(io.BytesIO(_mau01(submitted)))
    cset = get_set(PHUTHO)
    standalone = docx.Document(
        io.BytesIO(list_docx(build_list(submitted.unit, cset, cset.criterion("1.1"), AT)))
    )

    def page(document, code):
        paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
        start = paragraphs.index(code)
        tables = [t for t in document.tables if t.rows[0].cells[0].text == "STT"]
        table = tables[0]
        return paragraphs[start : start + 3], [[c.text for c in r.cells] for r in table.rows]

    annex_head, annex_rows = page(annex, "Biểu 01")
    own_head, own_rows = page(standalone, "Biểu 01")
    assert annex_head == own_head
    assert annex_head[1] == "Danh sách hộ dân được phủ mạng Internet băng rộng cáp quang"
    assert annex_rows[0] == own_rows[0] == ["STT", "Họ và Tên (chủ hộ)", "Ghi chú"]
    assert [r[:2] for r in annex_rows] == [r[:2] for r in own_rows]
    assert annex_rows[-1][1] == own_rows[-1][1] == "Tổng cộng: 4 hộ"


@pytest.fixture(autouse=True)
def _fresh_sets():
    loader.reload()
    yield
    loader.reload()
