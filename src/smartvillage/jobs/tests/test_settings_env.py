"""The cache, queue and connection settings come from the environment, strictly."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

PRINT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "from django.core.cache import cache; "
    "print(s.CACHES['default']['BACKEND'], s.TASKS['default']['BACKEND'], "
    "s.DATABASES['default']['CONN_HEALTH_CHECKS'], s.SESSION_ENGINE); "
    "cache.set('sv-test', 'ok', 5); print(cache.get('sv-test'))"
)


def _settings(tmp_path, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "TASKS_BACKEND")}
    full.update(
        SMARTVILLAGE_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="smartvillage.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    )
    if "DATABASE_URL" in env:
        full["DATABASE_URL"] = env["DATABASE_URL"]
    return subprocess.run(
        [sys.executable, "-c", PRINT], env=full, capture_output=True, text=True, timeout=60
    )


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def test_defaults_database_cache_and_queue(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "smartvillage.cli", "migrate", "-v0"],
        env={
            **os.environ,
            "SMARTVILLAGE_DATA_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        check=True,
        timeout=300,
    )
    out = _settings(tmp_path)
    assert out.returncode == 0, out.stderr
    backend, tasks, health, session, value = out.stdout.split()
    assert backend.endswith("DatabaseCache") and tasks == "django_tasks_db.DatabaseBackend"
    assert health == "True" and session.endswith("sessions.backends.db") and value == "ok"


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_redis_cache_and_sessions_when_redis_url_is_set(tmp_path):
    out = _settings(tmp_path, REDIS_URL="redis://127.0.0.1:6379/15", TASKS_BACKEND="immediate")
    assert out.returncode == 0, out.stderr
    backend, tasks, _health, session, value = out.stdout.split()
    assert backend == "django.core.cache.backends.redis.RedisCache" and value == "ok"
    assert session.endswith("cached_db") and tasks.endswith("ImmediateBackend")


@pytest.mark.parametrize(
    ("name", "value"), [("REDIS_URL", "127.0.0.1:6379"), ("TASKS_BACKEND", "celery")]
)
def test_a_typo_stops_the_program(tmp_path, name, value):
    out = _settings(tmp_path, **{name: value})
    assert out.returncode != 0 and f"{name}=" in out.stderr
