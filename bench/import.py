"""Benchmark: import an XLSX of N persons (default 100.000) against openpyxl's own read of it.

    python bench/import.py [--persons 100000] [--rounds 1] [--keep]

Writes a one-sheet village list (household code on every row, household columns on the head's
row, 10 fact columns) with openpyxl, then runs, each in a fresh Python process (so that its peak
memory is its own), interleaved for `--rounds` rounds:

* reference: openpyxl `load_workbook(read_only=True, data_only=True)` iterating every row's values;
* import: smartvillage's full import of the same file into an empty village of a fresh SQLite
  database (read, find the header, parse and validate every cell, plan, write households,
  persons and the audit trail in one transaction).

Each child reports its wall time and its peak resident memory (resource.getrusage ru_maxrss).
Prints the best times, the ratio (aim: within 3x the raw read) and the import's peak memory (aim:
<= 300 MB), checks that every person was written, and prints a Markdown row for
docs/benchmarks.md (section "Import"). Asserts no time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _setup(workdir: Path) -> None:
    os.environ["SMARTVILLAGE_DATA_DIR"] = str(workdir)
    os.environ.pop("DATABASE_URL", None)  # the embedded default: SQLite
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartvillage.settings")
    # As in production: with DEBUG on, Django keeps the text of every statement (the multi-row
    # INSERTs are megabytes each), which is not the import's memory.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    import django

    django.setup()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def child_reference(path: Path) -> dict:
    from openpyxl import load_workbook

    started = time.perf_counter()
    wb = load_workbook(path, read_only=True, data_only=True)
    cells = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            cells += len(row)
    wb.close()
    return {"seconds": time.perf_counter() - started, "cells": cells, "peak_mb": _peak_mb()}


def child_import(path: Path, workdir: Path, persons: int) -> dict:
    _setup(workdir)
    from django.conf import settings
    from django.core.management import call_command

    from smartvillage.core.testing import build_world
    from smartvillage.registry.models import Household, Person
    from smartvillage.transfer import importer

    # The test users' password hashing (Argon2, ~100 MB) is not part of the import's peak.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("flush", verbosity=0, interactive=False)
    world = build_world()
    before = _peak_mb()
    started = time.perf_counter()
    report = importer.preview(world.village1, [path])
    parsed = time.perf_counter()
    assert report.ok and report.ready(), [e.message() for e in report.errors[:5]]
    importer.apply(report, world.alice)
    done = time.perf_counter()
    written = Person.objects.filter(village=world.village1).count()
    assert written == persons, (written, persons)
    return {
        "seconds": done - started,
        "plan_seconds": parsed - started,
        "write_seconds": done - parsed,
        "households": Household.objects.filter(village=world.village1).count(),
        "persons": written,
        "peak_mb": _peak_mb(),
        "setup_peak_mb": before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--child", choices=["reference", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "reference":
        print(json.dumps(child_reference(Path(args.path))))
        return
    if args.child == "import":
        print(json.dumps(child_import(Path(args.path), Path(args.workdir), args.persons)))
        return

    workdir = Path(tempfile.mkdtemp(prefix="sv-bench-import-"))
    _setup(workdir)
    from django.core.management import call_command

    from smartvillage.transfer.tests.builders import big_persons_xlsx

    call_command("migrate", verbosity=0)
    path = workdir / f"persons-{args.persons}.xlsx"
    started = time.perf_counter()
    big_persons_xlsx(path, args.persons)
    size_mb = path.stat().st_size / 1e6
    print(
        f"file: {path.name}, {size_mb:.1f} MB, {_n(args.persons)} persons, "
        f"written in {time.perf_counter() - started:.1f} s"
    )

    def run(kind: str) -> dict:
        command = [sys.executable, __file__, "--child", kind, "--path", str(path)]
        command += ["--workdir", str(workdir), "--persons", str(args.persons)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"{kind} failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    references, imports = [], []
    for number in range(1, args.rounds + 1):
        references.append(run("reference"))
        imports.append(run("import"))
        r, i = references[-1], imports[-1]
        print(
            f"round {number}: reference {r['seconds']:.2f} s ({r['peak_mb']:.0f} MB peak), "
            f"import {i['seconds']:.2f} s (read+validate+plan {i['plan_seconds']:.2f} s, "
            f"write {i['write_seconds']:.2f} s; {i['peak_mb']:.0f} MB peak, "
            f"{i['setup_peak_mb']:.0f} MB before the import)"
        )
    reference = min(r["seconds"] for r in references)
    best = min(imports, key=lambda i: i["seconds"])
    peak = max(i["peak_mb"] for i in imports)
    ratio = best["seconds"] / reference
    print(
        f"{_n(best['households'])} households, {_n(best['persons'])} persons written; "
        f"ratio import / raw read: {ratio:.2f}x (aim: <= 3x); import peak memory {peak:.0f} MB "
        "(aim: <= 300 MB)"
    )
    print()
    print(
        "| persons | file MB | openpyxl read-only (s) | full import (s) | of which "
        "read+validate+plan (s) | write (s) | ratio | import peak RSS (MB) | reference peak RSS (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {_n(args.persons)} | {size_mb:.1f} | {reference:.2f} | {best['seconds']:.2f} | "
        f"{best['plan_seconds']:.2f} | {best['write_seconds']:.2f} | {ratio:.2f}x | {peak:.0f} | "
        f"{max(r['peak_mb'] for r in references):.0f} |"
    )
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
