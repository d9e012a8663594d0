"""`smartvillage worker`: run background jobs (django-tasks' database worker) with our housekeeping:
tasks left running by a dead worker are retried or failed, the daily jobs are enqueued once a day
and old result files are deleted."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from smartvillage.jobs import services

log = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 60


def housekeeping(worker_id: str, schedule: bool = True) -> None:
    """One round: say this worker is alive, recover lost tasks, enqueue today's daily jobs,
    purge old result files."""
    try:
        services.beat(worker_id)
        services.recover_lost()
        if schedule:
            services.enqueue_due()
        services.purge_old_files()
    except Exception:  # a failed round must not stop the worker; the next round retries
        log.exception("worker housekeeping failed")
    finally:
        close_old_connections()


class Command(BaseCommand):
    help = (
        "Chạy các công việc nền (nhập tệp lớn, tạo văn bản, làm mới kết quả hằng ngày). "
        "Chạy ít nhất một tiến trình bên cạnh máy chủ web; “smartvillage demo” tự chạy một."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Số giây chờ giữa hai lần xem hàng đợi khi không có việc (mặc định 1).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Chạy hết các việc đang chờ rồi thoát (dùng cho cron hoặc kiểm thử).",
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="Thoát sau chừng này việc.")
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="Không tự xếp việc hằng ngày (làm mới kết quả) vào hàng đợi.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            self.stderr.write(
                "TASKS_BACKEND không phải “database”: các việc chạy ngay trong yêu cầu web, "
                "không cần tiến trình này."
            )
            return
        schedule = not options["no_schedule"]
        worker_id = services.make_worker_id()
        housekeeping(worker_id, schedule)
        worker = Worker(
            queue_names=["*"],
            interval=options["interval"],
            batch=options["batch"],
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not options["batch"],
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        if not options["batch"]:
            stop = threading.Event()

            def loop() -> None:
                while not stop.wait(HOUSEKEEPING_SECONDS):
                    housekeeping(worker_id, schedule)

            threading.Thread(target=loop, name="worker-housekeeping", daemon=True).start()
            worker.configure_signals()
            if options["verbosity"] >= 1:
                self.stdout.write(f"Đang chạy công việc nền (mã tiến trình {worker.worker_id}).")
        try:
            worker.run()
        finally:
            if not options["batch"]:
                stop.set()
                worker.reset_signals()
            services.forget(worker_id)
            close_old_connections()
