"""smartvillage export list|template|xlsform …"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartvillage.core.errors import DomainError
from smartvillage.core.formats import parse_date_arg
from smartvillage.transfer import forms_xlsx, lists
from smartvillage.units.models import Level
from smartvillage.units.services import resolve_unit


class Command(BaseCommand):
    help = "Xuất danh sách (Biểu 01–04 …), mẫu nhập liệu XLSX của thôn, hoặc XLSForm khảo sát hộ cho ODK/Kobo."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True, parser_class=CommandParser)
        p = sub.add_parser(
            "list", help="Danh sách của một tiêu chí tỷ lệ (vd. Biểu 01 của bộ Phú Thọ)"
        )
        p.add_argument("--village", required=True, help="Thôn (hoặc xã): mã số hoặc mã đơn vị")
        p.add_argument("--criteria-set", required=True, help="Mã (slug) bộ tiêu chí")
        p.add_argument("--criterion", required=True, help="Mã tiêu chí, vd. 1.1")
        p.add_argument("--format", choices=["xlsx", "docx"], default="xlsx")
        p.add_argument("--at", help="Ngày tính (dd/mm/yyyy hoặc YYYY-MM-DD), mặc định hôm nay")
        p.add_argument("--version", type=int, help="Phiên bản bộ tiêu chí (mặc định mới nhất)")
        p.add_argument("--user", help="Tên đăng nhập (kiểm tra quyền và ghi nhật ký)")
        p.add_argument("-o", "--output", required=True)
        p = sub.add_parser("template", help="Mẫu nhập liệu XLSX của một thôn")
        p.add_argument("--village", required=True)
        p.add_argument(
            "--with-registry",
            action="store_true",
            help="điền sẵn hộ, nhân khẩu hiện có (để sửa rồi nhập lại; dữ liệu cá nhân, có ghi nhật ký)",
        )
        p.add_argument("--user", help="Tên đăng nhập (kiểm tra quyền và ghi nhật ký)")
        p.add_argument("-o", "--output", required=True)
        p = sub.add_parser("xlsform", help="XLSForm khảo sát hộ gia đình (ODK/KoboToolbox)")
        p.add_argument("-o", "--output", required=True)

    def handle(self, *args, **options) -> None:
        output = Path(options["output"])
        try:
            if options["what"] == "xlsform":
                content = forms_xlsx.xlsform_xlsx()
            elif options["what"] == "template":
                village = resolve_unit(options["village"])
                if village.level != Level.VILLAGE:
                    raise CommandError(f"“{village}” không phải thôn.")
                content = (
                    forms_xlsx.export_registry(self._user(options), village)
                    if options["with_registry"]
                    else forms_xlsx.template_xlsx(village)
                )
            else:
                content = self._list(options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except PermissionDenied:
            raise CommandError(
                "Người dùng không có quyền xuất danh sách cá nhân của đơn vị này."
            ) from None
        output.write_bytes(content)
        self.stdout.write(
            self.style.SUCCESS(f"Đã ghi {output} ({len(content):,} byte)".replace(",", "."))
        )

    def _user(self, options: dict) -> Any:
        if not options.get("user"):
            return None
        try:
            return get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"Không có người dùng “{options['user']}”.") from None

    def _list(self, options: dict) -> bytes:
        unit = resolve_unit(options["village"])
        at: dt.date | None = None
        if options.get("at"):
            try:
                at = parse_date_arg(options["at"])
            except ValueError:
                raise CommandError(f"Ngày “{options['at']}” không hợp lệ (dd/mm/yyyy).") from None
        user = self._user(options)
        content, name, _ctype = lists.export_list(
            user,
            unit,
            options["criteria_set"],
            options["criterion"],
            options["format"],
            at,
            options.get("version"),
        )
        self.stdout.write(f"{name}")
        return content
