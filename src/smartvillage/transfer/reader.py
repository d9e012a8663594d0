"""Read XLSX, XLS and CSV files into plain sheets of rows, with Excel row numbers.

Merged cells are filled with their top-left value (village lists merge the household columns over
the household's person rows). CSV text is decoded from UTF-16 (Excel's "Unicode Text", by its
BOM), UTF-8 (with or without BOM), repaired when it is UTF-8 that went through Windows-1252 once
("Há» vÃ  tÃªn"), or decoded from Windows-1258 (Excel's "CSV" on Vietnamese Windows); a file whose
Vietnamese letters were replaced by "?" is refused with a message that says how to save it
properly. The CSV delimiter ("," ";" or tab) is the one under which the header is found best.
Every failure to read a file is a DomainError with a Vietnamese message, never a traceback,
never an exception name, a server path or the English of a library.

Limits (settings IMPORT_MAX_*, see `Limits`) are enforced while reading, so a hostile or broken
file costs bounded time and memory: the total decompressed size of an XLSX's members is checked
before anything is parsed, a sheet's declared dimension (<dimension ref="A1:XFD1048576">) is never
trusted (rows are iterated as they are in the file), and rows, columns, cell length, sheets and the
wall-clock time are counted as the file is read. A password-protected workbook is named as such.
"""

from __future__ import annotations

import bisect
import csv
import io
import logging
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import column_index_from_string, get_column_letter

from smartvillage.core import text as text_rules
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


@dataclass(frozen=True)
class Limits:
    """How much one file may hold; settings IMPORT_MAX_* (README, "Giới hạn khi nhập")."""

    rows: int = 200_000  # rows with data, all sheets together
    columns: int = 500  # last non-empty column of a row
    cell_chars: int = 5_000  # characters in one cell
    sheets: int = 50
    uncompressed_bytes: int = 200 * 1024 * 1024  # an XLSX's members unpacked; a CSV/XLS's size
    members: int = 5_000  # entries in an XLSX's ZIP
    seconds: float = 180.0  # wall-clock time to read one file

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        defaults = cls()
        return cls(
            rows=getattr(settings, "IMPORT_MAX_ROWS", defaults.rows),
            columns=getattr(settings, "IMPORT_MAX_COLUMNS", defaults.columns),
            cell_chars=getattr(settings, "IMPORT_MAX_CELL_CHARS", defaults.cell_chars),
            sheets=getattr(settings, "IMPORT_MAX_SHEETS", defaults.sheets),
            uncompressed_bytes=getattr(
                settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", defaults.uncompressed_bytes
            ),
            members=getattr(settings, "IMPORT_MAX_ZIP_MEMBERS", defaults.members),
            seconds=getattr(settings, "IMPORT_MAX_SECONDS", defaults.seconds),
        )


def _number(value: float) -> str:
    """1.234.567 — Vietnamese digit grouping for messages."""
    return f"{value:,.0f}".replace(",", ".")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f}".replace(",", ".") + " MB"


class _Budget:
    """Counts what one file costs while it is read and refuses it at the first limit it passes."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name = name
        self.limits = limits
        self.deadline = time.monotonic() + limits.seconds
        self.rows = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise DomainError(
                f"Tệp “{self.name}” cần hơn {_number(self.limits.seconds)} giây để đọc nên đã "
                "dừng lại; chưa ghi gì. Tệp có thể quá lớn hoặc có nhiều ô trống được định dạng: "
                "hãy chép riêng các cột và dòng có dữ liệu sang một tệp Excel mới rồi nhập lại.",
                "file_too_slow",
            )

    def where(self, sheet: str, row: int, column: int | None = None) -> str:
        place = f"Tệp “{self.name}”, trang “{sheet}”, dòng {_number(row)}"
        if column is not None:
            place += f", cột {column_letter(min(column, 18277))}"
        return place

    def row(self, sheet: str, number: int, values: list[object]) -> list[object]:
        """Check one non-empty row; returns it with line-like characters kept."""
        self.rows += 1
        if self.rows > self.limits.rows:
            raise DomainError(
                f"Tệp “{self.name}” có hơn {_number(self.limits.rows)} dòng dữ liệu, quá giới hạn "
                "cho một lần nhập; chưa ghi gì. Hãy chia thành nhiều tệp nhỏ hơn.",
                "too_many_rows",
            )
        if len(values) > self.limits.columns:
            raise DomainError(
                f"{self.where(sheet, number, len(values) - 1)}: dòng có dữ liệu ở cột thứ "
                f"{_number(len(values))}, quá giới hạn {_number(self.limits.columns)} cột; chưa "
                "ghi gì. Hãy xoá các cột thừa ở bên phải bảng rồi nhập lại.",
                "too_many_columns",
            )
        for index, value in enumerate(values):
            if not isinstance(value, str):
                continue
            if len(value) > self.limits.cell_chars:
                raise DomainError(
                    f"{self.where(sheet, number, index)}: ô dài {_number(len(value))} ký tự, quá "
                    f"giới hạn {_number(self.limits.cell_chars)} ký tự; chưa ghi gì.",
                    "cell_too_long",
                )
            reason = text_rules.refusal(value)
            if reason:
                raise DomainError(
                    f"{self.where(sheet, number, index)}: ô {reason}; chưa ghi gì.",
                    "control_character",
                )
        if self.rows % 256 == 0:
            self.tick()
        return values


def column_letter(index: int) -> str:
    """0-based column index -> Excel letter."""
    return get_column_letter(index + 1)


_MERGE_RE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _merged_ranges(archive: zipfile.ZipFile, member: str) -> list[tuple[int, int, int, int]]:
    """Merged ranges (min_row, min_col0, max_row, max_col0) of a worksheet part.

    openpyxl's read-only mode does not report merges; the <mergeCells> element sits at the end of
    the sheet XML, so a byte scan finds them without parsing the cells twice.
    """
    # Streamed: only the part from <mergeCells on is kept, so a sheet of 200 MB is never held
    # in memory whole.
    marker = b"<mergeCells"
    tail = b""
    try:
        with archive.open(member.lstrip("/")) as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                data = tail + chunk
                start = data.find(marker) if marker not in tail else 0
                tail = data[start:] if start >= 0 else data[-len(marker) :]
    except KeyError:
        return []
    if not tail.startswith(marker):
        return []
    out = []
    for c1, r1, c2, r2 in _MERGE_RE.findall(tail):
        out.append(
            (
                int(r1),
                column_index_from_string(c1.decode()) - 1,
                int(r2),
                column_index_from_string(c2.decode()) - 1,
            )
        )
    return out


def _fill_merged(
    sheet: Sheet, ranges: list[tuple[int, int, int, int]], budget: _Budget | None = None
) -> None:
    """Copy each merged range's top-left value into the range's cells on rows that have data.

    Only rows that exist are visited and ranges are cut at the column limit, so a merge declared
    over the whole sheet ("A1:XFD1048576") costs what the sheet's data costs, not 17 billion cells.
    """
    if not ranges:
        return
    max_col0 = (budget.limits.columns if budget else 16384) - 1
    numbers = [number for number, _values in sheet.rows]
    by_row = dict(sheet.rows)
    for done, (r1, c1, r2, c2) in enumerate(ranges, start=1):
        if budget and done % 1024 == 0:
            budget.tick()
        top = by_row.get(r1)
        if top is None or c1 >= len(top) or c1 > max_col0:
            continue
        value = top[c1]
        c2 = min(c2, max_col0)
        for number in numbers[bisect.bisect_left(numbers, r1) : bisect.bisect_right(numbers, r2)]:
            row = by_row[number]
            if len(row) <= c2:
                row.extend([None] * (c2 + 1 - len(row)))
            for c in range(c1, c2 + 1):
                if row[c] is None:
                    row[c] = value


def _trim(values: list[object] | tuple[object, ...]) -> list[object]:
    end = len(values)
    while end and (values[end - 1] is None or values[end - 1] == ""):
        end -= 1
    return list(values[:end])


def _password_message(name: str) -> str:
    return (
        f"Tệp được đặt mật khẩu: “{name}” được bảo vệ bằng mật khẩu nên không đọc được. Hãy mở "
        "tệp bằng Excel, gỡ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc > Mã hoá bằng mật "
        "khẩu, xoá mật khẩu), lưu lại rồi nhập lại."
    )


def _check_archive(path: Path, name: str, limits: Limits) -> None:
    """Refuse an XLSX whose ZIP would unpack to more than the limit, before parsing anything.

    Python's zipfile never returns more bytes than a member declares (a member that lies about its
    size fails its CRC check), so the declared sizes bound what openpyxl can unpack.
    """
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    if len(infos) > limits.members:
        raise DomainError(
            f"Tệp “{name}” chứa {_number(len(infos))} phần bên trong, quá nhiều cho một bảng "
            "tính; chưa ghi gì. Hãy mở bằng Excel và lưu lại dạng .xlsx.",
            "too_many_members",
        )
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.uncompressed_bytes:
        raise DomainError(
            f"Tệp “{name}” khi giải nén lớn {_megabytes(unpacked)}, quá giới hạn "
            f"{_megabytes(limits.uncompressed_bytes)}; chưa ghi gì. Tệp có thể chứa rất nhiều ô "
            "trống hoặc khoảng trắng: hãy chép riêng bảng dữ liệu sang một tệp Excel mới rồi "
            "nhập lại.",
            "too_large_unpacked",
        )


def read_xlsx(
    path: Path,
    progress: ProgressFn | None = None,
    *,
    display_name: str | None = None,
    limits: Limits | None = None,
) -> list[Sheet]:
    from openpyxl import load_workbook

    name = display_name or path.name
    limits = limits or Limits.from_settings()
    budget = _Budget(name, limits)
    _check_archive(path, name, limits)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        log.warning("cannot open %s as XLSX", name, exc_info=True)
        raise DomainError(
            f"Không đọc được tệp Excel “{name}”: tệp bị hỏng hoặc không phải bảng tính .xlsx "
            "hợp lệ. Hãy mở bằng Excel và lưu lại dạng .xlsx.",
            "bad_file",
        ) from exc
    sheets: list[Sheet] = []
    count = 0
    try:
        if len(workbook.sheetnames) > limits.sheets:
            raise DomainError(
                f"Tệp “{name}” có {_number(len(workbook.sheetnames))} trang, quá giới hạn "
                f"{_number(limits.sheets)} trang; chưa ghi gì. Hãy xoá các trang không cần.",
                "too_many_sheets",
            )
        budget.tick()
        with zipfile.ZipFile(path) as archive:
            for ws in workbook.worksheets:
                sheet = Sheet(ws.title, source=path.name)
                for number, values in _sheet_rows(ws, workbook):
                    count += 1
                    if count % 4096 == 0:
                        budget.tick()
                        if progress and count % 8192 == 0:
                            progress(count)
                    if not values:
                        continue
                    trimmed = _trim(values)
                    if trimmed:
                        sheet.rows.append((number, budget.row(sheet.name, number, trimmed)))
                merges = _merged_ranges(archive, getattr(ws, "_worksheet_path", ""))
                _fill_merged(sheet, merges, budget)
                sheets.append(sheet)
    finally:
        workbook.close()
    return sheets


def _sheet_rows(ws: Any, workbook: Any) -> Iterator[tuple[int, tuple | list]]:
    """(Excel row number, values) of the rows present in a read-only sheet's XML.

    The declared <dimension> is never trusted: a sheet claiming A1:XFD1048576 would make
    openpyxl pad every row to 16.384 cells and yield 1.048.576 rows. openpyxl's own sheet parser
    yields only the rows that are in the file, each with its number, and a row is only as wide
    as its last non-empty cell. If openpyxl's internals change, the public path is used: unsized
    (reset_dimensions), iter_rows yields each row as wide as its last cell and one empty filler
    per missing row, so row numbers still count from 1.
    """
    try:
        from openpyxl.worksheet._reader import WorkSheetParser

        source = ws._get_source()
        parser = WorkSheetParser(
            source,
            ws._shared_strings,
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
    except (ImportError, AttributeError, TypeError):
        ws.reset_dimensions()
        yield from enumerate(ws.iter_rows(values_only=True), start=1)
        return
    with source:
        for number, cells in parser.parse():
            width = 0
            for cell in cells:
                if cell["value"] is not None and cell["value"] != "":
                    width = max(width, cell["column"])
            values: list[object] = [None] * width
            for cell in cells:
                if cell["column"] <= width:
                    values[cell["column"] - 1] = cell["value"]
            yield number, values


def _is_encrypted_ole(path: Path) -> bool:
    """An OLE2 container holding an encrypted OOXML package (an .xlsx saved with a password)."""
    with path.open("rb") as handle:
        head = handle.read(1024 * 1024)
    return "EncryptedPackage".encode("utf-16-le") in head or (
        "EncryptionInfo".encode("utf-16-le") in head
    )


def read_xls(
    path: Path, *, display_name: str | None = None, limits: Limits | None = None
) -> list[Sheet]:
    """Real Excel 97-2003 files (.xls, BIFF), through xlrd."""
    import xlrd

    name = display_name or path.name
    limits = limits or Limits.from_settings()
    budget = _Budget(name, limits)
    if _is_encrypted_ole(path):
        raise DomainError(_password_message(name), "password_protected")
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True)
    except Exception as exc:
        if "encrypt" in str(exc).lower():
            raise DomainError(_password_message(name), "password_protected") from exc
        log.warning("cannot open %s as XLS", name, exc_info=True)
        raise DomainError(
            f"Không đọc được tệp .xls “{name}”: tệp bị hỏng hoặc không phải bảng tính Excel "
            "97-2003. Hãy mở bằng Excel và lưu lại dạng .xlsx.",
            "bad_file",
        ) from exc
    if book.nsheets > limits.sheets:
        raise DomainError(
            f"Tệp “{name}” có {_number(book.nsheets)} trang, quá giới hạn "
            f"{_number(limits.sheets)} trang; chưa ghi gì. Hãy xoá các trang không cần.",
            "too_many_sheets",
        )
    sheets = []
    for xs in book.sheets():
        sheet = Sheet(xs.name, source=path.name)
        for r in range(xs.nrows):
            if r % 1024 == 0:
                budget.tick()
            values: list[object] = []
            for c in range(min(xs.row_len(r), limits.columns + 1)):
                cell = xs.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        values.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                    except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                        values.append(cell.value)  # an impossible date number: the importer says so
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    values.append(None)
                else:
                    values.append(cell.value)
            trimmed = _trim(values)
            if trimmed:
                sheet.rows.append((r + 1, budget.row(sheet.name, r + 1, trimmed)))
        _fill_merged(
            sheet, [(r1 + 1, c1, r2, c2 - 1) for r1, r2, c1, c2 in xs.merged_cells], budget
        )
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


def _csv_rows(
    text: str,
    delimiter: str,
    limit: int | None = None,
    budget: _Budget | None = None,
    sheet: str = "",
) -> list[tuple[int, list]]:
    """(row number, trimmed values) of the non-empty rows; csv.Error propagates.

    With a budget every row is checked against the limits; without one (the delimiter sample)
    rows are cut at the column limit so a line of 100.000 separators costs nothing to score.
    """
    rows: list[tuple[int, list[object]]] = []
    width = Limits.from_settings().columns + 1
    # Numbered by record, as Excel numbers the rows when it opens the file (a quoted cell may
    # span several lines and is still one row).
    lines = io.StringIO(text, newline="")  # "\r", "\n" or "\r\n" ends a line (old Mac Excel: "\r")
    for number, values in enumerate(csv.reader(lines, delimiter=delimiter), start=1):
        if budget is None:
            values = values[:width]
        elif number % 1024 == 0:
            budget.tick()
        trimmed = _trim([v.strip() if v.strip() else None for v in values])
        if trimmed:
            if budget is not None:
                budget.row(sheet, number, trimmed)
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
    path: Path,
    data: bytes | None = None,
    header_score: HeaderScoreFn | None = None,
    *,
    display_name: str | None = None,
    limits: Limits | None = None,
) -> list[Sheet]:
    name = display_name or path.name
    limits = limits or Limits.from_settings()
    budget = _Budget(name, limits)
    size = len(data) if data is not None else path.stat().st_size
    if size > limits.uncompressed_bytes:
        raise DomainError(
            f"Tệp “{name}” lớn {_megabytes(size)}, quá giới hạn "
            f"{_megabytes(limits.uncompressed_bytes)}; chưa ghi gì. Hãy chia thành nhiều tệp.",
            "file_too_large",
        )
    raw = data if data is not None else path.read_bytes()
    _refuse_binary(raw, name)
    text = decode_csv(raw, name)
    if _lost_letters(text):
        raise DomainError(
            f"Tệp “{name}” đã mất dấu tiếng Việt (chữ bị thay bằng “?”, ví dụ “Nguy?n”) khi lưu thành CSV. "
            "Hãy lưu lại từ tệp Excel gốc dạng .xlsx hoặc “CSV UTF-8 (Comma delimited)”.",
            "bad_encoding",
        )
    budget.tick()
    delimiter = _delimiter(text, header_score)
    sheet = Sheet(path.stem, source=path.name)
    try:
        sheet.rows = _csv_rows(text, delimiter, budget=budget, sheet=Path(name).stem)
    except csv.Error as exc:
        raise DomainError(
            f"Tệp “{name}” không đọc được như bảng CSV (phân cách bằng dấu "
            f"“{'tab' if delimiter == chr(9) else delimiter}”): có một ô quá dài hoặc dấu ngoặc "
            "kép không đóng. Hãy mở bằng Excel và lưu lại dạng .xlsx hoặc "
            "“CSV UTF-8 (Comma delimited)”.",
            "bad_file",
        ) from exc
    return [sheet]


# Formats people upload by mistake, by their first bytes: named, never read as text.
_OTHER_FORMATS = (
    (b"%PDF", "tài liệu PDF"),
    (b"\x89PNG", "ảnh PNG"),
    (b"\xff\xd8\xff", "ảnh JPEG"),
    (b"GIF8", "ảnh GIF"),
    (b"Rar!", "tệp nén RAR"),
    (b"7z\xbc\xaf", "tệp nén 7z"),
    (b"\x1f\x8b", "tệp nén gzip"),
    (b"{\\rtf", "văn bản RTF"),
)


def _refuse_binary(raw: bytes, name: str) -> None:
    for magic, kind in _OTHER_FORMATS:
        if raw.startswith(magic):
            raise DomainError(
                f"Tệp “{name}” là {kind}, không phải bảng tính. Hãy nhập tệp Excel (.xlsx, .xls) "
                "hoặc CSV.",
                "bad_file",
            )
    head = raw[:4096]
    # Many NULs and not UTF-16: binary. A stray NUL in a text cell is refused later, with its cell.
    if (
        head.count(b"\x00") > len(head) // 10
        and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
        and _utf16_without_bom(raw) is None
    ):
        raise DomainError(
            f"Tệp “{name}” không phải bảng tính Excel hay CSV (có dữ liệu nhị phân). Hãy mở "
            "bằng Excel và lưu lại dạng .xlsx.",
            "bad_file",
        )


def read_file(
    path: Path,
    progress: ProgressFn | None = None,
    display_name: str | None = None,
    header_score: HeaderScoreFn | None = None,
) -> list[Sheet]:
    """All sheets of one file, by content (magic bytes), not by extension.

    Any failure to read the file is a DomainError in Vietnamese that names it (never a traceback,
    an exception name, a server path or a library's English).
    """
    name = display_name or path.name
    try:
        return _read_file(path, progress, name, header_score)
    except DomainError:
        raise
    except MemoryError as exc:
        raise DomainError(
            f"Tệp “{name}” quá lớn để đọc; chưa ghi gì. Hãy chia thành nhiều tệp nhỏ hơn.",
            "file_too_large",
        ) from exc
    except Exception as exc:  # a damaged file can fail anywhere inside openpyxl, xlrd or csv
        log.warning("cannot read %s", name, exc_info=True)
        raise DomainError(
            f"Không đọc được tệp “{name}”: tệp bị hỏng hoặc không đúng định dạng bảng tính. "
            "Hãy mở bằng Excel và lưu lại dạng .xlsx.",
            "bad_file",
        ) from exc


_MARKUP_STARTS = (b"<html", b"<!doc", b"<?xml", b"<table", b"<head", b"<body", b"<meta")


def _read_file(
    path: Path,
    progress: ProgressFn | None,
    name: str,
    header_score: HeaderScoreFn | None,
) -> list[Sheet]:
    limits = Limits.from_settings()
    with path.open("rb") as handle:
        head = handle.read(1024)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if not zipfile.is_zipfile(path):
            raise DomainError(f"Tệp “{name}” bị hỏng (không mở được như .xlsx).", "bad_file")
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise DomainError(
                f"Tệp “{name}” không phải bảng tính Excel (.xlsx); có thể là .docx/.ods/.zip.",
                "bad_file",
            )
        sheets = read_xlsx(path, progress, display_name=name, limits=limits)
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        sheets = read_xls(path, display_name=name, limits=limits)
    elif _markup(head):
        raise DomainError(
            f"Tệp “{name}” là trang web (HTML/XML) mang đuôi Excel, không phải bảng tính thật. "
            "Hãy mở bằng Excel và lưu thành .xlsx (Tệp > Lưu thành > Sổ làm việc Excel).",
            "bad_file",
        )
    else:
        sheets = read_csv(path, header_score=header_score, display_name=name, limits=limits)
    for sheet in sheets:
        sheet.source = name
        if sheet.name == path.stem:
            sheet.name = Path(name).stem
    return sheets


def _markup(head: bytes) -> bool:
    """HTML/XML/MHTML saved with an Excel name (Excel's "Web Page" and old export tools)."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    if head[1:2] == b"\x00" or head[:1] == b"\x00":
        head = head.replace(b"\x00", b"")  # UTF-16 markup
    start = head.lstrip().lower()
    return start.startswith(_MARKUP_STARTS) or start.startswith(b"mime-version:")
