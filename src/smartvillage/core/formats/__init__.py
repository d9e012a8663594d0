"""Vietnamese formatting of numbers, percentages and dates for documents and exports.

Vietnamese writes numbers with "." as the thousands separator and "," as the decimal mark
(1.234,5), a space before the percent sign (87,9 %), dates as dd/mm/yyyy, and, in official
documents (Decree 30/2020/NĐ-CP), the place-and-date line as "ngày 05 tháng 3 năm 2024"
(day with two digits, month without a leading zero, because "tháng 01" and "tháng 02" are the only
months written with a zero: Appendix I of the decree).

These helpers do not depend on the active Django locale, so a document looks the same whoever
downloads it.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

__all__ = [
    "format_number",
    "format_percent",
    "format_date",
    "parse_date_vi",
    "vietnamese_date",
    "place_date_line",
]


def _to_decimal(value: int | float | Decimal) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # repr round-trips the float, so 87.9 stays 87.9 and not 87.900000000000005684…
        return Decimal(repr(value))
    return Decimal(value)


def format_number(value: int | float | Decimal | None, decimals: int | None = None) -> str:
    """A number in Vietnamese notation: 1234.5 -> "1.234,5"; 1234567 -> "1.234.567".

    `decimals` fixes the number of decimal places (rounded half up); by default integers get none
    and other numbers keep their significant decimals (trailing zeros dropped). None gives "".
    """
    if value is None:
        return ""
    number = _to_decimal(value)
    if decimals is not None:
        quantum = Decimal(1).scaleb(-decimals)
        number = number.quantize(quantum, rounding=ROUND_HALF_UP)
        text = f"{abs(number):.{decimals}f}"
    else:
        text = format(abs(number), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    integer, _, fraction = text.partition(".")
    groups = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    result = ".".join(groups)
    if fraction:
        result += "," + fraction
    if number < 0 and any(ch not in "0.," for ch in result):
        result = "-" + result
    return result


def format_percent(value: int | float | Decimal | None, decimals: int = 1) -> str:
    """A percentage already multiplied by 100: 87.94 -> "87,9 %"; 100 -> "100 %".

    Whole numbers are written without decimals (reports say "100 %", not "100,0 %").
    """
    if value is None:
        return ""
    number = _to_decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if number == number.to_integral_value():
        return f"{format_number(number.to_integral_value())} %"
    return f"{format_number(number, decimals)} %"


def format_date(value: dt.date | dt.datetime | None) -> str:
    """dd/mm/yyyy, the everyday Vietnamese date ("" for None)."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def parse_date_vi(text: str) -> dt.date:
    """Parse dd/mm/yyyy (also d/m/yy and "-" or "." separators); ValueError when it is not a date."""
    cleaned = text.strip().replace("-", "/").replace(".", "/")
    parts = cleaned.split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    day, month, year = (int(p) for p in parts)
    if len(parts[2]) <= 2:
        # Two-digit years: the registry holds living people, so "05" is 2005 and "45" is 1945.
        year += 2000 if year <= timezone.localdate().year % 100 else 1900
    return dt.date(year, month, day)


def vietnamese_date(value: dt.date) -> str:
    """The date as written in official documents: "ngày 05 tháng 3 năm 2024".

    Decree 30/2020, Appendix I: days below 10 and months 1 and 2 take a leading zero.
    """
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def place_date_line(place: str, value: dt.date | None, *, year: int | None = None) -> str:
    """ "An Nhơn, ngày 05 tháng 3 năm 2024"; with no date the day and month are left blank to fill
    by hand, under `year` (the year the document is about, e.g. its reference date's year; this
    year when not given), so a draft for 2024 printed in 2026 still reads "năm 2024"."""
    if value is None:
        return f"{place}, ngày     tháng     năm {year or timezone.localdate().year}"
    return f"{place}, {vietnamese_date(value)}"


def parse_date_arg(text: str) -> dt.date:
    """A date given on the command line: ISO (2025-12-31) or Vietnamese (31/12/2025, 31-12-2025,
    31.12.2025); ValueError when it is neither."""
    cleaned = text.strip()
    try:
        return dt.date.fromisoformat(cleaned)
    except ValueError:
        return parse_date_vi(cleaned)
