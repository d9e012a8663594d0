"""Benchmark: evaluate one criteria set for every village of a synthetic province.

    python bench/evaluate.py [--persons 1000000] [--villages 1000] [--db sqlite,postgres]
                             [--criteria-set phutho-khu-dan-cu-thong-minh-1491] [--at 2024-06-30]

Generates the same synthetic province (seeded) into a fresh SQLite file and/or a fresh PostgreSQL
database, evaluates the set for all villages with the engine (evaluate_children) and for one
village (evaluate), and computes the same ratios with DuckDB over the same rows as the reference.
Every village's numerator and denominator must agree with DuckDB. Prints a table; it asserts no
time. Each database runs in its own process (Django binds one database per process).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PHUTHO = "phutho-khu-dan-cu-thong-minh-1491"

HOUSEHOLD_RATES = {
    "fibre_internet": 0.82,
    "internet": 0.9,
    "mobile_broadband": 0.9,
    "digital_address_notified": 0.97,
    "digital_address": 0.95,
}
PERSON_RATES = {
    "smartphone": 0.87,
    "epayment_account": 0.79,
    "digital_skills_trained": 0.71,
    "online_public_services": 0.6,
    "vneid": 0.8,
}


def generate(persons: int, villages: int, out: Path, seed: int = 2024) -> dict:
    """Write households.csv and persons.csv (ids are assigned here, so every backend has the same rows)."""
    rng = random.Random(seed)
    households = round(persons / 3.5)
    out.mkdir(parents=True, exist_ok=True)
    hfile = (out / "households.csv").open("w", newline="", encoding="utf-8")
    pfile = (out / "persons.csv").open("w", newline="", encoding="utf-8")
    hw, pw = csv.writer(hfile), csv.writer(pfile)
    hw.writerow(["id", "village", "code", *HOUSEHOLD_RATES])
    pw.writerow(["id", "household_id", "village", "sex", "birth_date", *PERSON_RATES])
    person_id = 0
    base = dt.date(1935, 1, 1).toordinal()
    span = dt.date(2024, 6, 1).toordinal() - base
    for hid in range(1, households + 1):
        village = (hid - 1) * villages // households  # 0-based village index, contiguous blocks
        hw.writerow(
            [
                hid,
                village,
                f"H{hid:07d}",
                *(int(rng.random() < r) for r in HOUSEHOLD_RATES.values()),
            ]
        )
        size = (
            persons - person_id if hid == households else max(1, min(8, round(rng.gauss(3.5, 1.3))))
        )
        size = min(size, persons - person_id - (households - hid))
        for _ in range(max(1, size)):
            if person_id >= persons:
                break
            person_id += 1
            birth = dt.date.fromordinal(base + rng.randrange(span))
            pw.writerow(
                [
                    person_id,
                    hid,
                    village,
                    "M" if rng.random() < 0.49 else "F",
                    birth.isoformat(),
                    *(int(rng.random() < r) for r in PERSON_RATES.values()),
                ]
            )
    hfile.close()
    pfile.close()
    return {"households": households, "persons": person_id, "villages": villages}


def duckdb_reference(
    out: Path, at: dt.date, bounds: dict[str, tuple[dt.date, dt.date]], repeats: int
) -> tuple[float, dict, dict]:
    """The Phú Thọ ratios computed by DuckDB straight from the rows, twice.

    * timed: the hand-written GROUP BY over the boolean columns with working age as a birth-date
      range per sex (the query a person would write by hand): the speed reference;
    * checked: working age computed per row from Decree 135/2020's rule (retirement age in
      months by birth month and sex, retirement on the last day of that month, from the 15th
      birthday), independent of the engine's birth-date ranges.

    Returns (best time of the timed query, its numbers, the per-row rule's numbers).
    """
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE TABLE h AS SELECT * FROM read_csv_auto('{out / 'households.csv'}')")
    con.execute(
        f"CREATE TABLE p AS SELECT * FROM read_csv_auto('{out / 'persons.csv'}', types={{'birth_date': 'DATE'}})"
    )
    in_range = " OR ".join(
        f"(sex = '{sex}' AND birth_date BETWEEN DATE '{lo}' AND DATE '{hi}')"
        for sex, (lo, hi) in bounds.items()
    )
    months_since = "((year(birth_date) - {y}) * 12 + month(birth_date) - 1)"
    retire_months = (
        "CASE WHEN sex = 'M' THEN CASE WHEN {m} < 0 THEN 720 ELSE least(723 + 3 * ({m} // 9), 744) END "
        "ELSE CASE WHEN {f} < 0 THEN 660 ELSE least(664 + 4 * ({f} // 8), 720) END END"
    ).format(m=months_since.format(y=1961), f=months_since.format(y=1966))
    by_rule = (
        f"birth_date + INTERVAL 15 YEAR <= DATE '{at}' AND "
        f"DATE '{at}' <= last_day(birth_date + to_months(CAST({retire_months} AS INTEGER)))"
    )

    def person_sql(working_age: str) -> str:
        return (
            "SELECT village, count(*) AS d, count(*) FILTER (WHERE smartphone = 1) AS n2, "
            "count(*) FILTER (WHERE epayment_account = 1) AS n3, "
            "count(*) FILTER (WHERE digital_skills_trained = 1) AS n4 "
            f"FROM p WHERE {working_age} GROUP BY village"
        )

    household_sql = "SELECT village, count(*) AS d, count(*) FILTER (WHERE fibre_internet = 1) AS n1, count(*) FILTER (WHERE digital_address_notified = 1) AS n5 FROM h GROUP BY village"

    def numbers_of(prow: list, hrow: list) -> dict:
        numbers: dict = {}
        for village, d, n2, n3, n4 in prow:
            numbers.setdefault(village, {}).update({"1.2": [n2, d], "1.3": [n3, d], "1.4": [n4, d]})
        for village, d, n1, n5 in hrow:
            numbers.setdefault(village, {}).update({"1.1": [n1, d], "1.5": [n5, d]})
        return numbers

    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        prow = con.execute(person_sql(in_range)).fetchall()
        hrow = con.execute(household_sql).fetchall()
        times.append(time.perf_counter() - start)
    timed = numbers_of(prow, hrow)
    checked = numbers_of(con.execute(person_sql(by_rule)).fetchall(), hrow)
    return min(times), timed, checked


# ---- the per-database worker (runs in a child process) ----------------------------------------


def worker(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SMARTVILLAGE_DATA_DIR", tempfile.mkdtemp(prefix="svbench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "smartvillage.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from smartvillage.criteria.engine import evaluate, evaluate_children
    from smartvillage.criteria.loader import get_set
    from smartvillage.registry.models import Household, Person
    from smartvillage.units.models import AdminUnit, Level, Scheme, UnitType
    from smartvillage.units.services import create_unit

    call_command("migrate", verbosity=0)
    out = Path(args.data)
    start = time.perf_counter()
    province = create_unit(
        parent=None,
        level=Level.PROVINCE,
        unit_type=UnitType.TINH,
        code="B01",
        name="Tỉnh Benchmark",
        scheme=Scheme.PRE_2025,
    )
    communes = [
        create_unit(
            parent=province,
            level=Level.COMMUNE,
            unit_type=UnitType.XA,
            code=f"B01{c:03d}",
            name=f"Xã {c}",
            scheme=Scheme.PRE_2025,
        )
        for c in range(max(1, args.villages // 10))
    ]
    village_units = []
    for v in range(args.villages):
        commune = communes[v * len(communes) // args.villages]
        village_units.append(
            AdminUnit(
                parent=commune,
                level=Level.VILLAGE,
                unit_type=UnitType.THON,
                code=f"{commune.code}-T{v:04d}",
                name=f"Thôn {v}",
                scheme=Scheme.LOCAL,
            )
        )
    AdminUnit.objects.bulk_create(village_units, batch_size=1000)
    village_units = list(AdminUnit.objects.filter(level=Level.VILLAGE).order_by("code"))
    for u in village_units:
        u.path = f"{u.parent.path}{u.pk}/"
    AdminUnit.objects.bulk_update(village_units, ["path"], batch_size=1000)
    village_id = [u.pk for u in village_units]

    now = "2024-06-30 00:00:00+00:00"
    h_fields = [f for f in Household._meta.concrete_fields if not f.primary_key]
    p_fields = [f for f in Person._meta.concrete_fields if not f.primary_key]

    def h_rows():
        with (out / "households.csv").open(encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            for r in reader:
                values = {
                    "village_id": village_id[int(r["village"])],
                    "code": r["code"],
                    "head_name": f"Chủ hộ {r['id']}",
                    "extra": "{}",
                    "created_at": now,
                    "updated_at": now,
                }
                values.update({k: r[k] == "1" for k in HOUSEHOLD_RATES})
                yield [int(r["id"])] + [values.get(f.attname, _default(f)) for f in h_fields]

    def p_rows():
        with (out / "persons.csv").open(encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            for r in reader:
                values = {
                    "household_id": int(r["household_id"]),
                    "village_id": village_id[int(r["village"])],
                    "full_name": f"Người {r['id']}",
                    "birth_date": r["birth_date"],
                    "sex": r["sex"],
                    "extra": "{}",
                    "created_at": now,
                    "updated_at": now,
                }
                values.update({k: r[k] == "1" for k in PERSON_RATES})
                yield [int(r["id"])] + [values.get(f.attname, _default(f)) for f in p_fields]

    for model, fields, rows in ((Household, h_fields, h_rows()), (Person, p_fields, p_rows())):
        table = model._meta.db_table
        columns = ["id"] + [f.column for f in fields]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
                batch = []
                for row in rows:
                    batch.append(row)
                    if len(batch) == 20000:
                        cursor.executemany(sql, batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A settled database, as in production: statistics, visibility map, no pending
            # checkpoint from the bulk load competing with the timed queries.
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
    load_seconds = time.perf_counter() - start

    cset = get_set(args.criteria_set)
    at = dt.date.fromisoformat(args.at)
    from django.conf import settings

    from smartvillage.results.apps import freeze_after_startup

    freeze_after_startup()  # as a web worker does after loading the app

    from smartvillage.criteria.engine import evaluate_with_children
    from smartvillage.results import services as store
    from smartvillage.results.models import ResultCount

    # The daily refresh: every published set (and the village sets inside aggregate criteria)
    # counted for every village at the reference date, as the nightly job does for "today".
    start = time.perf_counter()
    refreshed = store.refresh_all(at)
    refresh_seconds = time.perf_counter() - start

    duck = _duckdb_session(out, at) if args.duckdb else None
    evaluate_children(province, cset, at)  # warm-up: caches, planner statistics
    times, dashboard, duck_times = [], [], []
    for _ in range(args.repeats):
        # Interleaved: each round times DuckDB and the engine back to back, so the machine's
        # load (other jobs on the 2 shared cores) falls on both alike.
        if duck is not None:
            duck_times.append(duck())
        start = time.perf_counter()
        results = evaluate_children(province, cset, at)
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        evaluate_with_children(province, cset, at)
        dashboard.append(time.perf_counter() - start)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        evaluate_children(province, cset, at)
        profile.disable()
        pstats.Stats(profile, stream=sys.stderr).sort_stats(
            os.environ.get("BENCH_PROFILE_SORT", "cumulative")
        ).print_stats(35)
    index_of = {pk: i for i, pk in enumerate(village_id)}
    numbers = {
        index_of[r.unit.pk]: {
            c.code: [c.numerator, c.denominator] for c in r.criteria if c.kind == "ratio"
        }
        for r in results
    }
    # Live (the store off): what every page paid before the store, and what a date not yet
    # stored costs once.
    settings.RESULTS_STORE = False
    live_times = []
    for _ in range(max(2, args.repeats // 2)):
        start = time.perf_counter()
        live_results = evaluate_children(province, cset, at)
        live_times.append(time.perf_counter() - start)
    settings.RESULTS_STORE = True
    live_numbers = {
        index_of[r.unit.pk]: {
            c.code: [c.numerator, c.denominator] for c in r.criteria if c.kind == "ratio"
        }
        for r in live_results
    }
    # The floor: the same counts as a hand-written GROUP BY over the whole tables, working age
    # as the birth-date range per sex (no village filter, no Python): what the database itself
    # costs, so the engine's own overhead can be read off.
    from smartvillage.criteria.working_age import working_age_range

    in_range = " OR ".join(
        f"(sex = '{sex}' AND birth_date >= '{r.earliest}' AND birth_date <= '{r.latest}')"
        for sex in ("M", "F")
        for r in [working_age_range(at, sex)]
    )
    person_sql = (
        "SELECT village_id, count(*), "
        + ", ".join(f"count(*) FILTER (WHERE {k})" for k in PERSON_RATES if k != "vneid")
        + f" FROM {Person._meta.db_table} WHERE {in_range} GROUP BY village_id"
    )
    household_sql = (
        "SELECT village_id, count(*), count(*) FILTER (WHERE fibre_internet), "
        "count(*) FILTER (WHERE digital_address_notified) "
        f"FROM {Household._meta.db_table} GROUP BY village_id"
    )
    hand = []
    with connection.cursor() as cursor:
        for _ in range(args.repeats + 1):
            start = time.perf_counter()
            for sql in (person_sql, household_sql):
                cursor.execute(sql)
                cursor.fetchall()
            hand.append(time.perf_counter() - start)

    one = village_units[len(village_units) // 2]
    single, single_live, recount = [], [], []
    for _ in range(20):
        start = time.perf_counter()
        evaluate(one, cset, at)
        single.append(time.perf_counter() - start)
        settings.RESULTS_STORE = False
        start = time.perf_counter()
        evaluate(one, cset, at)
        single_live.append(time.perf_counter() - start)
        settings.RESULTS_STORE = True
        # The write path's cost: one village recounted in every scope covering it.
        start = time.perf_counter()
        store.recount_villages([one.pk])
        recount.append(time.perf_counter() - start)
    rows = ResultCount.objects.count()
    table_bytes = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size(%s)", [ResultCount._meta.db_table])
            table_bytes = cursor.fetchone()[0]
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "load_seconds": load_seconds,
                "refresh_seconds": refresh_seconds,
                "refreshed": refreshed,
                "store_rows": rows,
                "store_bytes": table_bytes,
                "all_villages": min(times),
                "dashboard": min(dashboard),
                "live": min(live_times),
                "duckdb": min(duck_times) if duck_times else None,
                "hand_written": min(hand[1:]),
                "one_village_ms": statistics.median(single) * 1000,
                "one_village_live_ms": statistics.median(single_live) * 1000,
                "recount_ms": statistics.median(recount) * 1000,
                "numbers": numbers,
                "live_agrees": live_numbers == numbers,
                "persons": Person.objects.count(),
                "households": Household.objects.count(),
            }
        )
    )


def _duckdb_session(out: Path, at: dt.date):
    """The DuckDB reference query, loaded once in this process: returns a function timing one
    run (the same hand-written GROUP BY as duckdb_reference)."""
    import duckdb

    from smartvillage.criteria.working_age import working_age_range

    con = duckdb.connect()
    con.execute(f"CREATE TABLE h AS SELECT * FROM read_csv_auto('{out / 'households.csv'}')")
    con.execute(
        f"CREATE TABLE p AS SELECT * FROM read_csv_auto('{out / 'persons.csv'}', "
        "types={'birth_date': 'DATE'})"
    )
    in_range = " OR ".join(
        f"(sex = '{sex}' AND birth_date BETWEEN DATE '{r.earliest}' AND DATE '{r.latest}')"
        for sex in ("M", "F")
        for r in [working_age_range(at, sex)]
    )
    person_sql = (
        "SELECT village, count(*) AS d, count(*) FILTER (WHERE smartphone = 1), "
        "count(*) FILTER (WHERE epayment_account = 1), "
        "count(*) FILTER (WHERE digital_skills_trained = 1) "
        f"FROM p WHERE {in_range} GROUP BY village"
    )
    household_sql = (
        "SELECT village, count(*), count(*) FILTER (WHERE fibre_internet = 1), "
        "count(*) FILTER (WHERE digital_address_notified = 1) FROM h GROUP BY village"
    )

    def run() -> float:
        start = time.perf_counter()
        con.execute(person_sql).fetchall()
        con.execute(household_sql).fetchall()
        return time.perf_counter() - start

    run()  # warm-up
    return run


def _default(field):
    if field.has_default():
        value = field.get_default()
        return json.dumps(value) if isinstance(value, dict) else value
    return None if field.null else ""


# ---- the driver -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--db", default="sqlite,postgres")
    # The DuckDB reference encodes the Phú Thọ set's five ratios; other sets have no reference.
    parser.add_argument(
        "--criteria-set", default="phutho-khu-dan-cu-thong-minh-1491", choices=[PHUTHO]
    )
    parser.add_argument("--at", default="2024-06-30")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--no-duckdb",
        dest="duckdb",
        action="store_false",
        help="time DuckDB only once before the databases, not in each round",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    at = dt.date.fromisoformat(args.at)
    tmp = Path(tempfile.mkdtemp(prefix="svbench-"))
    try:
        run(args, at, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, at: dt.date, tmp: Path) -> None:
    start = time.perf_counter()
    sizes = generate(args.persons, args.villages, tmp / "data")
    print(
        f"generated {sizes['persons']:,} persons, {sizes['households']:,} households, {sizes['villages']:,} villages in {time.perf_counter() - start:.1f} s"
    )
    sys.path.insert(0, str(ROOT / "src"))
    from smartvillage.criteria.working_age import working_age_range

    bounds = {}
    for sex in ("M", "F"):
        r = working_age_range(at, sex)
        bounds[sex] = (r.earliest, r.latest)
    duck_seconds, reference, by_rule = duckdb_reference(tmp / "data", at, bounds, args.repeats)
    rule_agrees = reference == by_rule
    print(
        "working age: birth-date ranges agree with the per-row Decree 135 rule in DuckDB: "
        + ("yes" if rule_agrees else "NO")
    )

    results = []
    for backend in [b.strip() for b in args.db.split(",") if b.strip()]:
        if backend == "sqlite":
            url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        else:
            name = f"sv_bench_{os.getpid()}"
            subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}"], check=True)
            url = f"postgres://postgres@127.0.0.1:5432/{name}"
        try:
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--worker",
                    "--database-url",
                    url,
                    "--data",
                    str(tmp / "data"),
                    "--villages",
                    str(args.villages),
                    "--criteria-set",
                    args.criteria_set,
                    "--at",
                    args.at,
                    "--repeats",
                    str(args.repeats),
                    *([] if args.duckdb else ["--no-duckdb"]),
                ],
                check=True,
                stdout=subprocess.PIPE,
                text=True,
                env={**os.environ, "SMARTVILLAGE_DATA_DIR": str(tmp / "svdata")},
            )
        finally:
            if backend != "sqlite":
                subprocess.run(
                    ["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=False
                )
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        engine_numbers = {int(k): v for k, v in result["numbers"].items()}
        mismatches = [
            (v, code)
            for v, codes in reference.items()
            for code, pair in codes.items()
            if engine_numbers.get(v, {}).get(code) != pair
        ]
        result["agrees"] = (
            "yes"
            if not mismatches and len(engine_numbers) == len(reference) and result["live_agrees"]
            else f"NO ({len(mismatches)} differ, live agrees: {result['live_agrees']})"
        )
        results.append(result)
        # Each backend's numbers as soon as they are in (a later backend may take minutes).
        summary = {k: v for k, v in result.items() if k != "numbers"}
        print(f"{backend}: " + json.dumps(summary), flush=True)
        print(
            f"{backend}: loaded in {result['load_seconds']:.1f} s; daily refresh "
            f"({result['refreshed']['scopes']} scopes × {args.villages:,} villages) "
            f"{result['refresh_seconds']:.2f} s; store {result['store_rows']:,} rows"
            + (
                f", {result['store_bytes'] / 1e6:.1f} MB with indexes"
                if result["store_bytes"]
                else ""
            )
        )

    print()
    print(
        f"criteria set {args.criteria_set}, reference date {args.at}, {sizes['villages']:,} "
        f"villages, {sizes['persons']:,} persons, best of {args.repeats} interleaved rounds "
        f"(DuckDB separately, before the databases: {duck_seconds:.3f} s)"
    )
    print(
        f"{'backend':<11} {'DuckDB (s)':>10} {'store (s)':>10} {'× DuckDB':>9} "
        f"{'dashboard (s)':>13} {'live (s)':>9} {'× DuckDB':>9} {'one village':>12} "
        f"{'live':>6} {'recount':>8} {'agrees':>7}"
    )
    for r in results:
        duck = r["duckdb"] or duck_seconds
        print(
            f"{r['vendor']:<11} {duck:>10.3f} {r['all_villages']:>10.3f} "
            f"{r['all_villages'] / duck:>9.2f} {r['dashboard']:>13.3f} {r['live']:>9.3f} "
            f"{r['live'] / duck:>9.2f} {r['one_village_ms']:>9.1f} ms {r['one_village_live_ms']:>3.1f} ms "
            f"{r['recount_ms']:>5.1f} ms {r['agrees']:>7}"
        )
    print()
    print("hand-written GROUP BY in the same database (no village filter, no Python):")
    for r in results:
        duck = r["duckdb"] or duck_seconds
        print(
            f"{r['vendor']:<11} {r['hand_written']:>9.3f} s {r['hand_written'] / duck:>6.2f}× DuckDB"
        )


if __name__ == "__main__":
    main()
