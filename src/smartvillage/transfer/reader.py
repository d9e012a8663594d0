"""Read XLSX, XLS and CSV files into plain sheets of rows, with Excel row numbers.

Merged cells are filled with their top-left value (village lists merge the household columns over
the household's person rows). CSV text is decoded from UTF-8 (with or without BOM), repaired when
it is UTF-8 that went through Windows-1252 once ("Há» vÃ  tÃªn"), or decoded from Windows-1258
(Excel's "CSV" on Vietnamese Windows); a file whose Vietnamese letters were replaced by "?" is
refused with a message that says how to save it properly.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import column_index_from_string, get_column_letter

from smartvillage.core.errors import DomainError

ProgressFn = Callable[[int], None]


@dataclass
class Sheet:
    name: str
    rows: list[tuple[int, list[object]]] = field(default_factory=list)  # (Excel row number, values)
    source: str = ""  # file name, for messages when several files are imported together


def column_letter(index: int) -> str:
    """0-based column index -> Excel letter."""
    return get_column_letter(index + 1)


_MERGE_RE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _merged_ranges(archive: zipfile.ZipFile, member: str) -> list[tuple[int, int, int, int]]:
    """Merged ranges (min_row, min_col0, max_row, max_col0) of a worksheet part.

    openpyxl's read-only mode does not report merges; the <mergeCells> element sits at the end of
    the sheet XML, so a byte scan finds them without parsing the cells twice.
    """
    try:
        data = archive.read(member.lstrip("/"))
    except KeyError:
        return []
    start = data.rfind(b"<mergeCells")
    if start < 0:
        return []
    out = []
    for c1, r1, c2, r2 in _MERGE_RE.findall(data[start:]):
        out.append(
            (
                int(r1),
                column_index_from_string(c1.decode()) - 1,
                int(r2),
                column_index_from_string(c2.decode()) - 1,
            )
        )
    return out


def _fill_merged(sheet: Sheet, ranges: list[tuple[int, int, int, int]]) -> None:
    if not ranges:
        return
    by_row = dict(sheet.rows)
    for r1, c1, r2, c2 in ranges:
        top = by_row.get(r1)
        if top is None or c1 >= len(top):
            continue
        value = top[c1]
        for r in range(r1, r2 + 1):
            row = by_row.get(r)
            if row is None:
                continue
            if len(row) <= c2:
                row.extend([None] * (c2 + 1 - len(row)))
            for c in range(c1, c2 + 1):
                if row[c] is None:
                    row[c] = value


def _trim(values: list[object]) -> list[object]:
    end = len(values)
    while end and (values[end - 1] is None or values[end - 1] == ""):
        end -= 1
    return list(values[:end])


def read_xlsx(path: Path, progress: ProgressFn | None = None) -> list[Sheet]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DomainError(f"Không đọc được tệp Excel “{path.name}”: {exc}", "bad_file") from exc
    sheets: list[Sheet] = []
    count = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for ws in workbook.worksheets:
                sheet = Sheet(ws.title, source=path.name)
                for number, values in enumerate(
                    ws.iter_rows(values_only=True), start=ws.min_row or 1
                ):
                    trimmed = _trim(list(values))
                    if trimmed:
                        sheet.rows.append((number, trimmed))
                    count += 1
                    if progress and count % 5000 == 0:
                        progress(count)
                _fill_merged(sheet, _merged_ranges(archive, getattr(ws, "_worksheet_path", "")))
                sheets.append(sheet)
    finally:
        workbook.close()
    return sheets


def read_xls(path: Path) -> list[Sheet]:
    """Real Excel 97-2003 files (.xls, BIFF), through xlrd."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True)
    except Exception as exc:
        raise DomainError(
            f"Không đọc được tệp .xls “{path.name}” ({exc}). Hãy mở bằng Excel và lưu lại dạng .xlsx.",
            "bad_file",
        ) from exc
    sheets = []
    for xs in book.sheets():
        sheet = Sheet(xs.name, source=path.name)
        for r in range(xs.nrows):
            values: list[object] = []
            for c in range(xs.ncols):
                cell = xs.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    values.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    values.append(None)
                else:
                    values.append(cell.value)
            trimmed = _trim(values)
            if trimmed:
                sheet.rows.append((r + 1, trimmed))
        _fill_merged(sheet, [(r1 + 1, c1, r2, c2 - 1) for r1, r2, c1, c2 in xs.merged_cells])
        sheets.append(sheet)
    return sheets


_VI_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ")
_MOJIBAKE = re.compile("Ã.|Ä.|Æ.|á»|áº|Ä‘|Ä\u2018")


def _vi_score(text: str) -> int:
    composed = unicodedata.normalize("NFC", text)
    return sum(1 for ch in composed if ch in _VI_LETTERS or "\u1ea0" <= ch <= "\u1ef9")


def _cp1252_bytes(text: str) -> bytes:
    # Windows keeps the five bytes cp1252 leaves undefined (0x81, 0x8D, …) as C1 controls.
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) < 256:
                out.append(ord(ch))
            else:
                raise
    return bytes(out)


def decode_csv(data: bytes, name: str = "") -> str:
    """Text of a CSV file, or a DomainError saying what is wrong with its encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        if len(_MOJIBAKE.findall(text)) >= 2:
            # UTF-8 bytes read as Windows-1252 and saved again as UTF-8: undo that once.
            try:
                repaired = _cp1252_bytes(text).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                repaired = None
            if repaired is not None:
                return unicodedata.normalize("NFC", repaired)
            raise DomainError(
                f"Tệp “{name}” có chữ tiếng Việt bị lỗi mã (kiểu “Há» vÃ  tÃªn”) không sửa được. "
                "Hãy mở tệp gốc bằng Excel và chọn Lưu thành “CSV UTF-8 (Comma delimited)” hoặc .xlsx.",
                "bad_encoding",
            )
        return unicodedata.normalize("NFC", text)
    # Not UTF-8: an 8-bit Windows code page. Vietnamese Windows writes 1258 (tone marks as
    # combining characters, composed here); Western Windows writes 1252 and loses the letters.
    cp1258 = data.decode("cp1258", errors="replace")
    if _vi_score(cp1258) > 0 and "\ufffd" not in cp1258:
        return unicodedata.normalize("NFC", cp1258)
    raise DomainError(
        f"Tệp “{name}” không phải UTF-8 và không đọc được như bảng mã Windows-1258 (tiếng Việt). "
        "Hãy mở bằng Excel và chọn Lưu thành “CSV UTF-8 (Comma delimited)” hoặc .xlsx.",
        "bad_encoding",
    )


def _lost_letters(text: str) -> bool:
    """ "Nguy?n V?n A": Excel saved Vietnamese as a Western code page and replaced the letters."""
    return len(re.findall(r"\w\?\w|\w\?[\s,;]|[\s,;]\?\w", text)) >= 3


def read_csv(path: Path, data: bytes | None = None) -> list[Sheet]:
    raw = data if data is not None else path.read_bytes()
    text = decode_csv(raw, path.name)
    if _lost_letters(text):
        raise DomainError(
            f"Tệp “{path.name}” đã mất dấu tiếng Việt (chữ bị thay bằng “?”, ví dụ “Nguy?n”) khi lưu thành CSV. "
            "Hãy lưu lại từ tệp Excel gốc dạng .xlsx hoặc “CSV UTF-8 (Comma delimited)”.",
            "bad_encoding",
        )
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    sheet = Sheet(path.stem, source=path.name)
    for number, values in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        trimmed = _trim([v.strip() if v.strip() else None for v in values])
        if trimmed:
            sheet.rows.append((number, trimmed))
    return [sheet]


def read_file(
    path: Path, progress: ProgressFn | None = None, display_name: str | None = None
) -> list[Sheet]:
    """All sheets of one file, by content (magic bytes), not by extension."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        if not zipfile.is_zipfile(path):
            raise DomainError(
                f"Tệp “{display_name or path.name}” bị hỏng (không mở được như .xlsx).", "bad_file"
            )
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise DomainError(
                f"Tệp “{display_name or path.name}” không phải bảng tính Excel (.xlsx); có thể là .docx/.ods/.zip.",
                "bad_file",
            )
        sheets = read_xlsx(path, progress)
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        sheets = read_xls(path)
    elif head.lstrip().lower().startswith((b"<html", b"<!doc", b"<?xml", b"<table")):
        raise DomainError(
            f"Tệp “{display_name or path.name}” là trang HTML/XML mang đuôi Excel. Hãy mở bằng Excel và lưu thành .xlsx.",
            "bad_file",
        )
    else:
        sheets = read_csv(path)
    if display_name:
        for sheet in sheets:
            sheet.source = display_name
            if sheet.name == path.stem:
                sheet.name = Path(display_name).stem
    return sheets
