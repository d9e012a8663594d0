"""Benchmark: import an XLSX of N persons (default 100.000) against openpyxl's own read of it.

    python bench/import.py [--persons 100000] [--keep]

Writes a one-sheet village list (household code on every row, household columns on the head's
row, 10 fact columns) with openpyxl, then in the same process and run:

* reference: openpyxl `load_workbook(read_only=True, data_only=True)` iterating every row's values;
* import: smartvillage's full import of the same file into an empty village of a fresh SQLite
  database (read, find the header, parse and validate every cell, plan, write households,
  persons and the audit trail in one transaction).

Prints both times and their ratio (aim: within 3x the raw read), checks that every person was
written, and prints a Markdown row for docs/benchmarks.md (section "Import"). Asserts no time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="sv-bench-import-"))
    os.environ["SMARTVILLAGE_DATA_DIR"] = str(workdir)
    os.environ.pop("DATABASE_URL", None)  # the embedded default: SQLite
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartvillage.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from openpyxl import load_workbook

    from smartvillage.core.testing import build_world
    from smartvillage.registry.models import Household, Person
    from smartvillage.transfer import importer
    from smartvillage.transfer.tests.builders import big_persons_xlsx

    call_command("migrate", verbosity=0)
    world = build_world()
    path = workdir / f"persons-{args.persons}.xlsx"
    started = time.perf_counter()
    big_persons_xlsx(path, args.persons)
    written = time.perf_counter() - started
    size_mb = path.stat().st_size / 1e6
    print(
        f"file: {path.name}, {size_mb:.1f} MB, {_n(args.persons)} persons, written in {written:.1f} s"
    )

    started = time.perf_counter()
    wb = load_workbook(path, read_only=True, data_only=True)
    cells = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            cells += len(row)
    wb.close()
    reference = time.perf_counter() - started
    print(f"reference (openpyxl read-only read): {reference:.2f} s, {_n(cells)} cells")

    phases: dict[str, float] = {}
    started = time.perf_counter()
    report = importer.preview(world.village1, [path])
    parsed = time.perf_counter()
    assert report.ok, [e.message() for e in report.errors[:5]]
    importer.apply(report, world.alice)
    done = time.perf_counter()
    total = done - started
    phases["read + validate + plan"] = parsed - started
    phases["write (one transaction)"] = done - parsed
    persons = Person.objects.filter(village=world.village1).count()
    households = Household.objects.filter(village=world.village1).count()
    assert persons == args.persons, (persons, args.persons)
    print(
        f"import: {total:.2f} s ({', '.join(f'{k} {v:.2f} s' for k, v in phases.items())}); "
        f"{_n(households)} households, {_n(persons)} persons written"
    )
    ratio = total / reference
    print(f"ratio import / raw read: {ratio:.2f}x (aim: <= 3x)")
    print()
    print(
        "| persons | file MB | openpyxl read-only (s) | full import (s) | of which read+validate+plan (s) | write (s) | ratio |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {_n(args.persons)} | {size_mb:.1f} | {reference:.2f} | {total:.2f} | {phases['read + validate + plan']:.2f} | "
        f"{phases['write (one transaction)']:.2f} | {ratio:.2f}x |"
    )
    if not args.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
