"""`smartvillage results verify|rebuild|refresh|size [--unit U] [--at YYYY-MM-DD]`."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartvillage.core.errors import DomainError
from smartvillage.core.formats import format_number, parse_date_arg
from smartvillage.results import services
from smartvillage.units.models import AdminUnit
from smartvillage.units.services import resolve_unit


class Command(BaseCommand):
    help = "Kết quả đánh giá lưu sẵn: kiểm tra, đếm lại, làm mới theo ngày, dung lượng."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="đếm lại trực tiếp và so với số đã lưu")
        verify.add_argument("--unit", help="id hoặc mã đơn vị (mặc định: tất cả)")
        rebuild = sub.add_parser("rebuild", help="đếm lại và ghi đè số đã lưu")
        rebuild.add_argument("--unit", help="id hoặc mã đơn vị (mặc định: tất cả)")
        refresh = sub.add_parser(
            "refresh", help="đếm “hôm nay” cho mọi bộ tiêu chí (việc hằng ngày)"
        )
        refresh.add_argument("--at", help="ngày dd/mm/yyyy hoặc YYYY-MM-DD (mặc định: hôm nay)")
        sub.add_parser("size", help="số phạm vi, số dòng, số thôn đã lưu")

    def _unit(self, options: dict[str, Any]) -> AdminUnit | None:
        if not options.get("unit"):
            return None
        try:
            return resolve_unit(options["unit"])
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        start = time.perf_counter()
        if action == "verify":
            differences = services.verify(self._unit(options))
            for difference in differences:
                self.stdout.write(str(difference))
            if differences:
                raise CommandError(
                    f"{format_number(len(differences))} số đã lưu khác số đếm lại "
                    "(chạy “smartvillage results rebuild” để sửa).",
                    returncode=1,
                )
            self.stdout.write("Số đã lưu khớp với số đếm lại.")
        elif action == "rebuild":
            done = services.rebuild(self._unit(options))
            self.stdout.write(
                f"Đã đếm lại {format_number(done['villages'])} lượt thôn trong "
                f"{format_number(done['scopes'])} phạm vi ({time.perf_counter() - start:.1f} giây)."
            )
        elif action == "refresh":
            at = None
            if options.get("at"):
                try:
                    at = parse_date_arg(options["at"])
                except ValueError:
                    raise CommandError(
                        f"--at “{options['at']}”: cần ngày dạng dd/mm/yyyy hoặc YYYY-MM-DD",
                        returncode=2,
                    ) from None
            done = services.refresh_all(at)
            self.stdout.write(
                f"Đã làm mới {format_number(done['scopes'])} phạm vi, "
                f"{format_number(done['villages'])} lượt thôn; bỏ {format_number(done['dropped'])} "
                f"phạm vi không còn dùng ({time.perf_counter() - start:.1f} giây)."
            )
        else:
            size = services.size()
            self.stdout.write(
                f"{format_number(size['scopes'])} phạm vi, {format_number(size['rows'])} dòng, "
                f"{format_number(size['villages'])} thôn."
            )
