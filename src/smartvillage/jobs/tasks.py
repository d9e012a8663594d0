"""The tasks the worker runs. Each takes plain JSON arguments (ids, ISO dates)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from smartvillage.jobs import services


@task()
def run_job_task(job_id: str) -> str:
    return services.run_job(job_id)


services.when_lost(run_job_task)(services.job_lost)


@task()
def refresh_results_daily(day: str) -> Any:
    """Recount the results store for `day` (working age moves with the calendar). Idempotent:
    a recount writes the same rows however often it runs."""
    try:
        from smartvillage.results.services import refresh_all
    except ImportError:
        return {"skipped": "no results store in this build"}
    result = refresh_all(dt.date.fromisoformat(day))
    return result if isinstance(result, dict | list | int | str | None) else str(result)
