"""The corpus of village lists (corpus.py): every core or criterion column is mapped right or
asked, none is dropped silently, and after the import (questions answered with the truth) the
criteria read the generator's own counts. A sample of the 60 files per run (bench/headers.py
reads all 60)."""

from __future__ import annotations

import pytest

from smartvillage.core.testing import make_unit
from smartvillage.criteria import engine
from smartvillage.criteria.loader import get_set
from smartvillage.registry.models import Household
from smartvillage.transfer import importer
from smartvillage.transfer.tests import corpus
from smartvillage.units.models import Level, UnitType

SAMPLE = range(1, 61, 5)  # 12 of the 60 files, spread over the seed's draws


@pytest.fixture
def villages(db):
    out = {}
    for name, code in (("Phú Thọ", "25"), ("Thanh Hóa", "38")):
        province = make_unit(name, Level.PROVINCE, UnitType.TINH, code=code)
        commune = make_unit(f"Xã của {name}", Level.COMMUNE, UnitType.XA, province)
        out[name] = commune
    return out


def test_the_corpus_is_what_it_says():
    assert corpus.spelling_count() >= 150


def test_recognition_on_every_file(villages, tmp_path):
    files = corpus.village_files(tmp_path, 60)
    layouts = {f.layout for f in files}
    assert len(layouts) >= 6 and sum(f.path.suffix == ".csv" for f in files) >= 10
    village = make_unit("Thôn Thử", Level.VILLAGE, UnitType.THON, villages["Phú Thọ"])
    verdicts: dict[str, int] = {}
    bad = []
    for vf in files:
        report = importer.preview(village, [vf.path])
        for o in corpus.judge(report, vf):
            verdicts[o.verdict] = verdicts.get(o.verdict, 0) + 1
            if o.verdict in ("wrong", "skipped"):
                bad.append((vf.path.name, o))
    assert not bad, bad
    relevant = sum(v for k, v in verdicts.items() if k != "ignored_ok")
    assert verdicts.get("automatic", 0) >= 0.9 * relevant, verdicts


@pytest.mark.parametrize("number", SAMPLE)
def test_import_reads_the_generators_counts(villages, tmp_path, number):
    province = "Phú Thọ" if number % 2 else "Thanh Hóa"
    village = make_unit(f"Thôn {number}", Level.VILLAGE, UnitType.THON, villages[province])
    vf = corpus.village_file(tmp_path, number)
    report = importer.preview(village, [vf.path])
    outcomes = corpus.judge(report, vf)
    assert not [o for o in outcomes if o.verdict in ("wrong", "skipped")], outcomes
    report = importer.import_files(village, [vf.path], mapping=corpus.answers(outcomes))
    assert report.applied, [e.message() for e in report.errors] + [
        q["header"] for q in report.questions
    ]
    assert not report.errors
    # Totals, signatures and place/date lines are reported, never imported.
    assert all(r["reason"] for r in report.skipped_rows)
    assert report.counts["households_in_file"] == len(vf.households)
    # Phone columns, per household or per person, end as one contact phone per household.
    phones = Household.objects.filter(village=village).exclude(phone="")
    assert sorted(phones.values_list("phone", flat=True)) == vf.phones
    for (slug, code), (numerator, denominator) in vf.expected.items():
        result = engine.evaluate(village, get_set(slug), corpus.AT).criterion(code)
        assert (result.numerator, result.denominator) == (numerator, denominator), (
            slug,
            code,
            vf.layout,
        )
