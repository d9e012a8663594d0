import pytest

from smartvillage.units.loader import load_units

# Hải Dương (30, merged into Hải Phòng 31 in 2025) and Thanh Hóa (38, unchanged province).
SAMPLE = ["30", "38"]


@pytest.fixture
def sample_units(db):
    """Two provinces of the real data: small enough to load in every test."""
    return load_units(SAMPLE)
