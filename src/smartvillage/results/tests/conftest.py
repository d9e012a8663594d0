import datetime as dt

import pytest

from smartvillage.criteria import loader


@pytest.fixture
def store_on(settings):
    settings.RESULTS_STORE = True


@pytest.fixture
def seed_sets(settings):
    """The published seed sets (the package's criteria directory), whatever another fixture set."""
    settings.SMARTVILLAGE_CRITERIA_DIRS = []
    loader.reload()
    yield loader.all_sets()
    loader.reload()


@pytest.fixture
def at():
    return dt.date(2024, 6, 30)


def live(settings, fn, *args):
    """Call `fn` with the results store off: the engine counts from the registry."""
    previous = settings.RESULTS_STORE
    settings.RESULTS_STORE = False
    try:
        return fn(*args)
    finally:
        settings.RESULTS_STORE = previous
