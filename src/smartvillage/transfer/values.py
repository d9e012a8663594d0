"""Cell values as people type them, to Python values; every failure says why, in Vietnamese.

Each parser returns the value or raises ValueError with the reason (the importer adds where).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from smartvillage.registry.facts import fold
from smartvillage.registry.models import Relationship, Sex

YES = {
    "x",
    "co",
    "1",
    "yes",
    "y",
    "true",
    "dung",
    "✓",
    "✔",
    "v",
    "ok",
    "da co",
    "roi",
    "đa co",
    "có",
}
NO = {"", "khong", "0", "no", "n", "false", "sai", "chua", "-", "k", "ko", "không", "chua co", "✗"}
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_MONTH_YEAR_RE = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_YEAR_RE = re.compile(r"^(\d{4})(?:\.0)?$")


def text(value: object) -> str:
    """The cell as clean text: numbers without a spurious ".0", whitespace collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def parse_bool(value: object) -> bool:
    if value is None or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise ValueError(f"“{text(value)}” không phải có/không (dùng x, có, 1 hoặc để trống)")
    folded = fold(str(value)).strip()
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise ValueError(f"“{text(value)}” không phải có/không (dùng x, có, 1 hoặc để trống, không, 0)")


def looks_bool(value: object) -> bool:
    try:
        parse_bool(value)
    except ValueError:
        return False
    return True


def _check_range(value: dt.date, raw: object) -> dt.date:
    today = timezone.localdate()
    if value > today:
        raise ValueError(f"ngày “{text(raw)}” ở tương lai")
    if value.year < 1890:
        raise ValueError(f"năm {value.year} không hợp lý")
    return value


def parse_date(value: object) -> tuple[dt.date, bool]:
    """(date, year_only). Excel dates, dd/mm/yyyy, d/m/yy, yyyy-mm-dd, mm/yyyy or a year alone."""
    if isinstance(value, dt.datetime):
        return _check_range(value.date(), value), False
    if isinstance(value, dt.date):
        return _check_range(value, value), False
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value)
        if 1890 <= number <= 2100 and float(value).is_integer():
            return _check_range(dt.date(number, 1, 1), value), True
        if 1 <= number < 80000:
            # An Excel serial date that reached us as a number (CSV saved from Excel, xls-era files).
            return _check_range(_EXCEL_EPOCH + dt.timedelta(days=number), value), False
        raise ValueError(f"“{text(value)}” không phải ngày sinh")
    raw = text(value)
    if not raw:
        raise ValueError("ngày trống")
    if raw.isdigit() and len(raw) == 5:
        # An Excel serial date written out as text (CSV saved from a sheet with a numeric column).
        return parse_date(int(raw))
    match = _DATE_RE.match(raw)
    try:
        if match:
            day, month, year_text = match.groups()
            year = int(year_text)
            if len(year_text) == 2:
                # d/m/yy: people alive today, so "05" is 2005 and "45" is 1945.
                year += 2000 if year <= timezone.localdate().year % 100 else 1900
            return _check_range(dt.date(year, int(month), int(day)), value), False
        match = _ISO_RE.match(raw)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return _check_range(dt.date(year, month, day), value), False
        match = _MONTH_YEAR_RE.match(raw)
        if match:
            return _check_range(dt.date(int(match.group(2)), int(match.group(1)), 1), value), False
        match = _YEAR_RE.match(raw)
        if match:
            return _check_range(dt.date(int(match.group(1)), 1, 1), value), True
    except ValueError as exc:
        if "tương lai" in str(exc) or "không hợp lý" in str(exc):
            raise
        raise ValueError(f"“{raw}” không phải ngày có thật") from None
    raise ValueError(f"“{raw}” không phải ngày (dùng dd/mm/yyyy, d/m/yy hoặc năm sinh)")


_SEX = {
    "nam": Sex.MALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "trai": Sex.MALE,
    "1": Sex.MALE,
    "nu": Sex.FEMALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "gai": Sex.FEMALE,
    "0": Sex.FEMALE,
    "2": Sex.FEMALE,
}


def parse_sex(value: object) -> str:
    raw = text(value)
    if not raw:
        return ""
    key = fold(raw)
    if key in _SEX:
        return _SEX[key]
    raise ValueError(f"giới tính “{raw}” không rõ (dùng Nam/Nữ)")


_REL = {
    "chu ho": Relationship.HEAD,
    "ch": Relationship.HEAD,
    "head": Relationship.HEAD,
    "chu": Relationship.HEAD,
    "vo": Relationship.SPOUSE,
    "chong": Relationship.SPOUSE,
    "vo/chong": Relationship.SPOUSE,
    "spouse": Relationship.SPOUSE,
    "con": Relationship.CHILD,
    "con trai": Relationship.CHILD,
    "con gai": Relationship.CHILD,
    "child": Relationship.CHILD,
    "con nuoi": Relationship.CHILD,
    "bo": Relationship.PARENT,
    "me": Relationship.PARENT,
    "cha": Relationship.PARENT,
    "bo/me": Relationship.PARENT,
    "bo de": Relationship.PARENT,
    "me de": Relationship.PARENT,
    "parent": Relationship.PARENT,
    "bo me": Relationship.PARENT,
    "chau": Relationship.GRANDCHILD,
    "chau noi": Relationship.GRANDCHILD,
    "chau ngoai": Relationship.GRANDCHILD,
    "grandchild": Relationship.GRANDCHILD,
    "anh": Relationship.SIBLING,
    "chi": Relationship.SIBLING,
    "em": Relationship.SIBLING,
    "anh/chi/em": Relationship.SIBLING,
    "em trai": Relationship.SIBLING,
    "em gai": Relationship.SIBLING,
    "sibling": Relationship.SIBLING,
    "con dau": Relationship.IN_LAW,
    "con re": Relationship.IN_LAW,
    "con dau/con re": Relationship.IN_LAW,
    "in_law": Relationship.IN_LAW,
    "in law": Relationship.IN_LAW,
    "khac": Relationship.OTHER,
    "other": Relationship.OTHER,
    "": Relationship.OTHER,
}


def parse_relationship(value: object) -> tuple[str, bool]:
    """(relationship, known). Unknown words become "other" with a warning, not an error."""
    key = fold(text(value))
    if key in _REL:
        return _REL[key], True
    return Relationship.OTHER, False


def parse_identity(value: object) -> tuple[str, str | None]:
    """(digits, warning). 12-digit CCCD or 9-digit CMND; a number that lost its leading zero in
    Excel is padded back to 12 digits with a warning."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = text(value).replace(" ", "").replace(".", "")
    if not raw:
        return "", None
    if not raw.isdigit():
        raise ValueError(f"số CCCD/CMND “{text(value)}” chỉ được có chữ số")
    if len(raw) in (9, 12):
        return raw, None
    if isinstance(value, int) and 9 < len(raw) < 12:
        return raw.zfill(
            12
        ), f"số “{raw}” mất số 0 ở đầu (ô dạng số); đã bổ sung thành {raw.zfill(12)}"
    raise ValueError(f"số CCCD/CMND “{raw}” phải có 12 (hoặc 9) chữ số")


def parse_decimal(value: object) -> Decimal | None:
    raw = text(value)
    if not raw:
        return None
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"“{raw}” không phải số") from None
