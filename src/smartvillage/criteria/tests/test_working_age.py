"""Working age per Decree 135/2020 (DOMAIN.md), checked point by point and against the ranges."""

import datetime as dt
import random

import pytest

from smartvillage.criteria.working_age import (
    is_working_age,
    retirement_age_months,
    retirement_date,
    working_age_range,
)


@pytest.mark.parametrize(
    ("birth", "sex", "months", "retires"),
    [
        (dt.date(1960, 12, 31), "M", 720, dt.date(2020, 12, 31)),
        (dt.date(1961, 1, 15), "M", 723, dt.date(2021, 4, 30)),
        (dt.date(1961, 9, 30), "M", 723, dt.date(2021, 12, 31)),
        (dt.date(1961, 10, 1), "M", 726, dt.date(2022, 4, 30)),
        (dt.date(1966, 3, 15), "M", 741, dt.date(2027, 12, 31)),
        (dt.date(1966, 4, 15), "M", 744, dt.date(2028, 4, 30)),
        (dt.date(1990, 1, 1), "M", 744, dt.date(2052, 1, 31)),
        (dt.date(1965, 12, 1), "F", 660, dt.date(2020, 12, 31)),
        (dt.date(1966, 1, 10), "F", 664, dt.date(2021, 5, 31)),
        (dt.date(1966, 9, 1), "F", 668, dt.date(2022, 5, 31)),
        (dt.date(1975, 4, 30), "F", 716, dt.date(2034, 12, 31)),
        (dt.date(1975, 5, 10), "F", 720, dt.date(2035, 5, 31)),
    ],
)
def test_retirement_schedule(birth, sex, months, retires):
    assert retirement_age_months(birth, sex) == months
    assert retirement_date(birth, sex) == retires


def test_retirement_day_itself_is_still_working_age():
    birth = dt.date(1966, 4, 15)
    assert is_working_age(birth, "M", dt.date(2028, 4, 30))
    assert not is_working_age(birth, "M", dt.date(2028, 5, 1))


def test_fifteenth_birthday_starts_working_age():
    birth = dt.date(2009, 6, 30)
    assert not is_working_age(birth, "F", dt.date(2024, 6, 29))
    assert is_working_age(birth, "F", dt.date(2024, 6, 30))


@pytest.mark.parametrize("sex", ["M", "F"])
def test_range_agrees_with_per_person_rule(sex):
    rng = random.Random(135)
    for _ in range(60):
        at = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 18))
        r = working_age_range(at, sex)
        for _ in range(200):
            birth = dt.date(1945, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 80))
            assert (r.earliest <= birth <= r.latest) == is_working_age(birth, sex, at), (
                birth,
                sex,
                at,
            )
