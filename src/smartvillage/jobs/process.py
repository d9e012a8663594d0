"""Start and stop a `smartvillage worker` process beside a server (the demo does)."""

from __future__ import annotations

import signal
import subprocess
import sys

from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend


def start_worker() -> subprocess.Popen | None:
    """A worker child process with this process's environment (same database, same data dir);
    None when jobs run inside the request (TASKS_BACKEND=immediate) and need no worker."""
    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        return None
    # A SIGTERM to the server (systemd, docker stop) unwinds like Ctrl+C, so the caller's
    # `finally: stop_worker(...)` runs and no orphaned worker is left behind.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    return subprocess.Popen(
        [sys.executable, "-m", "smartvillage.cli", "worker", "--verbosity", "0"]
    )


def stop_worker(process: subprocess.Popen | None, wait_seconds: float = 15) -> None:
    """Ask the worker to finish its current job and exit; kill it if it does not in time (its
    job's transaction is then rolled back and the next worker retries it)."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(wait_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
