"""Decision 007: a ratio criterion without a pass level is shown with its value, not blocking."""

from __future__ import annotations

import datetime as dt

import pytest

from smartvillage.criteria import engine
from smartvillage.criteria.loader import get_set

DONGTHAP = "dongthap-lang-thong-minh-384"


@pytest.mark.django_db
def test_dongthap_fibre_share_is_monitored_with_its_value_and_does_not_block(world):
    cset = get_set(DONGTHAP)
    result = engine.evaluate(world.village1, cset, dt.date(2025, 6, 30))
    fibre = result.criterion("1.1")
    assert fibre.status == engine.MONITOR
    assert fibre.threshold is None and fibre.gap is None and not fibre.missing
    # Not counted as applicable, so it can neither pass nor hold the village back.
    assert result.applicable_count == sum(
        1 for c in result.criteria if c.status not in (engine.NOT_APPLICABLE, engine.MONITOR)
    )
    others = [c for c in result.criteria if c.code != "1.1"]
    expected = all(c.status in (engine.PASS, engine.NOT_APPLICABLE, engine.MONITOR) for c in others)
    assert result.passed == (expected and result.applicable_count > 0)


def test_monitor_alone_does_not_pass_and_does_not_fail():
    from smartvillage.criteria.engine import CriterionResult, UnitResult

    def c(code: str, status: str) -> CriterionResult:
        return CriterionResult(code=code, title=code, kind="ratio", status=status)

    passing = UnitResult(None, None, None, [c("1", engine.PASS), c("2", engine.MONITOR)])  # type: ignore[arg-type]
    assert passing.passed and passing.applicable_count == 1
    failing = UnitResult(None, None, None, [c("1", engine.FAIL), c("2", engine.MONITOR)])  # type: ignore[arg-type]
    assert not failing.passed
    only = UnitResult(None, None, None, [c("2", engine.MONITOR)])  # type: ignore[arg-type]
    assert not only.passed
