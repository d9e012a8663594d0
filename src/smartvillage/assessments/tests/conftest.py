import datetime as dt

import pytest

from smartvillage.accounts.models import Role
from smartvillage.core.testing import HouseholdFactory, PersonFactory, make_unit, make_user
from smartvillage.units.models import Level, UnitType

AT = dt.date(2024, 3, 5)
PHUTHO = "phutho-khu-dan-cu-thong-minh-1491"


def populate(village, n=5, fibre=4, smartphone=5, epay=3):
    """n households of one working-age person each; the first `fibre` have fibre, etc."""
    households = []
    for i in range(n):
        h = HouseholdFactory(
            village=village, fibre_internet=i < fibre, head_name=f"Nguyễn Văn Hộ {village.pk}-{i}"
        )
        PersonFactory(
            household=h,
            full_name=f"Lê Thị Dân {village.pk}-{i}",
            smartphone=i < smartphone,
            epayment_account=i < epay,
            birth_date=dt.date(1990, 1, 1),
        )
        households.append(h)
    return households


@pytest.fixture
def village_data(world):
    return populate(world.village1)


@pytest.fixture
def zed(world):
    """An appraiser of another province: right role, wrong unit."""
    other = make_unit("Tỉnh Khác", Level.PROVINCE, UnitType.TINH, code="98")
    return make_user("zed", Role.APPRAISER, other)


@pytest.fixture
def outsiders(world, zed):
    """Users with the right role but the wrong unit, or the wrong role on the right unit."""
    return {
        "zed": zed,
        # A commune leader and an officer of ANOTHER commune (Xã Bình, which holds Thôn Ba).
        "lena": make_user("lena", Role.COMMUNE_LEADER, world.commune2),
        "otto": make_user("otto", Role.COMMUNE_OFFICER, world.commune2),
        # A member of Thôn Một's community digital-technology team: sees, never decides.
        "tom": make_user("tom", Role.DIGITAL_TEAM, world.village1),
    }
