"""Read XLSX, XLS and CSV files into plain sheets of rows, with Excel row numbers.

Merged cells are filled with their top-left value (village lists merge the household columns over
the household's person rows). CSV text is decoded from UTF-16 (Excel's "Unicode Text", by its
BOM), UTF-8 (with or without BOM), repaired when it is UTF-8 that went through Windows-1252 once
("Há» vÃ  tÃªn"), or decoded from Windows-1258 (Excel's "CSV" on Vietnamese Windows); a file whose
Vietnamese letters were replaced by "?" is refused with a message that says how to save it
properly. The CSV delimiter ("," ";" or tab) is the one under which the header is found best.
Every failure to read a file is a DomainError with a Vietnamese message, never a traceback.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import column_index_from_string, get_column_letter

from smartvillage.core.errors import DomainError

ProgressFn = Callable[[int], None]
# How well a delimiter splits a CSV: scores the first rows as header candidates (importer's).
HeaderScoreFn = Callable[[list[tuple[int, list[object]]]], int]

log = logging.getLogger(__name__)


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
                # Read-only iter_rows() always starts at row 1 and yields a filler for every
                # missing row, even when the sheet's <dimension> starts lower ("A3:F90", written
                # by Excel when the top rows are empty): row numbers count from 1, not min_row.
                for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
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
# What a UTF-8 continuation byte (0x80-0xBF) becomes when the bytes are read as Windows-1252:
# U+00A0-U+00BF, cp1252's punctuation for 0x80-0x9F ("‘", "™", "€" …), or the C1 control that
# Windows keeps for the five bytes cp1252 leaves undefined.
_CONT = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(0x80, 0xC0))
_C = "[" + "".join(re.escape(ch) for ch in _CONT) + "]"
# One UTF-8 character read as cp1252: a lead byte (Â-ß, à-ï, ð-ô) followed by exactly the
# continuation characters it needs. A plain capital "Ã" ("XÃ", "MÃ HỘ", "NGÃ") is not followed
# by one, so genuine Vietnamese is not mistaken for mojibake.
_MOJIBAKE = re.compile(f"[\u00c2-\u00df]{_C}|[\u00e0-\u00ef]{_C}{{2}}|[\u00f0-\u00f4]{_C}{{3}}")


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


def _repair_one(match: re.Match[str]) -> str:
    try:
        return _cp1252_bytes(match.group(0)).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return match.group(0)


def _repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Windows-1252 and saved again as UTF-8, or return the text unchanged."""
    if len(_MOJIBAKE.findall(text)) < 2:
        return text
    try:
        return _cp1252_bytes(text).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        # Not the whole text went through cp1252 (genuine letters such as "Ư" next to mangled
        # ones): repair each mangled character that decodes, keep everything else as written.
        return _MOJIBAKE.sub(_repair_one, text)


def _utf16_without_bom(data: bytes) -> str | None:
    """ "Unicode Text" that lost its BOM: every other byte of the ASCII text is zero."""
    head = data[: min(200, len(data) - len(data) % 2)]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= len(odd) * 0.6 and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= len(even) * 0.6 and odd.count(0) == 0:
        return "utf-16-be"
    return None


def decode_csv(data: bytes, name: str = "") -> str:
    """Text of a CSV file, or a DomainError saying what is wrong with its encoding."""
    utf16 = None
    if data.startswith(b"\xff\xfe"):
        utf16, data = "utf-16-le", data[2:]
    elif data.startswith(b"\xfe\xff"):
        utf16, data = "utf-16-be", data[2:]
    elif not data.startswith(b"\xef\xbb\xbf"):
        utf16 = _utf16_without_bom(data)
    if utf16:
        # Excel's "Unicode Text" (.txt): UTF-16 with a BOM, tab separated.
        try:
            return unicodedata.normalize("NFC", data.decode(utf16))
        except UnicodeDecodeError as exc:
            raise DomainError(
                f"Tệp “{name}” có dấu hiệu là văn bản Unicode (UTF-16) nhưng bị hỏng ở byte "
                f"{exc.start}. Hãy mở bằng Excel và lưu lại dạng .xlsx hoặc “CSV UTF-8 (Comma delimited)”.",
                "bad_encoding",
            ) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        return unicodedata.normalize("NFC", _repair_mojibake(text))
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


DELIMITERS = (",", ";", "\t")
_SAMPLE_ROWS = 40


def _csv_rows(text: str, delimiter: str, limit: int | None = None) -> list[tuple[int, list]]:
    """(row number, trimmed values) of the non-empty rows; csv.Error propagates."""
    rows: list[tuple[int, list[object]]] = []
    # Numbered by record, as Excel numbers the rows when it opens the file (a quoted cell may
    # span several lines and is still one row).
    lines = io.StringIO(text, newline="")  # "\r", "\n" or "\r\n" ends a line (old Mac Excel: "\r")
    for number, values in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
        trimmed = _trim([v.strip() if v.strip() else None for v in values])
        if trimmed:
            rows.append((number, trimmed))
            if limit is not None and len(rows) >= limit:
                break
    return rows


def _delimiter(text: str, header_score: HeaderScoreFn | None) -> str:
    """The delimiter under which the header is found best; the sniffer's guess breaks ties.

    csv.Sniffer gives up on files that start with title lines ("DANH SÁCH …" has no delimiter),
    which is exactly how semicolon CSVs from Vietnamese-locale Excel look.
    """
    sample = text[:20000]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    if header_score is None:
        return sniffed or ","
    best, best_key = ",", None
    for delimiter in DELIMITERS:
        try:
            rows = _csv_rows(sample, delimiter, _SAMPLE_ROWS)
        except csv.Error:
            continue
        # Header score first; then the sniffer's choice, then the order of DELIMITERS.
        key = (header_score(rows), delimiter == sniffed)
        if best_key is None or key > best_key:
            best, best_key = delimiter, key
    return best


def read_csv(
    path: Path, data: bytes | None = None, header_score: HeaderScoreFn | None = None
) -> list[Sheet]:
    raw = data if data is not None else path.read_bytes()
    text = decode_csv(raw, path.name)
    if _lost_letters(text):
        raise DomainError(
            f"Tệp “{path.name}” đã mất dấu tiếng Việt (chữ bị thay bằng “?”, ví dụ “Nguy?n”) khi lưu thành CSV. "
            "Hãy lưu lại từ tệp Excel gốc dạng .xlsx hoặc “CSV UTF-8 (Comma delimited)”.",
            "bad_encoding",
        )
    delimiter = _delimiter(text, header_score)
    sheet = Sheet(path.stem, source=path.name)
    try:
        sheet.rows = _csv_rows(text, delimiter)
    except csv.Error as exc:
        raise DomainError(
            f"Tệp “{path.name}” không đọc được như bảng CSV (phân cách bằng dấu "
            f"“{'tab' if delimiter == chr(9) else delimiter}”): {exc}. Hãy mở bằng Excel và lưu "
            "lại dạng .xlsx hoặc “CSV UTF-8 (Comma delimited)”.",
            "bad_file",
        ) from exc
    return [sheet]


def read_file(
    path: Path,
    progress: ProgressFn | None = None,
    display_name: str | None = None,
    header_score: HeaderScoreFn | None = None,
) -> list[Sheet]:
    """All sheets of one file, by content (magic bytes), not by extension.

    Any failure to read the file is a DomainError that names it, never a traceback.
    """
    try:
        return _read_file(path, progress, display_name, header_score)
    except DomainError:
        raise
    except Exception as exc:  # a damaged file can fail anywhere inside openpyxl, xlrd or csv
        log.warning("cannot read %s", display_name or path.name, exc_info=True)
        raise DomainError(
            f"Không đọc được tệp “{display_name or path.name}” ({type(exc).__name__}: {exc}). "
            "Hãy mở bằng Excel và lưu lại dạng .xlsx.",
            "bad_file",
        ) from exc


def _read_file(
    path: Path,
    progress: ProgressFn | None,
    display_name: str | None,
    header_score: HeaderScoreFn | None,
) -> list[Sheet]:
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
        sheets = read_csv(path, header_score=header_score)
    if display_name:
        for sheet in sheets:
            sheet.source = display_name
            if sheet.name == path.stem:
                sheet.name = Path(display_name).stem
    return sheets
