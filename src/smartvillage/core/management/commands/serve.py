"""`smartvillage serve`: the production web server (gunicorn) with sane defaults.

Workers default to 2 × cores + 1 (gunicorn's rule for a mostly database-bound app), capped; each
worker is a process, so a slow page holds one worker, not the server. Requests longer than the
timeout are killed (long work belongs in `smartvillage worker`); workers are recycled after
MAX_REQUESTS requests (jittered) so a slow leak never accumulates. The access log goes to
standard output. Static files are served by WhiteNoise from the same process.
"""

from __future__ import annotations

import gc
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartvillage.core.env import envint

DEFAULT_ADDRPORT = "127.0.0.1:8000"
MAX_WORKERS = 16


def default_workers() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2 * (cores or 1) + 1, MAX_WORKERS)


def bind_address(addrport: str) -> str:
    """ "8000", ":8000", "0.0.0.0:8000", "[::1]:8000" or "unix:/run/sv.sock" → gunicorn's bind."""
    addrport = addrport.strip()
    if addrport.startswith("unix:"):
        return addrport
    if addrport.isdigit():
        return f"127.0.0.1:{addrport}"
    if addrport.startswith(":"):
        return f"127.0.0.1{addrport}"
    host, sep, port = addrport.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise CommandError(f"Địa chỉ “{addrport}” không hợp lệ; ví dụ 127.0.0.1:8000 hoặc 8000.")
    return addrport


def gunicorn_options(addrport: str, workers: int, threads: int, timeout: int) -> dict[str, Any]:
    options: dict[str, Any] = {
        "bind": [bind_address(addrport)],
        "workers": workers,
        "worker_class": "gthread" if threads > 1 else "sync",
        "threads": threads,
        "timeout": timeout,
        "graceful_timeout": 30,
        "keepalive": 5,
        "max_requests": envint("SERVE_MAX_REQUESTS", 5000),
        "max_requests_jitter": 500,
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
        # Load the app once in the master: workers share its memory pages and start at once.
        "preload_app": True,
        "proc_name": "smartvillage",
        "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "pre_fork": _freeze_heap,
        # gunicorn ≥ 24's runtime control socket: unused, and two servers would share its path.
        "control_socket_disable": True,
    }
    return options


def _freeze_heap(server: Any, worker: Any) -> None:
    # Objects loaded before the fork (Django, the URL map, criteria sets) are never collected:
    # gc.freeze() keeps the collector from touching (and so copying) their pages in each worker.
    gc.freeze()


class Command(BaseCommand):
    help = (
        "Chạy ứng dụng bằng máy chủ web dùng cho vận hành thật (gunicorn, nhiều tiến trình). "
        "Chạy thêm “smartvillage worker” cho các việc nền."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--addrport",
            default=os.environ.get("SERVE_ADDRPORT", DEFAULT_ADDRPORT),
            help=f"Địa chỉ:cổng để lắng nghe (mặc định {DEFAULT_ADDRPORT}; biến SERVE_ADDRPORT).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=envint("WEB_CONCURRENCY", default_workers()),
            help="Số tiến trình phục vụ (mặc định 2 × số lõi + 1; biến WEB_CONCURRENCY).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=envint("SERVE_THREADS", 1),
            help="Số luồng mỗi tiến trình (mặc định 1; biến SERVE_THREADS).",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=envint("SERVE_TIMEOUT", 60),
            help="Giây tối đa cho một yêu cầu trước khi tiến trình bị khởi động lại (mặc định 60).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        if options["workers"] < 1 or options["threads"] < 1 or options["timeout"] < 1:
            raise CommandError("--workers, --threads và --timeout phải lớn hơn 0.")
        if settings.DEBUG:
            self.stderr.write(
                "Cảnh báo: DEBUG đang bật. Khi vận hành thật hãy đặt DEBUG=false, SECRET_KEY và "
                "ALLOWED_HOSTS."
            )
        config = gunicorn_options(
            options["addrport"], options["workers"], options["threads"], options["timeout"]
        )

        class Application(BaseApplication):
            def load_config(self) -> None:
                for key, value in config.items():
                    if key in self.cfg.settings:  # older gunicorn lacks the newer settings
                        self.cfg.set(key, value)

            def load(self) -> Any:
                from smartvillage.wsgi import application

                return application

        self.stdout.write(
            f"Phục vụ tại {config['bind'][0]} với {options['workers']} tiến trình. Dừng: Ctrl+C."
        )
        Application().run()
