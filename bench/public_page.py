"""Public page benchmark: a village's public page at a fixed request rate, on PostgreSQL.

    python bench/public_page.py [--rate 200] [--duration 30] [--workers N] [--no-redis]

1. Creates a fresh PostgreSQL database and fills it with the demo (`smartvillage demo --no-serve
   --units demo`: ấp An Phú with 761 households and 2.420 persons, published with an open
   survey).
2. Starts `smartvillage serve` (DEBUG off, gunicorn) on 127.0.0.1 with the Redis cache
   (REDIS_URL, unless --no-redis: then the database cache) and the per-address rate limit raised
   out of the way (every request of the bench comes from one address).
3. Sends requests open-loop at `--rate` per second for `--duration` seconds (a request is sent on
   schedule whether or not earlier ones have answered, so a slow server shows as latency, not as
   a lower rate): the public page, and in the same rounds `/healthz` once every 10 ticks as the
   reference (the cost of a request through the same server with no page work).
4. Prints p50/p95/p99 per address, errors and the achieved rate. Asserts no time.

Loopback only; rate ≤ 1.000/s and duration ≤ 300 s. The client shares the 2 cores with the
server and the database (its CPU time is reported).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from load import pct, serve_command, wait_healthy  # noqa: E402

HOST = "127.0.0.1"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
MAX_RATE, MAX_DURATION = 1000, 300


def redis_up() -> bool:
    try:
        with socket.create_connection((HOST, 6379), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


async def drive(base: str, path: str, rate: float, duration: float, warmup: float):
    """Open loop with a bounded number of senders: tick k is sent at begin + k / rate by whichever
    sender is free (a sender never holds more than one request, so the client's own queue stays
    short; a late send shows in the achieved rate). Every 10th tick also asks /healthz."""
    import httpx

    samples: dict[str, list[float]] = {path: [], "/healthz": []}
    errors: dict[str, int] = {path: 0, "/healthz": 0}
    senders = 32
    limits = httpx.Limits(max_connections=senders, max_keepalive_connections=senders)
    next_tick = 0
    begin = time.perf_counter() + 0.2
    end = warmup + duration
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as client:

        async def get(url: str, record: bool) -> None:
            start = time.perf_counter()
            try:
                ok = (await client.get(url)).status_code == 200
            except httpx.HTTPError:
                ok = False
            if record:
                samples[url].append(time.perf_counter() - start)
                errors[url] += 0 if ok else 1

        async def sender() -> None:
            nonlocal next_tick
            while True:
                tick = next_tick
                next_tick += 1
                elapsed = tick / rate
                if elapsed >= end:
                    return
                delay = begin + elapsed - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                record = elapsed >= warmup
                await get(path, record)
                if tick % 10 == 0:
                    await get("/healthz", record)

        await asyncio.gather(*(sender() for _ in range(senders)))
        return samples, errors, time.perf_counter() - begin - warmup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--no-redis", action="store_true")
    args = parser.parse_args()
    if not 0 < args.rate <= MAX_RATE or not 0 < args.duration <= MAX_DURATION:
        parser.error(f"rate ≤ {MAX_RATE}/s and duration ≤ {MAX_DURATION} s")

    tmp = Path(tempfile.mkdtemp(prefix="svpublic-"))
    name = f"sv_public_{os.getpid()}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "SMARTVILLAGE_DATA_DIR": str(tmp / "svdata"),
        "DEBUG": "false",
        "SECRET_KEY": "bench-public-not-secret",
        "ALLOWED_HOSTS": HOST,
        "AXES_ENABLED": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "PUBLIC_PAGE_RATE": "1000000/m",
        # Plain http on loopback (a load balancer terminates TLS in production).
        "SECURE_SSL_REDIRECT": "false",
    }
    use_redis = not args.no_redis and redis_up()
    if use_redis:
        env["REDIS_URL"] = f"redis://{HOST}:6379/7"
        subprocess.run(["redis-cli", "-n", "7", "flushdb"], check=False, capture_output=True)
    else:
        env.pop("REDIS_URL", None)
    subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}"], check=True)
    server = None
    try:
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "smartvillage.cli", "demo", "--no-serve", "--units", "demo"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        path = re.search(r"Trang công khai: https?://[^/]+(/\S+)", out).group(1)
        print(f"dữ liệu mẫu trên PostgreSQL: {time.perf_counter() - started:.0f} s; trang {path}")
        base = f"http://{HOST}:{args.port}"
        command = serve_command(args.port, args.workers)
        log = (tmp / "serve.log").open("w")
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_healthy(base, server)
        print(
            f"{args.rate:.0f} yêu cầu/giây trong {args.duration:.0f} s (bỏ {args.warmup:.0f} s đầu), "
            f"bộ đệm {'Redis' if use_redis else 'cơ sở dữ liệu'}, "
            f"smartvillage serve {'--workers ' + str(args.workers) if args.workers else '(mặc định)'}"
        )
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        samples, errors, seconds = asyncio.run(
            drive(base, path, args.rate, args.duration, args.warmup)
        )
        after = resource.getrusage(resource.RUSAGE_SELF)
        print(f"{'địa chỉ':40} {'số lượt':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'lỗi':>5}")
        for url, values in samples.items():
            if values:
                print(
                    f"{url:40} {len(values):>8} {pct(values, 0.5) * 1000:>8.1f} "
                    f"{pct(values, 0.95) * 1000:>8.1f} {pct(values, 0.99) * 1000:>8.1f} "
                    f"{errors[url]:>5}"
                )
        total = sum(len(v) for v in samples.values())
        print(f"đạt: {total / seconds:.1f} yêu cầu/giây trong {seconds:.0f} s đo")
        client_cpu = (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime)
        print(f"CPU của chính máy khách: {client_cpu:.1f} s")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=False)


if __name__ == "__main__":
    main()
