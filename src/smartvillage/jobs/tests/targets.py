"""Job targets for the tests (a job's target is a dotted path the worker imports)."""

from __future__ import annotations

import time

from django.db import transaction
from django_tasks import task

from smartvillage.core.errors import DomainError
from smartvillage.jobs.models import ScheduledRun
from smartvillage.jobs.services import JobOutput


def make_text(job, progress) -> JobOutput:
    for i in range(3):
        progress("Đang viết", i + 1, 3)
    return JobOutput(
        data=f"xin chào {job.params['name']}".encode(),
        file_name="loi-chao.txt",
        content_type="text/plain; charset=utf-8",
    )


def refuse(job, progress) -> JobOutput:
    raise DomainError("Đơn vị không có số liệu.")


def crash(job, progress) -> JobOutput:
    raise RuntimeError("bug")


def write_then_sleep(job, progress) -> JobOutput:
    """One transaction that writes a row; on the first attempt it stops inside it (the test kills
    the worker there), so the row must not survive."""
    progress("Đang ghi", 0, 1)
    with transaction.atomic():
        ScheduledRun.objects.create(name=f"test-{job.pk}", day="2026-01-01")
        if job.attempts <= 1 and job.params.get("sleep"):
            time.sleep(120)
    return JobOutput(message="Đã ghi.")


@task()
def noop(n: int) -> int:
    """For measuring the queue itself (bench notes in docs/scaling.md)."""
    return n
