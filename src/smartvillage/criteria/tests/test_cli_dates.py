"""`--at` on the command line takes the Vietnamese dd/mm/yyyy as well as ISO YYYY-MM-DD."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from smartvillage.core.formats import parse_date_arg

PHUTHO = "phutho-khu-dan-cu-thong-minh-1491"


@pytest.mark.parametrize("text", ["2024-06-30", "30/06/2024", "30-06-2024", "30.06.2024"])
def test_both_forms_read_the_same_date(text):
    assert parse_date_arg(text) == dt.date(2024, 6, 30)


def _evaluate(world, at: str) -> dict:
    out = io.StringIO()
    call_command(
        "evaluate",
        "--unit",
        world.village1.code,
        "--criteria-set",
        PHUTHO,
        "--at",
        at,
        "--format",
        "json",
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_evaluate_accepts_dd_mm_yyyy_and_iso(world):
    assert _evaluate(world, "30/06/2024")["at"] == _evaluate(world, "2024-06-30")["at"]
    with pytest.raises(CommandError, match="dd/mm/yyyy hoặc YYYY-MM-DD") as refused:
        _evaluate(world, "31/02/2024")
    assert refused.value.returncode == 2
