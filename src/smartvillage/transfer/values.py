"""Cell values as people type them, to Python values; every failure says why, in Vietnamese.

Each parser returns the value or raises ValueError with the reason (the importer adds where).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone

from smartvillage.registry.facts import fold
from smartvillage.registry.models import Household, Relationship, Sex

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


class Refused(ValueError):
    """A value refused with a proposed correction (the rejected-rows file fills it in)."""

    def __init__(self, reason: str, fix: str = "") -> None:
        super().__init__(reason)
        self.fix = fix


# What a cell holding a phone number looks like (to tell a phone column from an x/blank one):
# 0 + 9 digits (mobile) or 0 + 10 (landline with its area code), +84/84 + 9-10 digits, or a
# number that lost its leading 0 in Excel. Separators: spaces, dots, dashes, brackets.
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
# Several numbers in one cell ("0912 345 678 / 0987 654 321", "…; …", "… - …").
_PHONE_LIST = re.compile(r"\s*[/;,\n|]\s*|\s+-\s+|\s{2,}")


def _restored_zero(digits: str) -> str | None:
    """A national number without its leading 0 (Excel dropped it from a number cell; a CSV saved
    from Excel keeps it dropped): 9 digits of a mobile (3, 5, 7, 8, 9 …) or 10 of a landline
    (2 + area code). None when the digits are not that."""
    if len(digits) == 9 and digits[0] in "35789":
        return "0" + digits
    if len(digits) == 10 and digits[0] == "2":
        return "0" + digits
    return None


def _phone_shaped(text_value: str) -> bool:
    compact = _PHONE_SEPARATORS.sub("", text_value)
    plus = compact.startswith("+")
    digits = compact[1:] if plus else compact
    if not digits.isdigit():
        return False
    if digits.startswith("84") and (plus or len(digits) in (11, 12)):
        return len(digits) - 2 in (9, 10)
    if digits.startswith("0"):
        return len(digits) in (10, 11)
    return not plus and _restored_zero(digits) is not None


def looks_phone(value: object) -> bool:
    """Does the cell hold a Vietnamese phone number (or several)? Not x/blank, not a CCCD."""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return False
        return _phone_shaped(str(int(value)))
    parts = _phone_parts(str(value))
    return bool(parts) and all(_phone_shaped(p) for p in parts)


def _phone_parts(cell: str) -> list[str]:
    # Split before whitespace is collapsed: two numbers on two lines of one cell are two.
    return [t for t in (text(p) for p in _PHONE_LIST.split(cell.strip())) if t]


def _phone_field_check(value: str) -> str | None:
    """The household form's own rule for the contact phone (the model field's validators: digits,
    spaces, dots, dashes, a leading +, 8-20 characters); its message, or None when accepted."""
    field = Household._meta.get_field("phone")
    try:
        field.clean(value, None)
    except ValidationError:
        rule = next(v for v in field.validators if isinstance(v, RegexValidator))
        return str(rule.message)
    return None


def parse_phone(value: object) -> tuple[str, str | None, str]:
    """(phone, warning, fix) of a contact phone cell; ValueError (Refused) with the reason.

    Accepted by the same rule as the household form (the model field's validators). A number
    that lost its leading 0 (a number cell 912345678, or a CSV saved from Excel) gets it back
    with a warning, like a CCCD; a number the form accepts but that has not the length of a
    Vietnamese one (10 digits mobile, 11 landline) is kept with a warning to check it.
    """
    if value is None:
        return "", None, ""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(f"“{text(value)}” không phải số điện thoại")
    number_cell = isinstance(value, int | float)
    raw = str(int(value)) if number_cell else text(value)
    if not raw:
        return "", None, ""
    phone, warning, fix = raw, None, ""
    compact = _PHONE_SEPARATORS.sub("", raw)
    restored = _restored_zero(compact) if compact.isdigit() else None
    if restored is not None:
        phone = "0" + raw
        where = "ô dạng số" if number_cell else "có lẽ do Excel lưu thành số"
        warning = f"số điện thoại “{raw}” mất số 0 ở đầu ({where}); đã bổ sung thành {phone}"
        fix = phone
    rule = _phone_field_check(phone)
    if rule is not None:
        parts = _phone_parts(value if isinstance(value, str) else raw)
        if len(parts) > 1 and all(_phone_shaped(p) for p in parts):
            first = parse_phone(parts[0])[0]
            numbers = ", ".join(f"“{p}”" for p in parts)
            raise Refused(
                f"ô có {len(parts)} số điện thoại ({numbers}); hộ chỉ ghi một số liên hệ: "
                f"giữ lại một số (đề xuất: {first})",
                first,
            )
        unbracketed = " ".join(re.sub(r"[()]", " ", phone).split())
        if unbracketed != phone and _phone_field_check(unbracketed) is None:
            raise Refused(
                f"số điện thoại “{raw}” có dấu ngoặc; ghi không có ngoặc (đề xuất: {unbracketed})",
                unbracketed,
            )
        if any(ch.isalpha() for ch in raw):
            why = "có chữ cái"
        elif len(phone) < 8:
            why = f"quá ngắn: {len(phone)} ký tự"
        elif len(phone) > 20:
            why = f"quá dài: {len(phone)} ký tự"
        else:
            why = "có ký tự không dùng trong số điện thoại"
        raise ValueError(f"số điện thoại “{raw}” không hợp lệ ({why}). {rule}")
    if warning is None and not _phone_shaped(phone):
        digits = sum(ch.isdigit() for ch in phone)
        warning = (
            f"số điện thoại “{phone}” có {digits} chữ số, không giống số Việt Nam (di động 10 chữ "
            "số, cố định 11 chữ số, bắt đầu bằng 0 hoặc +84): đã ghi như trong tệp, hãy kiểm tra lại"
        )
    return phone, warning, fix
