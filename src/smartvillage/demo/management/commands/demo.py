"""`smartvillage demo`: migrate, load units, create the seed villages with generated data and demo
users, print the logins, then serve the app on http://127.0.0.1:8000 with one background worker
beside it (unless --no-serve)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartvillage.core.errors import DomainError
from smartvillage.demo import demo

DEFAULT_ADDRPORT = "127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu mẫu (5 thôn của các văn bản gốc, hộ, nhân khẩu, minh chứng, người dùng theo vai trò) "
        "rồi chạy ứng dụng tại http://127.0.0.1:8000. Chạy lại không tạo trùng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="Chỉ tạo dữ liệu, không chạy máy chủ web."
        )
        parser.add_argument(
            "--addrport",
            default=DEFAULT_ADDRPORT,
            help=f"Địa chỉ:cổng của máy chủ (mặc định {DEFAULT_ADDRPORT}).",
        )
        parser.add_argument(
            "--units",
            choices=demo.UNIT_SCOPES,
            default="all",
            help="Nạp danh mục đơn vị hành chính: cả nước (all, mặc định), chỉ 5 tỉnh của dữ liệu mẫu (demo), không nạp (none).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        self.stdout.write("1/4 Cập nhật cơ sở dữ liệu (migrate)…")
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        what = {"all": "cả nước", "demo": "5 tỉnh của dữ liệu mẫu", "none": "bỏ qua"}[
            options["units"]
        ]
        self.stdout.write(f"2/4 Nạp danh mục đơn vị hành chính ({what}) và tạo dữ liệu mẫu…")
        try:
            result = demo.build_demo(units=options["units"])
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("3/4 Thôn mẫu:")
        for s in result.villages:
            state = "mới tạo" if s.created else "đã có, giữ nguyên"
            self.stdout.write(
                f"    {s.village.full_name}, {s.commune.full_name}: {_n(s.households)} hộ, {_n(s.persons)} nhân khẩu ({state})"
            )
        self.stdout.write(f"    Minh chứng mới: {result.evidence_created}")
        self.stdout.write(
            f"    Thời gian: danh mục đơn vị {_s(result.units_seconds)}, dữ liệu mẫu {_s(result.seconds)}"
        )
        self.stdout.write(f"4/4 Tài khoản dùng thử (mật khẩu chung: {demo.PASSWORD}):")
        self.stdout.write(_table(result.logins))
        addrport = options["addrport"]
        url = f"http://{addrport if ':' in addrport else '127.0.0.1:' + addrport}/"
        if result.public_path:
            self.stdout.write(f"Trang công khai: {url.rstrip('/')}{result.public_path}")
        if options["no_serve"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Xong. Chạy “smartvillage demo” (không có --no-serve) để mở {url}"
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(f"Mở {url} và đăng nhập bằng một tài khoản ở trên. Dừng: Ctrl+C.")
        )
        # Background jobs (large imports, documents, the daily refresh) need a worker beside the
        # server: one child process, stopped when the server stops.
        from smartvillage.jobs.process import start_worker, stop_worker

        worker = start_worker()
        try:
            # No autoreloader: it would re-run this whole command in a child process.
            call_command("runserver", addrport, use_reloader=False)
        finally:
            stop_worker(worker)


def _n(value: int) -> str:
    """1.234 (Vietnamese thousands separator)."""
    return f"{value:,}".replace(",", ".")


def _s(seconds: float) -> str:
    return f"{seconds:.1f}".replace(".", ",") + " giây"


def _table(logins: list[demo.Login]) -> str:
    headers = ("Tên đăng nhập", "Vai trò", "Đơn vị", "Mật khẩu")
    rows = [(x.username, x.role, x.unit, x.password) for x in logins]
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(4)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [
        line,
        "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |",
        line,
    ]
    out += [
        "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
        for r in rows
    ]
    out.append(line)
    return "\n".join(out)
