"""Working age (độ tuổi lao động) and adulthood at a reference date, as birth-date ranges.

Decree 135/2020/NĐ-CP: retirement age rises from 60y3m (men) / 55y4m (women) for those reaching
it in 2021 by 3 / 4 months a year up to 62y (2028) / 60y (2035). By birth month: men born from
01/1961 get 60y3m plus 3 months per 9 birth months, capped at 62y (born 04/1966 or later); women
born from 01/1966 get 55y4m plus 4 months per 8 birth months, capped at 60y (born 05/1975 or later).
Retirement falls on the last day of the month the age is reached; the person is of working age
up to and including that day. Working age starts on the 15th birthday.

Because the retirement date never decreases as the birth date increases, "of working age at D"
is a birth-date interval per sex; we find its ends by binary search and let the database do a
range filter.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Q

MIN_WORKING_AGE = 15


def retirement_age_months(birth: dt.date, sex: str) -> int:
    """Statutory retirement age in months for a birth month and sex ("M" or "F")."""
    if sex == "M":
        start, base, step_months, step_add, cap, before = (
            (1961, 1),
            60 * 12 + 3,
            9,
            3,
            62 * 12,
            60 * 12,
        )
    elif sex == "F":
        start, base, step_months, step_add, cap, before = (
            (1966, 1),
            55 * 12 + 4,
            8,
            4,
            60 * 12,
            55 * 12,
        )
    else:
        raise ValueError(f"sex must be 'M' or 'F', not {sex!r}")
    months_since = (birth.year - start[0]) * 12 + (birth.month - start[1])
    if months_since < 0:
        return before
    return min(base + step_add * (months_since // step_months), cap)


def retirement_date(birth: dt.date, sex: str) -> dt.date:
    """Last day of the month in which the retirement age is reached."""
    total = birth.year * 12 + (birth.month - 1) + retirement_age_months(birth, sex)
    year, month0 = divmod(total, 12)
    return dt.date(year, month0 + 1, calendar.monthrange(year, month0 + 1)[1])


def birthday(birth: dt.date, years: int) -> dt.date:
    """The n-th birthday; someone born on 29 February has it on 1 March in common years."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return dt.date(birth.year + years, 3, 1)


def _last_true(lo: int, hi: int, pred: object) -> int:
    """Largest ordinal in [lo, hi] with pred true, for pred true-then-false; lo-1 if none."""
    answer = lo - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if pred(mid):  # type: ignore[operator]
            answer, lo = mid, mid + 1
        else:
            hi = mid - 1
    return answer


def _first_true(lo: int, hi: int, pred: object) -> int:
    """Smallest ordinal in [lo, hi] with pred true, for pred false-then-true; hi+1 if none."""
    answer = hi + 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if pred(mid):  # type: ignore[operator]
            answer, hi = mid, mid - 1
        else:
            lo = mid + 1
    return answer


def born_on_or_before_for_age(at: dt.date, years: int) -> dt.date:
    """Latest birth date whose n-th birthday is on or before `at` (age ≥ n at `at`)."""
    lo = dt.date(at.year - years - 1, 1, 1).toordinal()
    hi = dt.date(at.year - years, 12, 31).toordinal()
    last = _last_true(lo, hi, lambda o: birthday(dt.date.fromordinal(o), years) <= at)
    return dt.date.fromordinal(last)


@dataclass(frozen=True)
class BirthRange:
    earliest: dt.date | None  # None: no lower bound on the birth date
    latest: dt.date


@lru_cache(maxsize=4096)
def working_age_range(at: dt.date, sex: str) -> BirthRange:
    """Birth dates of people of `sex` who are of working age on `at` (Decree 135/2020)."""
    latest = born_on_or_before_for_age(at, MIN_WORKING_AGE)
    lo = dt.date(at.year - 70, 1, 1).toordinal()
    hi = at.toordinal()
    first = _first_true(lo, hi, lambda o: retirement_date(dt.date.fromordinal(o), sex) >= at)
    return BirthRange(dt.date.fromordinal(first), latest)


def is_working_age(birth: dt.date, sex: str, at: dt.date) -> bool:
    """Direct per-person definition, used to test the ranges."""
    return birthday(birth, MIN_WORKING_AGE) <= at <= retirement_date(birth, sex)


def working_age_q(at: dt.date, policy: str = "decree135", prefix: str = "") -> Q:
    """The working-age population at `at` as a Q on Person (sex and birth date ranges)."""
    latest = born_on_or_before_for_age(at, MIN_WORKING_AGE)
    if policy == "15plus":
        return Q(**{f"{prefix}birth_date__lte": latest})
    if policy != "decree135":
        raise ValueError(f"unknown working-age policy {policy!r}")
    q = Q()
    for index, sex in enumerate(("M", "F")):
        r = working_age_range(at, sex)
        part = Q(
            **{
                f"{prefix}sex": sex,
                f"{prefix}birth_date__gte": r.earliest,
                f"{prefix}birth_date__lte": r.latest,
            }
        )
        q = part if index == 0 else q | part
    return q


def adults_q(at: dt.date, adult_age: int = 18, prefix: str = "") -> Q:
    return Q(**{f"{prefix}birth_date__lte": born_on_or_before_for_age(at, adult_age)})
