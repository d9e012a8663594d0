"""Load benchmark: N logged-in users over the pages each role opens, against `smartvillage serve`.

    python bench/load.py [--persons 1000000] [--villages 1000] [--users 50] [--duration 120]
                         [--think 5-15 | --think 0] [--writes 0.5] [--workers N] [--keep-db]
                         [--reuse-db NAME]

1. Generates a synthetic province (bench/evaluate.py's seeded generator: households and persons
   with birth dates and facts) into a fresh PostgreSQL database, loads it with COPY, vacuums it,
   rebuilds the results store when the build has one, and creates one account per simulated user:
   two in ten province appraisers, three in ten commune leaders, half village heads (each on
   its own commune or village).
2. Starts the app with `smartvillage serve` (DEBUG off, gunicorn) on 127.0.0.1.
3. Each simulated user logs in through the login form, then opens the pages of its role at
   random until the time is up, waiting 5–15 s between pages (think time) or not at all
   (`--think 0`: throughput). `/healthz` is requested in the same rounds by every user as the
   reference: the cost of a request through the same server and database, with no page work.
   Meanwhile another process edits households (`--writes` per second, through the action
   function: the village is recounted in the store and the province's pages rebuild that
   commune's summary on their next load), so the pages are measured with their caches being
   invalidated as on a working day.
4. Prints p50/p95/p99 per page, errors and throughput. It asserts no time.

Loopback only, bounded users (≤ 500) and duration (≤ 30 min). The client runs on the same
machine as the server and the database: its CPU is taken from them (reported).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from evaluate import (  # noqa: E402  (the same seeded generator as the evaluation benchmark)
    HOUSEHOLD_RATES,
    PERSON_RATES,
    PG_ADMIN,
    PHUTHO,
    _default,
    generate,
)

HOST = "127.0.0.1"
PASSWORD = "Bench-load-2026!"
MAX_USERS = 500
MAX_DURATION = 1800


# ---- setup: runs in its own process, bound to the benchmark database ----------------------------


def setup(args: argparse.Namespace) -> None:
    import csv

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "smartvillage.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command, get_commands
    from django.db import connection

    from smartvillage.accounts.models import Role, RoleAssignment
    from smartvillage.criteria.loader import get_set
    from smartvillage.registry.models import Household, Person
    from smartvillage.units.models import AdminUnit, Level, Scheme, UnitType
    from smartvillage.units.services import create_unit

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
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
    units = []
    for v in range(args.villages):
        commune = communes[v * len(communes) // args.villages]
        units.append(
            AdminUnit(
                parent=commune,
                level=Level.VILLAGE,
                unit_type=UnitType.THON,
                code=f"{commune.code}-T{v:04d}",
                name=f"Thôn {v}",
                scheme=Scheme.LOCAL,
            )
        )
    AdminUnit.objects.bulk_create(units, batch_size=1000)
    villages = list(
        AdminUnit.objects.filter(level=Level.VILLAGE).select_related("parent").order_by("code")
    )
    for u in villages:
        u.path = f"{u.parent.path}{u.pk}/"
    AdminUnit.objects.bulk_update(villages, ["path"], batch_size=1000)
    village_id = [u.pk for u in villages]

    out = Path(args.data)
    now = "2024-06-30 00:00:00+00:00"
    h_fields = [f for f in Household._meta.concrete_fields if not f.primary_key]
    p_fields = [f for f in Person._meta.concrete_fields if not f.primary_key]

    def h_rows():
        with (out / "households.csv").open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
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
            for r in csv.DictReader(fh):
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
        columns = ["id"] + [f.column for f in fields]
        with connection.cursor() as cursor:
            sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        with connection.cursor() as cursor:  # ids were given: move the sequence past them
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("CHECKPOINT")
    loaded = time.perf_counter() - started

    store_seconds = None
    if "results" in get_commands():
        # Bulk COPY bypasses the actions that keep the results store current: rebuild it, as a
        # deployment does after a bulk migration of data.
        started = time.perf_counter()
        call_command("results", "rebuild", verbosity=0)
        store_seconds = time.perf_counter() - started

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_database_size(current_database()), pg_total_relation_size(%s), "
            "pg_total_relation_size(%s)",
            [Person._meta.db_table, Household._meta.db_table],
        )
        db_bytes, person_bytes, household_bytes = cursor.fetchone()
    cset = get_set(PHUTHO)
    ratio_codes = [c.code for c in cset.criteria if getattr(c, "kind", "") == "ratio"]
    User = get_user_model()
    rng = random.Random(7)
    users = []
    for i in range(args.users):
        # Interleaved, so the first N accounts have the same mix as all of them.
        share = (i % 10) / 10
        if share < 0.2:
            role, unit = Role.APPRAISER, province
        elif share < 0.5:
            role, unit = Role.COMMUNE_LEADER, communes[i % len(communes)]
        else:
            role, unit = Role.VILLAGE_HEAD, villages[rng.randrange(len(villages))]
        user = User.objects.create_user(f"bench{i:03d}", password=PASSWORD)
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
        users.append(
            {
                "username": user.username,
                "role": role.value,
                "unit": unit.pk,
                "commune": unit.parent_id if unit.level == Level.VILLAGE else unit.pk,
            }
        )
    print(
        json.dumps(
            {
                "province": province.pk,
                "communes": [c.pk for c in communes],
                "villages": village_id,
                "users": users,
                "set": PHUTHO,
                "ratio_codes": ratio_codes,
                "load_seconds": loaded,
                "store_seconds": store_seconds,
                "db_bytes": db_bytes,
                "person_table_bytes": person_bytes,
                "household_table_bytes": household_bytes,
                "persons": Person.objects.count(),
                "households": Household.objects.count(),
            }
        )
    )


# ---- the client ---------------------------------------------------------------------------------


def pages_for(user: dict, world: dict) -> list[tuple[str, str]]:
    """(label, path) of the pages a user of this role opens, by how often (repeats weigh)."""
    s = world["set"]
    province, unit = world["province"], user["unit"]
    if user["role"] == "appraiser":
        commune = random.choice(world["communes"])
        return [
            ("trang chủ (thẩm định)", "/"),
            ("tỉnh: bảng tiêu chí", f"/units/{province}/criteria/?set={s}"),
            ("tỉnh: bảng tiêu chí", f"/units/{province}/criteria/?set={s}"),
            ("xã: ma trận thôn × tiêu chí", f"/units/{commune}/criteria/?set={s}"),
        ]
    if user["role"] == "commune_leader":
        return [
            ("trang chủ (xã)", "/"),
            ("xã: ma trận thôn × tiêu chí", f"/units/{unit}/criteria/?set={s}"),
            ("xã: trang xã", f"/units/{unit}/"),
        ]
    code = world["worklist_code"]
    return [
        ("trang chủ (thôn)", "/"),
        ("thôn: tiêu chí", f"/units/{unit}/criteria/?set={s}"),
        ("thôn: danh sách cần bổ sung", f"/units/{unit}/criteria/{s}/{code}/worklist/"),
        ("thôn: danh sách hộ", f"/units/{unit}/"),
        ("thôn: danh sách hộ", f"/units/{unit}/?page=3"),
    ]


def writer(args: argparse.Namespace) -> None:
    """Edits while the users read (a separate process, like a village head saving a form): every
    1/rate s a random household's fibre flag is flipped through the action function, which
    recounts its village in the results store and raises its stamp (the next province page then
    rebuilds that commune's summary). Prints the edit times as JSON when the time is up."""
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "smartvillage.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from smartvillage.registry.models import Household
    from smartvillage.registry.services import do_update_household

    user, _created = get_user_model().objects.get_or_create(
        username="bench-writer", defaults={"is_superuser": True, "is_staff": True}
    )
    ids = list(Household.objects.values_list("pk", flat=True))
    rng = random.Random(11)
    times: list[float] = []
    start = time.monotonic()
    warm_until, deadline = start + args.warmup, start + args.warmup + args.duration
    following = start
    while time.monotonic() < deadline:
        household = Household.objects.select_related("village").get(pk=rng.choice(ids))
        began = time.perf_counter()
        do_update_household(user, household, fibre_internet=not household.fibre_internet)
        if time.monotonic() >= warm_until:
            times.append(time.perf_counter() - began)
        following += 1 / args.writes
        time.sleep(max(0.0, following - time.monotonic()))
    print(json.dumps(times))


async def login(client, username: str) -> None:
    page = await client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    response = await client.post(
        "/login/",
        data={
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "username": username,
            "password": PASSWORD,
        },
        headers={"Referer": f"{client.base_url}login/"},
    )
    if response.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {response.status_code}")


async def simulate(user, world, base, deadline, warm_until, think, samples, errors) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=120, follow_redirects=False) as client:
        await login(client, user["username"])
        pages = pages_for(user, world)
        while time.monotonic() < deadline:
            label, path = (
                ("/healthz (tham chiếu)", "/healthz")
                if random.random() < 0.1
                else random.choice(pages)
            )
            started = time.perf_counter()
            try:
                response = await client.get(path)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            elapsed = time.perf_counter() - started
            if time.monotonic() >= warm_until:
                samples.setdefault(label, []).append(elapsed)
                if not ok:
                    errors[label] = errors.get(label, 0) + 1
            if think:
                await asyncio.sleep(random.uniform(*think))


async def drive(world, base, users, duration, warmup, think) -> tuple[dict, dict, float]:
    samples: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    start = time.monotonic()
    deadline = start + warmup + duration
    # Users arrive over the first seconds (a real morning), not in one instant.
    tasks = []
    for user in world["users"][:users]:
        await asyncio.sleep(min(5.0, warmup) / max(1, users))
        tasks.append(
            asyncio.create_task(
                simulate(user, world, base, deadline, start + warmup, think, samples, errors)
            )
        )
    await asyncio.gather(*tasks)
    return samples, errors, duration


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def report(samples: dict, errors: dict, seconds: float) -> list[dict]:
    rows = []
    for label in sorted(samples, key=lambda k: (k.startswith("/healthz"), k)):
        values = samples[label]
        rows.append(
            {
                "page": label,
                "n": len(values),
                "p50_ms": pct(values, 0.5) * 1000,
                "p95_ms": pct(values, 0.95) * 1000,
                "p99_ms": pct(values, 0.99) * 1000,
                "max_ms": max(values) * 1000,
                "errors": errors.get(label, 0),
            }
        )
    total = sum(len(v) for v in samples.values())
    all_values = [x for v in samples.values() for x in v]
    print(
        f"{'trang':34} {'số lượt':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'lỗi':>5}"
    )
    for r in rows:
        print(
            f"{r['page']:34} {r['n']:>8} {r['p50_ms']:>8.0f} {r['p95_ms']:>8.0f} "
            f"{r['p99_ms']:>8.0f} {r['max_ms']:>8.0f} {r['errors']:>5}"
        )
    if all_values:
        print(
            f"{'tất cả':34} {total:>8} {pct(all_values, 0.5) * 1000:>8.0f} "
            f"{pct(all_values, 0.95) * 1000:>8.0f} {pct(all_values, 0.99) * 1000:>8.0f} "
            f"{max(all_values) * 1000:>8.0f} {sum(errors.values()):>5}"
        )
    print(f"thông lượng: {total / seconds:.1f} yêu cầu/giây trong {seconds:.0f} s đo")
    return rows


def server_times(log_path: Path, since: float) -> None:
    """Time spent inside the server per page kind (gunicorn's access log, %(M)s ms): the request
    without the wait in the listen queue, so contention for the cores shows apart from queueing."""
    pattern = re.compile(r'"GET (\S+) HTTP/[\d.]+" (\d+) \S+ (\d+)ms')
    by_kind: dict[str, list[float]] = {}
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines()[since:]:
        m = pattern.search(line)
        if not m or m.group(1).startswith(("/login", "/static")):
            continue
        kind = re.sub(r"\d+", "N", m.group(1).split("?")[0])
        by_kind.setdefault(kind, []).append(float(m.group(3)))
    print("thời gian trong máy chủ (không tính chờ hàng đợi), theo đường dẫn:")
    for kind, values in sorted(by_kind.items()):
        print(
            f"  {kind:66} {len(values):>6} p50 {pct(values, 0.5):>6.0f} ms  p95 {pct(values, 0.95):>6.0f} ms"
        )


def serve_command(port: int, workers: int | None = None, threads: int | None = None) -> list[str]:
    """`smartvillage serve` on loopback, as the benchmarks start it."""
    command = [sys.executable, "-m", "smartvillage.cli", "serve", "--addrport", f"{HOST}:{port}"]
    if workers:
        command += ["--workers", str(workers)]
    if threads:
        command += ["--threads", str(threads)]
    return command


def wait_healthy(base: str, server: subprocess.Popen, seconds: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited at start-up; see its log")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not become healthy")


def pick_worklist_code(world: dict, base: str) -> str:
    """The first ratio criterion whose worklist page exists for a village head."""
    import httpx

    head = next(u for u in world["users"] if u["role"] == "village_head")

    async def probe() -> str:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            await login(client, head["username"])
            for code in world["ratio_codes"]:
                path = f"/units/{head['unit']}/criteria/{world['set']}/{code}/worklist/"
                if (await client.get(path)).status_code == 200:
                    return code
        raise RuntimeError("no worklist page answered 200")

    return asyncio.run(probe())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=120, help="measured seconds")
    parser.add_argument("--warmup", type=int, default=15, help="seconds not measured")
    parser.add_argument("--think", default="5-15", help="seconds between pages, a-b; 0 for none")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=None, help="threads per gunicorn worker")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--granian",
        action="store_true",
        help="serve with granian (WSGI) instead of smartvillage serve, to compare the two",
    )
    parser.add_argument("--reuse-db", help="a database left by --keep-db (skips the load)")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--json", help="write the rows here too")
    parser.add_argument(
        "--redis",
        help="REDIS_URL for the server (cache and sessions), e.g. redis://127.0.0.1:6379/14",
    )
    parser.add_argument(
        "--writes",
        type=float,
        default=0.5,
        help="household edits per second during the run (another process; 0: none)",
    )
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--writer", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup(args)
        return
    if args.writer:
        writer(args)
        return
    if not 1 <= args.users <= MAX_USERS or not 1 <= args.duration <= MAX_DURATION:
        parser.error(f"--users 1..{MAX_USERS}, --duration 1..{MAX_DURATION}")
    think = None
    if args.think not in ("0", ""):
        low, _, high = args.think.partition("-")
        think = (float(low), float(high or low))

    tmp = Path(tempfile.mkdtemp(prefix="svload-"))
    name = args.reuse_db or f"sv_load_{args.persons}_{os.getpid()}"
    url = f"postgres://postgres@127.0.0.1:5432/{name}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SMARTVILLAGE_DATA_DIR": str(tmp / "svdata"),
        "DEBUG": "false",
        "SECRET_KEY": "bench-load-not-secret",
        "ALLOWED_HOSTS": HOST,
        "AXES_ENABLED": "false",
        # Plain http on loopback (a load balancer terminates TLS in production).
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_SSL_REDIRECT": "false",
    }
    if args.redis:
        env["REDIS_URL"] = args.redis
    world_file = tmp / "world.json"
    if args.reuse_db:
        world_file = Path(tempfile.gettempdir()) / f"{name}.world.json"
        world = json.loads(world_file.read_text())
        # The code may have moved on since the database was kept: its migrations, a fresh store.
        cli = [sys.executable, "-m", "smartvillage.cli"]
        subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
        if (
            "results"
            in subprocess.run(
                [*cli, "help"], env=env, capture_output=True, text=True
            ).stdout.split()
        ):
            subprocess.run([*cli, "results", "rebuild"], env=env, check=True, capture_output=True)
    else:
        started = time.perf_counter()
        sizes = generate(args.persons, args.villages, tmp / "data")
        print(
            f"sinh dữ liệu: {sizes['persons']:,} nhân khẩu trong {time.perf_counter() - started:.0f} s"
        )
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}"], check=True)
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--setup",
                "--database-url",
                url,
                "--data",
                str(tmp / "data"),
                "--villages",
                str(args.villages),
                "--users",
                str(max(args.users, 50)),
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        if proc.returncode:
            subprocess.run(
                ["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=False
            )
            sys.exit(f"the setup failed:\n{proc.stderr[-3000:]}")
        world = json.loads(proc.stdout.strip().splitlines()[-1])
        store = world["store_seconds"]
        print(
            f"nạp PostgreSQL: {world['persons']:,} nhân khẩu, {world['households']:,} hộ, "
            f"{len(world['villages']):,} thôn trong {world['load_seconds']:.0f} s"
            + (
                f"; dựng kho kết quả {store:.0f} s"
                if store is not None
                else "; không có kho kết quả"
            )
        )
        print(
            f"dung lượng: cơ sở dữ liệu {world['db_bytes'] / 2**20:,.0f} MiB, bảng nhân khẩu "
            f"{world['person_table_bytes'] / 2**20:,.0f} MiB, bảng hộ "
            f"{world['household_table_bytes'] / 2**20:,.0f} MiB (kèm chỉ mục)"
        )
        if args.keep_db:
            kept = Path(tempfile.gettempdir()) / f"{name}.world.json"
            kept.write_text(json.dumps(world))
            print(f"giữ cơ sở dữ liệu {name} (--reuse-db {name})")

    base = f"http://{HOST}:{args.port}"
    command = serve_command(args.port, args.workers, args.threads)
    if args.granian:
        from smartvillage.core.management.commands.serve import default_workers

        command = [
            str(Path(sys.executable).parent / "granian"),
            "--interface",
            "wsgi",
            "--host",
            HOST,
            "--port",
            str(args.port),
            "--workers",
            str(args.workers or default_workers()),
            "smartvillage.wsgi:application",
        ]
    log = (tmp / "serve.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(base, server)
        world["worklist_code"] = pick_worklist_code(world, base)
        mode = f"nghỉ {args.think} s giữa hai trang" if think else "không nghỉ"
        print(
            f"{args.users} người dùng, {mode}, đo {args.duration} s (bỏ {args.warmup} s đầu), "
            + ("granian " if args.granian else "smartvillage serve ")
            + f"{'--workers ' + str(args.workers) if args.workers else '(mặc định)'}"
            + (f" --threads {args.threads}" if args.threads else "")
            + (f", REDIS_URL={args.redis}" if args.redis else ", bộ nhớ đệm trong cơ sở dữ liệu")
            + f", {args.writes:g} lượt sửa hộ/giây"
        )
        log.flush()
        log_start = len(
            (tmp / "serve.log").read_text(encoding="utf-8", errors="replace").splitlines()
        )
        load_before = os.getloadavg()[0]
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        editor = None
        if args.writes > 0:
            editor = subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--writer",
                    "--database-url",
                    url,
                    "--writes",
                    str(args.writes),
                    "--duration",
                    str(args.duration),
                    "--warmup",
                    str(args.warmup),
                ],
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
        samples, errors, seconds = asyncio.run(
            drive(world, base, args.users, args.duration, args.warmup, think)
        )
        after = resource.getrusage(resource.RUSAGE_SELF)
        if editor is not None:
            out, _err = editor.communicate(timeout=120)
            edits = json.loads(out.strip().splitlines()[-1]) if editor.returncode == 0 else []
            if editor.returncode:
                errors["ghi: sửa một hộ (tiến trình riêng)"] = 1
            if edits:
                samples["ghi: sửa một hộ (tiến trình riêng)"] = edits
        rows = report(samples, errors, seconds)
        time.sleep(1)  # the access log's last lines
        server_times(tmp / "serve.log", log_start)
        print(
            f"tải máy (load average 1 phút): {load_before:.1f} trước, {os.getloadavg()[0]:.1f} sau "
            f"(máy có {os.cpu_count()} lõi, dùng chung)"
        )
        client_cpu = (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime)
        print(f"CPU của chính máy khách: {client_cpu:.1f} s (trên {seconds + args.warmup:.0f} s)")
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    {"users": args.users, "think": args.think, "rows": rows, "seconds": seconds},
                    ensure_ascii=False,
                    indent=1,
                )
            )
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if not args.keep_db and not args.reuse_db:
            subprocess.run(
                ["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=False
            )
        print(f"nhật ký máy chủ: {tmp / 'serve.log'}")


if __name__ == "__main__":
    main()
