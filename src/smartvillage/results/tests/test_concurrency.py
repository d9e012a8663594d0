"""A reader storing a live count and a writer saving the same village at the same time must not
leave a stale row: both lock the village (docs/decisions/005-results-store.md, Concurrency).

Real threads with their own connections; PostgreSQL only (SQLite's test database refuses a
second writer thread at once instead of waiting, and its IMMEDIATE transactions serialise
writers anyway).
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.conf import settings
from django.db import connections, transaction

from smartvillage.core.testing import HouseholdFactory, build_world
from smartvillage.criteria import engine
from smartvillage.criteria.loader import get_set
from smartvillage.registry.models import Household
from smartvillage.registry.services import do_update_household
from smartvillage.results import services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="needs row locks and concurrent writer connections: runs on PostgreSQL",
    ),
]

AT = dt.date(2024, 6, 30)


def test_a_read_that_counts_while_a_write_is_open_waits_and_stores_the_new_count(
    with_test_set, store_on
):
    world = build_world()
    household = HouseholdFactory(village=world.village1, code="A", fibre_internet=False)
    writer_inside = threading.Event()
    outcome: dict[str, object] = {}

    def writer() -> None:
        try:
            with transaction.atomic():
                do_update_household(
                    world.alice, Household.objects.get(pk=household.pk), fibre_internet=True
                )
                writer_inside.set()
                # The reader starts now and must wait for this commit before it counts.
                time.sleep(1.0)
        except Exception as exc:  # reported below
            outcome["writer"] = exc
        finally:
            connections.close_all()

    def reader() -> None:
        try:
            writer_inside.wait(10)
            result = engine.evaluate(world.village1, get_set("test-set"), AT)
            outcome["numerator"] = result.criterion("1.1").numerator
        except Exception as exc:
            outcome["reader"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert "writer" not in outcome and "reader" not in outcome, outcome
    # Without the lock the reader would have counted before the commit (0) and kept it.
    assert outcome["numerator"] == 1
    assert services.verify() == []
    assert engine.evaluate(world.village1, get_set("test-set"), AT).criterion("1.1").numerator == 1
