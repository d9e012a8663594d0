"""Building blocks for Word documents in the layout of Decree 30/2020/NĐ-CP, Appendix I.

Used by the official lists (Biểu 01–04, transfer app) and by the reports (Mẫu số 01, …). A
document is built top to bottom::

    doc = new_document()                                   # A4, margins, Times New Roman 13 pt
    national_header(doc, ["UBND XÃ AN", "THÔN MỘT"], number="Số: …/BC-UBND",
                    place_date=place_date_line("An", date(2024, 3, 5)))
    document_title(doc, "BÁO CÁO", "Kết quả thực hiện tiêu chí …")
    body_paragraph(doc, "Căn cứ …")
    grid_table(doc, ["STT", "Họ và tên", "Ghi chú"], rows, widths_mm=[15, 110, 40])
    confirmation_blocks(doc, [ConfirmationBlock("Xác nhận của UBND xã"), …])
    recipients_and_signature(doc, ["Sở TT&TT;", "Lưu: VT."], Signature("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn A"))
    data = to_bytes(doc)

Sizes follow the decree: page A4; margins top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm
(we use 20/20/30/15 by default); issuing body and national title 12–13 pt bold; the motto
"Độc lập - Tự do - Hạnh phúc" 13–14 pt bold with a rule under it; body 13–14 pt justified with a
first-line indent; "Nơi nhận:" bold italic 12 pt, recipients 11 pt.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from smartvillage.core.text import printable

__all__ = [
    "FONT",
    "ConfirmationBlock",
    "Signature",
    "new_document",
    "set_page",
    "national_header",
    "document_title",
    "body_paragraph",
    "grid_table",
    "confirmation_blocks",
    "recipients_and_signature",
    "add_text",
    "set_cell_borders",
    "to_bytes",
]

FONT = "Times New Roman"
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True)
class ConfirmationBlock:
    """One confirmation/signature column: a bold title, an italic hint, then a name (optional)."""

    title: str
    hint: str = "(Ký, ghi rõ họ tên)"
    name: str = ""
    subtitle: str = ""


@dataclass(frozen=True)
class Signature:
    """The signer block at the bottom right: "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH" / name."""

    authority: str
    title: str
    name: str = ""
    hint: str = "(Ký tên, đóng dấu, ghi rõ họ tên)"


def _set_run_font(
    run, size: float | None = None, bold: bool | None = None, italic: bool | None = None
) -> None:
    run.font.name = FONT
    # East-Asian and complex-script slots too, or Word substitutes a font for Vietnamese letters.
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if italic is not None:
        run.font.italic = italic


def add_text(
    paragraph: Paragraph,
    text: str,
    *,
    size: float | None = None,
    bold: bool | None = None,
    italic: bool | None = None,
    underline: bool | None = None,
):
    """Append a run in Times New Roman to `paragraph` and return it.

    The text goes through core.text.printable: Word cannot hold control characters, and a name
    stored before the entry rule must not stop a document from being made.
    """
    run = paragraph.add_run(printable(text))
    _set_run_font(run, size, bold, italic)
    if underline is not None:
        run.font.underline = underline
    return run


def _tight(
    paragraph: Paragraph, before: float = 0, after: float = 0, line: float | None = None
) -> Paragraph:
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line is not None:
        fmt.line_spacing = line
    return paragraph


def margin(mm: float) -> Twips:
    """A page margin of at least `mm`: Word stores margins in whole twips (1/1440 inch), and
    python-docx truncates, so Mm(15) became 850 twips = 14,99 mm, under the decree's 15 mm minimum.
    Rounding up gives 851 twips (15,01 mm)."""
    return Twips(math.ceil(round(mm * 1440 / 25.4, 6)))


def set_page(
    doc: DocxDocument,
    *,
    top_mm: float = 20,
    bottom_mm: float = 20,
    left_mm: float = 30,
    right_mm: float = 15,
    landscape: bool = False,
) -> None:
    """A4 with the decree's margins on every section (landscape swaps width and height)."""
    for section in doc.sections:
        section.page_width, section.page_height = (
            (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
        )
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.top_margin = margin(top_mm)
        section.bottom_margin = margin(bottom_mm)
        section.left_margin = margin(left_mm)
        section.right_margin = margin(right_mm)


def new_document(*, body_size: float = 13, landscape: bool = False) -> DocxDocument:
    """An empty A4 document with the decree's margins and Times New Roman `body_size` pt."""
    doc = Document()
    set_page(doc, landscape=landscape)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(body_size)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    style.paragraph_format.space_after = Pt(0)
    set_language(doc)
    page_numbers(doc)
    return doc


LANGUAGE = "vi-VN"


def set_language(doc: DocxDocument, language: str = LANGUAGE) -> None:
    """Tag the text as Vietnamese (document defaults and the Normal style), so Word and
    LibreOffice check spelling and hyphenate in Vietnamese instead of the template's en-US."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    targets = [rpr_default.find(qn("w:rPr"))]
    if targets[0] is None:
        targets[0] = OxmlElement("w:rPr")
        rpr_default.append(targets[0])
    targets.append(doc.styles["Normal"].element.get_or_add_rPr())
    for rpr in targets:
        for old in rpr.findall(qn("w:lang")):
            rpr.remove(old)
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), language)
        lang.set(qn("w:eastAsia"), language)
        lang.set(qn("w:bidi"), "ar-SA")
        rpr.append(lang)
    doc.core_properties.language = language


def _field(paragraph: Paragraph, instruction: str, size: float = 13) -> None:
    """A Word field (PAGE, NUMPAGES) as begin / instruction / separate / result / end runs."""
    for kind, text in (
        ("begin", None),
        ("instr", instruction),
        ("separate", None),
        ("text", "1"),
        ("end", None),
    ):
        run = paragraph.add_run()
        _set_run_font(run, size)
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._element.append(element)


def page_numbers(doc: DocxDocument, size: float = 13) -> None:
    """Decree 30/2020, Appendix I: the page number in Arabic numerals, 13–14 pt, centred in the
    top margin, from the second page on (the first page has an empty header of its own)."""
    for section in doc.sections:
        section.different_first_page_header_footer = True
        header = section.header
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _field(paragraph, "PAGE", size)
        section.first_page_header.is_linked_to_previous = False


def _usable_width_mm(doc: DocxDocument) -> float:
    section = doc.sections[-1]
    return (section.page_width - section.left_margin - section.right_margin) / 36000


def set_cell_borders(cell: _Cell, **edges: str | None) -> None:
    """Set cell borders: set_cell_borders(cell, top="single", bottom=None, …); None = no border."""
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.append(borders)
    for edge in ("top", "left", "bottom", "right"):
        if edge not in edges:
            continue
        element = borders.find(qn(f"w:{edge}"))
        if element is None:
            element = OxmlElement(f"w:{edge}")
            borders.append(element)
        value = edges[edge]
        element.set(qn("w:val"), value or "nil")
        if value:
            element.set(qn("w:sz"), "4")
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")


def _set_widths(table: Table, widths_mm: Sequence[float]) -> None:
    # Word reads the cell widths, LibreOffice the grid columns: set both.
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _borderless_table(doc: DocxDocument, cols: int, widths_mm: Sequence[float]) -> Table:
    table = doc.add_table(rows=1, cols=cols)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _set_widths(table, widths_mm)
    for cell in table.rows[0].cells:
        set_cell_borders(cell, top=None, left=None, bottom=None, right=None)
    return table


def _rule_under(cell: _Cell, width_mm: float, cell_width_mm: float) -> None:
    """A centred horizontal rule of `width_mm` under the last line of `cell`.

    Drawn as the bottom border of an empty 2 pt paragraph narrowed by indents, so the text above
    keeps the full cell width.
    """
    paragraph = _tight(cell.add_paragraph())
    add_text(paragraph, "", size=2)
    paragraph.paragraph_format.line_spacing = Pt(2)
    p_pr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    border.append(bottom)
    p_pr.append(border)
    indent = max((cell_width_mm - width_mm) / 2 - 1, 0)
    paragraph.paragraph_format.left_indent = Mm(indent)
    paragraph.paragraph_format.right_indent = Mm(indent)


def national_header(
    doc: DocxDocument,
    issuer_lines: Sequence[str],
    *,
    number: str | None = None,
    place_date: str | None = None,
    bold_lines: int = 1,
) -> Table:
    """The two-column header of an official document.

    Left: the issuing body, the parent body (if any) in regular capitals and the issuing body in
    bold capitals with a short rule, then "Số: …" (13 pt). Right: the national title (bold
    capitals 12 pt), the motto (bold 13 pt) with a rule, then the place and date in italics.
    `issuer_lines` are written in capitals, e.g. ["UBND HUYỆN TỨ KỲ", "UBND XÃ AN THANH"].
    `bold_lines`: how many of the last lines are the issuing body's own name (bold): 2 for
    "ỦY BAN NHÂN DÂN" / "XÃ AN THANH", which is one name written on two lines (Decree 30).
    """
    usable = _usable_width_mm(doc)
    left_w = round(usable * 0.38, 1)
    table = _borderless_table(doc, 2, [left_w, usable - left_w])
    left, right = table.rows[0].cells

    lines = [line.upper() for line in issuer_lines if line] or [""]
    first = left.paragraphs[0]
    for index, line in enumerate(lines):
        paragraph = first if index == 0 else left.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _tight(paragraph)
        add_text(paragraph, line, size=12.5, bold=index >= len(lines) - bold_lines)
    _rule_under(left, width_mm=left_w / 3, cell_width_mm=left_w)
    if number:
        p = _tight(left.add_paragraph(), before=6)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_text(p, number, size=13)

    p = _tight(right.paragraphs[0])
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_text(p, NATIONAL_TITLE, size=12, bold=True)
    p = _tight(right.add_paragraph())
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_text(p, MOTTO, size=13, bold=True)
    _rule_under(right, width_mm=62, cell_width_mm=usable - left_w)
    if place_date:
        p = _tight(right.add_paragraph(), before=6)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_text(p, place_date, size=13, italic=True)
    return table


def document_title(
    doc: DocxDocument, kind: str, subject: str | None = None, *, code: str | None = None
) -> None:
    """The document type in bold capitals (e.g. "BÁO CÁO", "DANH SÁCH") and its subject in bold.

    `code` (e.g. "Biểu 01", "Mẫu số 01") is printed above, right-aligned, as the forms do.
    """
    if code:
        p = _tight(doc.add_paragraph(), before=6)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        add_text(p, code, size=13, bold=True)
    p = _tight(doc.add_paragraph(), before=12)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_text(p, kind.upper(), size=14, bold=True)
    if subject:
        p = _tight(doc.add_paragraph(), after=12)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_text(p, subject, size=14, bold=True)


def body_paragraph(
    doc: DocxDocument,
    text: str = "",
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    indent: bool = True,
) -> Paragraph:
    """A body paragraph: justified, first-line indent 12,7 mm, 6 pt after, 1.15 line spacing."""
    p = _tight(doc.add_paragraph(), after=6, line=1.15)
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if indent:
        p.paragraph_format.first_line_indent = Mm(12.7)
    if text:
        add_text(p, text, size=size, bold=bold, italic=italic)
    return p


def grid_table(
    doc: DocxDocument,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    widths_mm: Sequence[float] | None = None,
    size: float = 13,
    align: Sequence[str] | None = None,
    footer: Sequence[object] | None = None,
) -> Table:
    """A bordered table with a bold, repeated header row; `align` per column: "left"/"center"/"right".

    `footer` (e.g. ["", "Tổng cộng: 12", ""]) is a last row in bold. Values are written as text.
    """
    ncols = len(headers)
    table = doc.add_table(rows=1, cols=ncols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = list(widths_mm) if widths_mm else [_usable_width_mm(doc) / ncols] * ncols
    alignments = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }
    col_align = [alignments[a] for a in align] if align else [WD_ALIGN_PARAGRAPH.LEFT] * ncols

    _set_widths(table, widths)
    header_row = table.rows[0]
    tr_pr = header_row._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, text, width in zip(header_row.cells, headers, widths, strict=True):
        cell.width = Mm(width)
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_text(p, str(text), size=size, bold=True)

    def _fill(values: Sequence[object], bold: bool) -> None:
        cells = table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, values, strict=False)):
            cell.width = Mm(widths[index])
            p = cell.paragraphs[0]
            p.alignment = col_align[index]
            add_text(p, "" if value is None else str(value), size=size, bold=bold)

    for row in rows:
        _fill(row, False)
    if footer is not None:
        _fill(footer, True)
    return table


def confirmation_blocks(
    doc: DocxDocument, blocks: Sequence[ConfirmationBlock], *, space_for_signature: int = 4
) -> Table:
    """Confirmation/signature blocks side by side (e.g. "Xác nhận của UBND xã" | "Xác nhận của khu dân cư")."""
    usable = _usable_width_mm(doc)
    width = usable / max(len(blocks), 1)
    _tight(doc.add_paragraph(), before=6)
    table = _borderless_table(doc, len(blocks), [width] * len(blocks))
    for cell, block in zip(table.rows[0].cells, blocks, strict=True):
        p = _tight(cell.paragraphs[0])
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_text(p, block.title, size=13, bold=True)
        if block.subtitle:
            p = _tight(cell.add_paragraph())
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            add_text(p, block.subtitle, size=13, bold=True)
        if block.hint:
            p = _tight(cell.add_paragraph())
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            add_text(p, block.hint, size=12, italic=True)
        for _ in range(space_for_signature):
            _tight(cell.add_paragraph())
        if block.name:
            p = _tight(cell.add_paragraph())
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            add_text(p, block.name, size=13, bold=True)
    return table


def recipients_and_signature(
    doc: DocxDocument,
    recipients: Sequence[str],
    signature: Signature,
    *,
    space_for_signature: int = 4,
) -> Table:
    """ "Nơi nhận:" (bold italic 12 pt, recipients 11 pt, "- " prefixed) left; the signer block right."""
    usable = _usable_width_mm(doc)
    left_w = round(usable * 0.45, 1)
    _tight(doc.add_paragraph(), before=6)
    table = _borderless_table(doc, 2, [left_w, usable - left_w])
    left, right = table.rows[0].cells
    p = _tight(left.paragraphs[0])
    add_text(p, "Nơi nhận:", size=12, bold=True, italic=True)
    for recipient in recipients:
        p = _tight(left.add_paragraph())
        add_text(p, recipient if recipient.startswith("-") else f"- {recipient}", size=11)

    p = _tight(right.paragraphs[0])
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_text(p, signature.authority.upper(), size=13, bold=True)
    p = _tight(right.add_paragraph())
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_text(p, signature.title.upper(), size=13, bold=True)
    if signature.hint:
        p = _tight(right.add_paragraph())
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_text(p, signature.hint, size=12, italic=True)
    for _ in range(space_for_signature):
        _tight(right.add_paragraph())
    if signature.name:
        p = _tight(right.add_paragraph())
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_text(p, signature.name, size=13, bold=True)
    return table


def to_bytes(doc: DocxDocument) -> bytes:
    """The .docx file as bytes (for an HTTP response or a file)."""
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
