"""How long the import reader takes to decide on hostile files (issue 11, item 1).

    python bench/hostile_files.py [--rounds 3]

For each kind of file of transfer/tests/malformed.py (one representative each) the reader is run
`rounds` times, interleaved with a reference: reading the good 3-row XLSX. The table gives the
median seconds to the decision (read or refused), the peak memory the decision took (tracemalloc),
and the outcome. Before the limits the first three rows took > 15 minutes, 1,4-1,7 GB and 59 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartvillage.settings")
os.environ.setdefault("SMARTVILLAGE_DATA_DIR", tempfile.mkdtemp(prefix="sv-bench-"))


def main() -> None:
    import django

    django.setup()
    import logging

    logging.disable(logging.CRITICAL)
    from smartvillage.core.errors import DomainError
    from smartvillage.transfer.reader import read_file
    from smartvillage.transfer.tests import malformed

    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="sv-hostile-"))
    cases = malformed.generate(directory)
    chosen = {}
    for case in cases:  # the first of each kind (dimension_lie: a cell in row 1.048.576)
        chosen.setdefault(case.kind, case)
    reference = next(c for c in cases if c.kind == "good" and c.path.suffix == ".xlsx")

    def run(path: Path, traced: bool = False) -> tuple[float, float, str]:
        # Timed rounds run untraced (tracemalloc slows allocation several times); one extra
        # traced run gives the peak memory.
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        try:
            read_file(path)
            outcome = "read"
        except DomainError as exc:
            outcome = f"refused ({exc.code})"
        elapsed = time.perf_counter() - started
        peak = 0.0
        if traced:
            peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
            tracemalloc.stop()
        return elapsed, peak, outcome

    rows = []
    for kind, case in sorted(chosen.items()):
        times, refs, peaks, outcome = [], [], [], ""
        for _ in range(args.rounds):
            elapsed, _peak, outcome = run(case.path)
            times.append(elapsed)
            refs.append(run(reference.path)[0])
        peaks.append(run(case.path, traced=True)[1])
        rows.append(
            (
                kind,
                case.path.stat().st_size,
                statistics.median(times),
                max(peaks),
                outcome,
                statistics.median(refs),
            )
        )
    print(
        f"{'kind':<22} {'file KB':>9} {'decision s':>11} {'peak MB':>8} {'reference s':>12}  outcome"
    )
    for kind, size, seconds, peak, outcome, ref in rows:
        print(
            f"{kind:<22} {size / 1024:>9.1f} {seconds:>11.3f} {peak:>8.1f} {ref:>12.3f}  {outcome}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
