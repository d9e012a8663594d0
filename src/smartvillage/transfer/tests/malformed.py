"""A deterministic generator of malformed and hostile import files (issue 11, item 1).

`generate(directory)` writes at least 300 files of the kinds found by the attack-minded test:
sheets that lie about their dimension, XLSX members that unpack to hundreds of megabytes, ZIP
bombs, CSVs wider than Excel, password-protected workbooks, HTML/XML/PDF/images with Excel names,
damaged and truncated files, control characters, overlong cells, XML entity bombs, merges over the
whole sheet, too many sheets, and a few good files mixed in. Each is returned with the kind it is,
so a test can say which kind failed. The same seed gives the same bytes.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

HEADER = ["Mã hộ", "Họ và tên", "Năm sinh", "Quan hệ với chủ hộ"]
GOOD_ROWS = [["H1", "Nguyễn Văn An", "1980", "Chủ hộ"], ["H1", "Trần Thị Bình", "1982", "Vợ"]]


@dataclass
class Case:
    path: Path
    kind: str
    must_refuse: bool  # False: may be read (good files, harmless oddities)


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}{strings}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _cell_xml(ref: str, value: object) -> str:
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _col(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def sheet_xml(
    rows: list[tuple[int, list[object]]], dimension: str | None = None, tail: str = ""
) -> str:
    body = []
    for number, values in rows:
        cells = "".join(
            _cell_xml(f"{_col(c)}{number}", v) for c, v in enumerate(values) if v is not None
        )
        body.append(f'<row r="{number}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_NS} {_RNS}>{dim}'
        f"<sheetData>{''.join(body)}</sheetData>{tail}</worksheet>"
    )


def good_rows() -> list[tuple[int, list[object]]]:
    return [(1, list(HEADER))] + [(i + 2, list(r)) for i, r in enumerate(GOOD_ROWS)]


def xlsx_bytes(
    sheets: list[str],
    *,
    shared_strings: str | None = None,
    extra: dict[str, bytes] | None = None,
    level: int = 6,
) -> bytes:
    """A minimal, valid XLSX package around the given worksheet XML texts."""
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {_NS} {_RNS}><sheets>'
        + "".join(
            f'<sheet name="Trang{n}" sheetId="{n}" r:id="rId{n}"/>'
            for n in range(1, len(sheets) + 1)
        )
        + "</sheets></workbook>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/'
            f'2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        + (
            f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            if shared_strings is not None
            else ""
        )
        + "</Relationships>"
    )
    types = _CONTENT_TYPES.format(
        sheets="".join(_SHEET_TYPE.format(n=n) for n in range(1, len(sheets) + 1)),
        strings=_STRINGS_TYPE if shared_strings is not None else "",
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", rels)
        for n, xml in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{n}.xml", xml)
        if shared_strings is not None:
            z.writestr("xl/sharedStrings.xml", shared_strings)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def _raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP from already deflated members (name, packed, crc, declared size), sizes as given."""
    local_parts, central_parts, offset = [], [], 0
    for name, packed, crc, size in members:
        fname = name.encode()
        header = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(packed), size, len(fname), 0
        )
        local_parts.append(header + fname + packed)
        central_parts.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                *(0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(packed), size, len(fname)),
                *(0, 0, 0, 0, 0, offset),
            )
            + fname
        )
        offset += len(header) + len(fname) + len(packed)
    central = b"".join(central_parts)
    count = len(members)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), offset, 0)
    return b"".join(local_parts) + central + end


def _deflate(data: bytes) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush()


def _stored_member(name: str, data: bytes, declared: int | None = None) -> bytes:
    """A ZIP with one deflated member whose header may lie about its unpacked size."""
    size = len(data) if declared is None else declared
    return _raw_zip([(name, _deflate(data), zlib.crc32(data), size)])


def spaces_bomb(megabytes: int) -> bytes:
    """An XLSX whose only sheet holds `megabytes` MB of spaces in one cell (packs ~1000:1)."""
    head = sheet_xml([(1, list(HEADER))])
    start, end = head.split("</sheetData>")
    start = start.replace("<sheetData><row", "<sheetData><row", 1)
    prefix = (start + '<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve">').encode()
    suffix = ("</t></is></c></row></sheetData>" + end).encode()
    chunk = b" " * (1024 * 1024)

    def block(data: bytes, last: bool) -> bytes:
        # Each part ends on a full flush: raw deflate parts concatenate into one valid stream,
        # so the 1 MB block is compressed once and repeated (600 MB in well under a second).
        comp = zlib.compressobj(9, zlib.DEFLATED, -15)
        return comp.compress(data) + comp.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)

    spaces = block(chunk, last=False)
    parts = [block(prefix, last=False), spaces * megabytes, block(suffix, last=True)]
    crc = zlib.crc32(prefix)
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(suffix, crc)
    size = len(prefix) + megabytes * len(chunk) + len(suffix)
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([sheet_xml(good_rows())])))
    members = []
    for info in source.infolist():
        if info.filename == "xl/worksheets/sheet1.xml":
            members.append((info.filename, b"".join(parts), crc, size))
        else:
            data = source.read(info.filename)
            members.append((info.filename, _deflate(data), zlib.crc32(data), len(data)))
    return _raw_zip(members)


def _csv(rows: list[list[str]], sep: str = ",") -> bytes:
    return "\n".join(sep.join(r) for r in rows).encode("utf-8") + b"\n"


def password_xlsx(password: str) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = xlsx_bytes([sheet_xml(good_rows())])
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt(password, out)
    return out.getvalue()


def generate(directory: Path, seed: int = 11, big_megabytes: int = 600) -> list[Case]:
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def add(name: str, data: bytes, kind: str, must_refuse: bool = True) -> None:
        path = directory / f"{len(cases):03d}-{name}"
        path.write_bytes(data)
        cases.append(Case(path, kind, must_refuse))

    # 1. Sheets that lie about their dimension: one real cell far away (accepted or refused, fast).
    for i in range(40):
        # The last row of the grid for some; nearer rows for the rest (each far row costs the
        # reader a filler per missing row, ~0,2 s at the last row).
        row = 1048576 if i < 6 else rng.randint(5, 70_000)
        col = rng.choice([0, 1, 2, 3])
        rows = [*good_rows(), (row, [None] * col + [f"ô {i}"])]
        add(
            f"dimension-{i}.xlsx",
            xlsx_bytes([sheet_xml(rows, dimension="A1:XFD1048576")]),
            "dimension_lie",
            must_refuse=False,
        )
    # ... and a cell in the last column: too wide.
    for i in range(20):
        col = rng.choice([16383, 16000, 5000, 600 + i])
        rows = [*good_rows(), (rng.randint(4, 1048576), [None] * col + ["xa"])]
        add(
            f"dimension-wide-{i}.xlsx",
            xlsx_bytes([sheet_xml(rows, dimension="A1:XFD1048576")]),
            "too_wide_xlsx",
        )
    # 2. Merges over the whole sheet (accepted: they only fill existing rows, cut at the limit).
    for i in range(10):
        merges = f'<mergeCells count="1"><mergeCell ref="A{2 + i % 2}:XFD1048576"/></mergeCells>'
        add(
            f"merge-{i}.xlsx",
            xlsx_bytes([sheet_xml(good_rows(), dimension="A1:XFD1048576", tail=merges)]),
            "merge_everything",
            must_refuse=False,
        )
    # 3. Unpacking bombs: the big one once, smaller honest ones, and members that lie.
    add("spaces-600mb.xlsx", spaces_bomb(big_megabytes), "spaces_bomb")
    for i in range(12):
        declared = rng.randint(300, 4000) * 1024 * 1024
        add(
            f"lying-size-{i}.xlsx",
            _stored_member("xl/worksheets/sheet1.xml", b" " * 1024, declared),
            "zip_declared_huge",
        )
    for i in range(12):
        data = b"<" * (rng.randint(64, 512) * 1024)
        add(f"lying-small-{i}.xlsx", _stored_member("xl/workbook.xml", data, 10), "zip_lying_small")
    for i in range(6):
        many = {f"xl/media/image{n}.bin": b"" for n in range(5001 + i)}
        add(
            f"many-members-{i}.xlsx",
            xlsx_bytes([sheet_xml(good_rows())], extra=many, level=1),
            "zip_many_members",
        )
    # 4. CSVs wider than Excel, and too wide for the limit.
    for i in range(20):
        width = rng.choice([18279, 18300, 20000, 501 + i * 50])
        header = [*HEADER, *(f"c{n}" for n in range(width - len(HEADER)))]
        add(f"wide-{i}.csv", _csv([header, *[[*r] for r in GOOD_ROWS]]), "csv_too_wide")
    for i in range(6):
        width = 18279 + i
        add(f"wide-data-{i}.csv", _csv([HEADER, [",".join(["x"] * width)]]), "csv_too_wide")
    # 5. Password-protected workbooks (real Agile encryption; and a stripped-down container).
    for i in range(3):
        add(f"mat-khau-{i}.xlsx", password_xlsx(f"mk{i}"), "password")
    encrypted = password_xlsx("x")
    for i in range(7):
        add(f"mat-khau-doi-ten-{i}.xls", encrypted, "password")
    # 6. Web pages and XML saved with an Excel name.
    pages = [
        b"<html><body><table><tr><td>M\xc3\xa3 h\xe1\xbb\x99</td></tr></table></body></html>",
        b"\xef\xbb\xbf<html><table></table></html>",
        b"<!DOCTYPE html>\n<html lang='vi'><table></table></html>",
        b"   \r\n<table border=1><tr><td>1</td></tr></table>",
        b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook/>',
        b"MIME-Version: 1.0\r\nContent-Type: multipart/related\r\n\r\n<html></html>",
        "<html><table></table></html>".encode("utf-16"),
        b"<meta charset='utf-8'><table><tr><td>x</td></tr></table>",
    ]
    for i in range(24):
        add(f"trang-web-{i}.xls", pages[i % len(pages)], "html_as_xls")
    # 7. Other formats and damaged files.
    others = [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n",
        b"\x89PNG\r\n\x1a\n" + bytes(64),
        b"\xff\xd8\xff\xe0" + bytes(64),
        b"GIF89a" + bytes(32),
        b"Rar!\x1a\x07\x00" + bytes(32),
        b"7z\xbc\xaf\x27\x1c" + bytes(32),
        b"\x1f\x8b\x08\x00" + bytes(32),
        b"{\\rtf1\\ansi hello}",
    ]
    for i, data in enumerate(others * 2):
        add(f"khac-{i}.xlsx", data, "other_format")
    good = xlsx_bytes([sheet_xml(good_rows())])
    for i in range(20):
        cut = rng.randint(10, len(good) - 10)
        add(f"cut-{i}.xlsx", good[:cut], "truncated_xlsx")
    for i in range(15):
        data = bytearray(good)
        for _ in range(rng.randint(5, 60)):
            data[rng.randrange(30, len(data))] = rng.randrange(256)
        # Damaged bytes: refused or, where they hit only padding, read; never a traceback.
        add(f"noise-{i}.xlsx", bytes(data), "damaged_xlsx", must_refuse=False)
    for i in range(10):
        add(
            f"ole-rac-{i}.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(rng.randint(100, 5000)),
            "damaged_xls",
        )
    for i in range(10):
        add(f"nhi-phan-{i}.csv", rng.randbytes(rng.randint(200, 4000)), "binary")
    for i in range(5):
        z = io.BytesIO()
        with zipfile.ZipFile(z, "w") as archive:
            archive.writestr("word/document.xml" if i % 2 else "content.xml", "<x/>")
        add(f"khong-phai-xlsx-{i}.xlsx", z.getvalue(), "zip_not_xlsx")
    add("rong.xlsx", b"", "empty", must_refuse=False)
    # 8. XML entity bombs inside the sheet and the shared strings.
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
            for n in range(1, 10)
        )
        + "]>"
    )
    for i in range(8):
        body = sheet_xml(good_rows()).split("?>", 1)[1].replace("Nguyễn Văn An", "&lol9;")
        add(f"entity-{i}.xlsx", xlsx_bytes([lol + body]), "xml_entity_bomb")
    # 9. Control characters in cells (refused with the cell), in CSV and XLSX.
    controls = ["\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f", "\x85\x00", "\x9f"]
    for i in range(16):
        char = controls[i % len(controls)]
        rows = [list(HEADER), ["H1", f"Nguyễn{char}Văn An", "1980", "Chủ hộ"]]
        if i % 2:
            add(f"dieu-khien-{i}.csv", _csv(rows), "control_character")
        else:
            # XML 1.0 cannot hold C0 controls (such a sheet is refused as damaged); DEL and C1
            # controls are legal XML and reach the reader as characters.
            char = ["\x7f", "\x80", "\x9f", "\x01"][i // 2 % 4]
            rows[1][1] = f"Nguyễn{char}Văn An"
            xml_rows = [(n + 1, r) for n, r in enumerate(rows)]
            add(f"dieu-khien-{i}.xlsx", xlsx_bytes([sheet_xml(xml_rows)]), "control_character")
    # 10. Overlong cells.
    for i in range(10):
        long = "Nguyễn " * rng.randint(800, 5000)
        rows = [list(HEADER), ["H1", long, "1980", "Chủ hộ"]]
        if i % 2:
            add(f"o-dai-{i}.csv", _csv(rows), "cell_too_long")
        else:
            add(
                f"o-dai-{i}.xlsx",
                xlsx_bytes([sheet_xml([(n + 1, r) for n, r in enumerate(rows)])]),
                "cell_too_long",
            )
    # 11. Too many sheets.
    for i in range(5):
        add(
            f"nhieu-trang-{i}.xlsx",
            xlsx_bytes([sheet_xml(good_rows())] * (51 + i)),
            "too_many_sheets",
        )
    # 12. Broken CSV: an unclosed quote swallowing the file, mixed encodings.
    for i in range(10):
        tail = "x" * rng.randint(140_000, 200_000)
        add(
            f"ngoac-{i}.csv",
            ('Mã hộ,Họ và tên,Năm sinh\nB1,"Nguyễn Văn Hỏng,1980\n' + tail + "\n").encode(),
            "csv_unclosed_quote",
        )
    for i in range(6):
        data = _csv([HEADER, *GOOD_ROWS]) + "Lê Thị Cúc".encode("cp1252", errors="replace") * 20
        add(f"lan-ma-{i}.csv", data + bytes([0x81, 0x8D, 0xFE]) * (i + 1), "bad_encoding")
    # 13. Good files mixed in: they must be read (and imported) as usual.
    for i in range(12):
        sep = [",", ";", "\t"][i % 3]
        add(f"tot-{i}.csv", _csv([HEADER, *GOOD_ROWS], sep), "good", must_refuse=False)
    for i in range(8):
        add(f"tot-{i}.xlsx", good, "good", must_refuse=False)
    # Tabs and line breaks inside a cell are harmless (a one-line field makes them a space).
    for i in range(4):
        rows = [list(HEADER), ["H1", "Nguyễn\tVăn\nAn", "1980", "Chủ hộ"]]
        add(
            f"tab-{i}.xlsx",
            xlsx_bytes([sheet_xml([(n + 1, r) for n, r in enumerate(rows)])]),
            "harmless_whitespace",
            must_refuse=False,
        )
    return cases
