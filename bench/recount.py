"""Benchmark: the cost of one write's recount (results.services.recount_villages for one village),
with the grouped queries' SQL kept per shape (criteria.engine._one_village_rows) against the
reference, the same recount building every query through the ORM, in the same rounds.

    python bench/recount.py --database-url postgres://postgres@127.0.0.1:5432/NAME [--rounds 5]
                            [--villages 20]

Use a database left by `bench/load.py --keep-db` (1.000.000 persons, 1.000 villages, the store
rebuilt). Each round recounts the same villages once each way, alternating which way goes first;
every recount runs in a transaction that is rolled back (nothing changes). Prints the median per
round and overall. It asserts no time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--villages", type=int, default=20)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartvillage.settings")
    import django

    django.setup()
    from django.db import transaction

    from smartvillage.criteria import engine
    from smartvillage.results import services
    from smartvillage.results.models import ResultScope
    from smartvillage.units.models import AdminUnit, Level

    kept = engine._one_village_rows

    def orm_only(shape, grouped, village_id):  # the reference: no kept SQL
        return list(grouped([village_id]))

    villages = list(
        AdminUnit.objects.filter(level=Level.VILLAGE)
        .order_by("pk")
        .values_list("pk", flat=True)[: args.villages]
    )

    def recount(village: int) -> float:
        start = time.perf_counter()
        with transaction.atomic():
            services.recount_villages([village])
            transaction.set_rollback(True)
        return (time.perf_counter() - start) * 1000

    for village in villages[:3]:  # warm-up: connections, planner, the kept SQL
        recount(village)
    ways = {"kept SQL": kept, "ORM each time (reference)": orm_only}
    times: dict[str, list[float]] = {name: [] for name in ways}
    print(
        f"{ResultScope.objects.count()} scopes; {len(villages)} villages per way and round; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'round':>5}  {'kept SQL ms':>12}  {'ORM ms':>8}  {'ratio':>6}")
    for round_ in range(args.rounds):
        order = list(ways) if round_ % 2 == 0 else list(ways)[::-1]
        medians = {}
        for name in order:
            engine._one_village_rows = ways[name]
            samples = [recount(v) for v in villages]
            times[name] += samples
            medians[name] = statistics.median(samples)
        engine._one_village_rows = kept
        a, b = medians["kept SQL"], medians["ORM each time (reference)"]
        print(f"{round_ + 1:>5}  {a:>12.1f}  {b:>8.1f}  {a / b:>6.2f}")
    a = statistics.median(times["kept SQL"])
    b = statistics.median(times["ORM each time (reference)"])
    print(f"{'all':>5}  {a:>12.1f}  {b:>8.1f}  {a / b:>6.2f}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
