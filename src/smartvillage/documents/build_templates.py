"""Builds the shipped DOCX templates (documents/docx_templates/*.docx) from the Decree 30 layout
helpers, with docxtpl's Jinja tags where the data goes.

Run `python -m smartvillage.documents.build_templates [DIR]` after changing the layout; the
result is committed. An administrator may instead edit a copy in Word and put it in the override
directory (see rendering.override_dir). Tag conventions:

* `{{ NAME }}` in capitals where the layout helper writes capitals (issuer, signer), because the
  helpers upper-case those lines and an upper-cased tag must stay the same tag;
* `{%p for … %}` / `{%p endfor %}` alone in a paragraph repeat the paragraphs between them;
* `{%tr for … %}` alone in a table row repeats the row between them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Pt

from smartvillage.documents import docx_layout as L

HERE = Path(__file__).parent / "docx_templates"


def _tag(doc: DocxDocument, tag: str) -> None:
    doc.add_paragraph(tag)


def _heading(doc: DocxDocument, text: str) -> None:
    L.body_paragraph(doc, text, bold=True)


def _labelled(
    doc: DocxDocument,
    label: str,
    value: str,
    *,
    prefix: str = "",
    label_italic: bool = True,
    label_bold: bool = False,
    value_bold: bool = False,
) -> None:
    p = L.body_paragraph(doc)
    if prefix:
        L.add_text(p, prefix, size=14)
    L.add_text(p, label, size=14, italic=label_italic, bold=label_bold)
    L.add_text(p, value, size=14, bold=value_bold)


def _lines(doc: DocxDocument, var: str, *, prefix: str = "", size: float = 14) -> None:
    _tag(doc, f"{{%p for line in {var} %}}")
    p = L.body_paragraph(doc)
    L.add_text(p, f"{prefix}{{{{ line }}}}", size=size)
    _tag(doc, "{%p endfor %}")


def _header(doc: DocxDocument) -> None:
    L.national_header(
        doc,
        ["{{ ISSUER_PARENT }}", "{{ ISSUER }}"],
        number="{{ NUMBER_LINE }}",
        place_date="{{ PLACE_DATE }}",
        # "ỦY BAN NHÂN DÂN" / "XÃ AN THANH" is the issuing body's name on two lines: both bold.
        bold_lines=2,
    )


def _loop_rows(var: str, item: str, cells: list[str]) -> list[list[str]]:
    width = len(cells)
    return [
        [f"{{%tr for {item} in {var} %}}"] + [""] * (width - 1),
        cells,
        ["{%tr endfor %}"] + [""] * (width - 1),
    ]


def _signature(doc: DocxDocument, hint: str) -> None:
    L.recipients_and_signature(
        doc,
        ["{%p for r in recipients %}", "{{ r }}", "{%p endfor %}"],
        L.Signature("{{ SIGNER_AUTHORITY }}", "{{ SIGNER_TITLE }}", "{{ SIGNER_NAME }}", hint=hint),
    )


def _provenance(doc: DocxDocument) -> None:
    _tag(doc, "{%p if provenance %}")
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(12)
    L.add_text(p, "{{ provenance }}", size=10, italic=True)
    _tag(doc, "{%p endif %}")


def _validity_note(doc: DocxDocument) -> None:
    """A report whose reference date lies outside its set's validity says so under the title."""
    _tag(doc, "{%p if validity_note %}")
    p = L.body_paragraph(doc, indent=False)
    L.add_text(p, "{{ validity_note }}", size=12, italic=True)
    _tag(doc, "{%p endif %}")


def _page_break(doc: DocxDocument) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _criterion_block(doc: DocxDocument, requirement_label: str, result_label: str) -> None:
    p = L.body_paragraph(doc)
    L.add_text(p, "{{ c.code }}. ", size=14, bold=True)
    L.add_text(p, "{{ c.title }}", size=14, bold=True)
    _tag(doc, "{%p if c.requirement %}")
    _labelled(doc, requirement_label, "{{ c.requirement }}", prefix="- ")
    _tag(doc, "{%p endif %}")
    _labelled(doc, result_label, "{{ c.description }}", prefix="- ")
    _tag(doc, "{%p for e in c.evidence %}")
    p = L.body_paragraph(doc)
    L.add_text(p, "+ {{ e }}", size=14)
    _tag(doc, "{%p endfor %}")
    _labelled(doc, "Đánh giá: ", "{{ c.status_label }}", prefix="- ", value_bold=True)


def _summary_table(doc: DocxDocument, with_requirement: bool = True) -> None:
    headers = (
        ["TT", "Tiêu chí", "Yêu cầu", "Kết quả", "Đánh giá"]
        if with_requirement
        else ["TT", "Tiêu chí", "Kết quả", "Đánh giá"]
    )
    cells = [
        "{{ c.code }}",
        "{{ c.title }}",
        "{{ c.target }}",
        "{{ c.value_text }}",
        "{{ c.status_label }}",
    ]
    widths = [12, 70, 30, 33, 20]
    if not with_requirement:
        cells = [cells[0], cells[1], cells[3], cells[4]]
        widths = [12, 90, 43, 20]
    L.grid_table(
        doc,
        headers,
        _loop_rows("criteria", "c", cells),
        widths_mm=widths,
        size=12,
        align=["center", "left", "center", "center", "center"][: len(headers)],
        footer=[
            "",
            "Số tiêu chí đạt",
            *([""] if with_requirement else []),
            "{{ passed_count }}/{{ applicable_count }}",
            "{{ overall_label }}",
        ],
    )


def _self_assessment_and_signature(doc: DocxDocument, signature_note: str = "") -> None:
    """The closing of every report: "… tự đánh giá: ĐẠT/KHÔNG ĐẠT", signature, provenance."""
    p = L.body_paragraph(doc)
    L.add_text(p, "{{ self_assessment_prefix }}", size=14)
    L.add_text(p, "{{ overall_word }}", size=14, bold=True)
    L.add_text(p, "{{ self_assessment_suffix }}", size=14)
    _signature(doc, signature_note)
    _provenance(doc)


def build_mau01() -> DocxDocument:
    doc = L.new_document()
    # The seed's form carries its label above the issuing body, at the top right of the page.
    p = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    L.add_text(p, "Mẫu số 01", size=13, bold=True)
    _header(doc)
    L.document_title(doc, "BÁO CÁO", "{{ subject }}")
    _validity_note(doc)
    _lines(doc, "basis")
    L.body_paragraph(doc, "{{ intro }}")
    _heading(doc, "I. Công tác tổ chức triển khai thực hiện")
    _lines(doc, "organisation", prefix="- ")
    _heading(doc, "II. Kết quả thực hiện các chỉ tiêu")
    _tag(doc, "{%p for c in criteria %}")
    _criterion_block(doc, "Yêu cầu: ", "Kết quả: ")
    _tag(doc, "{%p endfor %}")
    L.body_paragraph(doc, "Tổng hợp kết quả:", italic=True)
    _summary_table(doc)
    _heading(doc, "III. Đánh giá chung")
    L.body_paragraph(doc, "- Ưu điểm:")
    _lines(doc, "strengths", prefix="+ ")
    L.body_paragraph(doc, "- Khó khăn:")
    _lines(doc, "difficulties", prefix="+ ")
    _heading(doc, "IV. Tự đánh giá")
    _self_assessment_and_signature(doc, "(Ký tên, đóng dấu, ghi rõ họ tên)")
    # Annexes: the lists behind each ratio (Biểu 01 - 04), as the guidance's forms.
    _tag(doc, "{%p for l in lists %}")
    _page_break(doc)
    _list_body(doc)
    _tag(doc, "{%p endfor %}")
    return doc


def _list_body(doc: DocxDocument) -> None:
    """One Biểu as the seed's form: code, title, where and when, STT | Họ và Tên | Ghi chú, the
    total and the two confirmations. The same builder makes the annex of Mẫu số 01 and the
    standalone list (bieu.docx), so the two are identical."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.LEFT
    L.add_text(p, "{{ l.code }}", size=13, bold=True)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(6)
    L.add_text(p, "{{ l.title }}", size=14, bold=True)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(6)
    L.add_text(p, "{{ l.subtitle }}", size=13, italic=True)
    L.grid_table(
        doc,
        ["STT", "{{ l.name_header }}", "Ghi chú"],
        _loop_rows("l.rows", "r", ["{{ r.index }}", "{{ r.name }}", "{{ r.note }}"]),
        widths_mm=[18, 110, 37],
        size=13,
        align=["center", "left", "left"],
        footer=["", "Tổng cộng: {{ l.total }}", ""],
    )
    L.confirmation_blocks(
        doc,
        [
            L.ConfirmationBlock("Xác nhận của UBND xã", name="{{ l.commune_signer }}"),
            L.ConfirmationBlock("Xác nhận của khu dân cư", name="{{ l.village_signer }}"),
        ],
    )


def build_list() -> DocxDocument:
    """The standalone Biểu: the annex's page on its own (context: {"l": …})."""
    doc = L.new_document()
    _list_body(doc)
    return doc


def build_criteria() -> DocxDocument:
    doc = L.new_document()
    _header(doc)
    L.document_title(doc, "BÁO CÁO", "{{ subject }}")
    _validity_note(doc)
    _lines(doc, "basis")
    L.body_paragraph(doc, "{{ intro }}")
    _heading(doc, "I. THÔNG TIN CHUNG")
    _lines(doc, "unit_info")
    _heading(doc, "II. KẾT QUẢ THỰC HIỆN CÁC TIÊU CHÍ")
    _tag(doc, "{%p for g in groups %}")
    _tag(doc, "{%p if g.title %}")
    p = L.body_paragraph(doc)
    L.add_text(p, "{{ g.code }}. {{ g.title }}", size=14, bold=True)
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p for c in g.criteria %}")
    p = L.body_paragraph(doc)
    L.add_text(p, "{{ c.code }}. Tiêu chí: ", size=14, bold=True)
    L.add_text(p, "{{ c.title }}", size=14)
    _tag(doc, "{%p if c.requirement %}")
    _labelled(doc, "Yêu cầu: ", "{{ c.requirement }}")
    _tag(doc, "{%p endif %}")
    _labelled(doc, "Thực trạng: ", "{{ c.description }}")
    _tag(doc, "{%p for e in c.evidence %}")
    p = L.body_paragraph(doc)
    L.add_text(p, "- {{ e }}", size=14)
    _tag(doc, "{%p endfor %}")
    _labelled(doc, "Kết quả: ", "{{ c.status_label }}", value_bold=True)
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endfor %}")
    _heading(doc, "III. TỔNG HỢP KẾT QUẢ")
    _summary_table(doc)
    _heading(doc, "IV. TỰ ĐÁNH GIÁ")
    _self_assessment_and_signature(doc)
    return doc


def build_commune() -> DocxDocument:
    doc = L.new_document()
    _header(doc)
    L.document_title(doc, "BÁO CÁO", "{{ subject }}")
    _validity_note(doc)
    _lines(doc, "basis")
    L.body_paragraph(doc, "{{ intro }}")
    _heading(doc, "I. KẾT QUẢ CỦA CÁC THÔN")
    L.body_paragraph(doc, "{{ villages_intro }}")
    L.grid_table(
        doc,
        ["STT", "Thôn, làng", "Số tiêu chí đạt", "Tiêu chí chưa đạt", "Kết quả"],
        _loop_rows(
            "villages",
            "v",
            [
                "{{ v.index }}",
                "{{ v.name }}",
                "{{ v.passed_text }}",
                "{{ v.failing }}",
                "{{ v.status_label }}",
            ],
        ),
        widths_mm=[14, 45, 28, 58, 20],
        size=12,
        align=["center", "left", "center", "left", "center"],
        footer=["", "Số thôn đạt", "{{ villages_passed }}/{{ villages_total }}", "", ""],
    )
    _heading(doc, "II. CÁC TIÊU CHÍ CỦA XÃ")
    _tag(doc, "{%p for c in criteria %}")
    _criterion_block(doc, "Yêu cầu: ", "Kết quả: ")
    _tag(doc, "{%p endfor %}")
    L.body_paragraph(doc, "Tổng hợp kết quả:", italic=True)
    _summary_table(doc, with_requirement=False)
    _heading(doc, "III. TỰ ĐÁNH GIÁ")
    _self_assessment_and_signature(doc)
    return doc


def build_plan() -> DocxDocument:
    doc = L.new_document()
    _header(doc)
    L.document_title(doc, "KẾ HOẠCH", "{{ subject }}")
    _lines(doc, "basis")
    L.body_paragraph(doc, "{{ intro }}")
    _heading(doc, "{{ H.purpose }}")
    L.body_paragraph(doc, "1. Mục đích:", bold=True)
    _lines(doc, "purpose")
    L.body_paragraph(doc, "2. Yêu cầu:", bold=True)
    _lines(doc, "requirements")
    _tag(doc, "{%p if state %}")
    _heading(doc, "{{ H.state }}")
    _lines(doc, "state")
    _tag(doc, "{%p endif %}")
    _heading(doc, "{{ H.content }}")
    _tag(doc, "{%p for it in items %}")
    p = L.body_paragraph(doc)
    L.add_text(p, "{{ it.number }}. Tiêu chí {{ it.code }}: ", size=14, bold=True)
    L.add_text(p, "{{ it.title }}", size=14)
    _tag(doc, "{%p if it.requirement %}")
    _labelled(doc, "Yêu cầu của tiêu chí: ", "{{ it.requirement }}", prefix="- ")
    _tag(doc, "{%p endif %}")
    _labelled(doc, "Kết quả tiêu chí: ", "{{ it.result }}", prefix="- ")
    _labelled(doc, "Nhiệm vụ thực hiện:", "{{ it.no_tasks }}", prefix="- ")
    _tag(doc, "{%p for grp in it.groups %}")
    p = L.body_paragraph(doc)
    L.add_text(p, "+ ", size=14)
    L.add_text(p, "{{ grp.label }}", size=14, bold=True)
    _tag(doc, "{%p for t in grp.tasks %}")
    L.body_paragraph(doc, "{{ t.text }}")
    _tag(doc, "{%p for d in t.details %}")
    L.body_paragraph(doc, "{{ d }}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p if it.budget_text %}")
    _labelled(doc, "Kinh phí thực hiện tiêu chí: ", "{{ it.budget_text }}", prefix="- ")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p if directions %}")
    _heading(doc, "{{ H.directions }}")
    _lines(doc, "directions")
    _tag(doc, "{%p endif %}")
    p = L.body_paragraph(doc)
    L.add_text(p, "{{ H.time }}", size=14, bold=True)
    L.add_text(p, "{{ deadline_text }}", size=14)
    p = L.body_paragraph(doc)
    L.add_text(p, "{{ H.budget }}", size=14, bold=True)
    L.add_text(p, "{{ total_budget_text }}", size=14)
    _lines(doc, "funding")
    L.grid_table(
        doc,
        ["TT", "Tiêu chí", "Kinh phí (đồng)"],
        _loop_rows("items", "it", ["{{ it.code }}", "{{ it.title }}", "{{ it.budget_number }}"]),
        widths_mm=[15, 110, 40],
        size=12,
        align=["center", "left", "right"],
        footer=["", "Tổng cộng", "{{ total_budget_number }}"],
    )
    _heading(doc, "{{ H.organisation }}")
    _lines(doc, "organisation")
    L.body_paragraph(doc, "{{ closing }}")
    _signature(doc, "")
    return doc


BUILDERS = {
    "mau01.docx": build_mau01,
    "criteria.docx": build_criteria,
    "commune.docx": build_commune,
    "plan.docx": build_plan,
    "bieu.docx": build_list,
}


def build_all(target: Path = HERE) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, builder in BUILDERS.items():
        path = target / name
        builder().save(str(path))
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in build_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written_path)
