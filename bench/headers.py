"""Benchmark: how the importer reads the headers of the village-list corpus (60 files).

    python bench/headers.py [--files 60] [--seed 2025] [--show]

Generates the corpus of transfer/tests/corpus.py (real-world header spellings, abbreviations and
layouts, with the truth of every column), previews each file into an empty village of a fresh
SQLite database (nothing is written), and counts what the importer did with every column that
holds a field:

* automatic: mapped to the right field without asking;
* proposed: offered for confirmation (medium confidence), right / wrong;
* asked: an open question (the column may hold a core field or a criterion's fact);
* wrong: mapped without asking to a wrong field (must be 0);
* skipped: a core or criterion column left out without a question (must be 0).

Columns no field is about ("Dân tộc", "Hộ nghèo") are counted apart: left out (right),
asked, or mapped (wrong). Prints a Markdown table for docs/benchmarks.md. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--show", action="store_true", help="print every non-automatic column")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="sv-bench-headers-"))
    os.environ["SMARTVILLAGE_DATA_DIR"] = str(workdir)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartvillage.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from smartvillage.core.testing import make_unit
    from smartvillage.transfer import importer
    from smartvillage.transfer.tests import corpus
    from smartvillage.units.models import Level, UnitType

    call_command("migrate", verbosity=0)
    villages = []
    for name, code in (("Phú Thọ", "25"), ("Thanh Hóa", "38")):
        province = make_unit(name, Level.PROVINCE, UnitType.TINH, code=code)
        commune = make_unit(f"Xã của {name}", Level.COMMUNE, UnitType.XA, province)
        villages.append(make_unit(f"Thôn của {name}", Level.VILLAGE, UnitType.THON, commune))

    started = time.perf_counter()
    files = corpus.village_files(workdir / "corpus", args.files, args.seed)
    generated = time.perf_counter() - started
    fields: Counter[str] = Counter()
    others: Counter[str] = Counter()
    layouts: Counter[str] = Counter()
    started = time.perf_counter()
    for number, vf in enumerate(files):
        layouts[vf.layout + (" (CSV)" if vf.path.suffix == ".csv" else " (XLSX)")] += 1
        report = importer.preview(villages[number % 2], [vf.path])
        for o in corpus.judge(report, vf):
            if o.truth in (None, "stt"):
                others[o.verdict] += 1
            else:
                fields[o.verdict] += 1
            if args.show and o.verdict not in ("automatic", "ignored_ok"):
                print(
                    f"{vf.path.name} {o.sheet}!{o.letter} “{o.header}”: {o.truth} -> {o.verdict} {o.got}"
                )
    elapsed = time.perf_counter() - started
    total = sum(fields.values())

    def pct(n: int) -> str:
        return f"{100 * n / total:.1f} %".replace(".", ",") if total else "-"

    print(
        f"{len(files)} files ({sum(f.path.suffix == '.csv' for f in files)} CSV), "
        f"{corpus.spelling_count()} header spellings; generated in {generated:.1f} s, "
        f"previewed in {elapsed:.1f} s"
    )
    for layout, n in sorted(layouts.items()):
        print(f"  {n:3d} × {layout}")
    print()
    print("| columns holding a field | count | share |")
    print("|---|---:|---:|")
    for verdict in ("automatic", "proposed", "proposed_wrong", "asked", "wrong", "skipped"):
        print(f"| {verdict} | {fields[verdict]} | {pct(fields[verdict])} |")
    print(f"| **total** | {total} | |")
    print()
    print("| columns no field is about (and STT) | count |")
    print("|---|---:|")
    for verdict in ("ignored_ok", "asked", "wrong", "automatic", "proposed", "proposed_wrong"):
        if others[verdict]:
            print(f"| {verdict} | {others[verdict]} |")


if __name__ == "__main__":
    main()
