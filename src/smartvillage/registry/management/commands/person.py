"""`smartvillage person export --id N [-o FILE]` and `smartvillage person erase --id N --yes`:
a data subject's requests (Law 91/2025/QH15), run by a system admin from the command line."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartvillage.registry import services
from smartvillage.registry.models import Person


class _System:
    """The command line acts as the system (a deployment's operator), logged as such."""

    is_authenticated = True
    is_superuser = True
    username = "system"
    pk = None


class Command(BaseCommand):
    help = "Dữ liệu cá nhân của một người: xuất (export) hoặc xóa (erase) theo yêu cầu."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export")
        export.add_argument("--id", type=int, required=True)
        export.add_argument("-o", "--output")
        erase = sub.add_parser("erase")
        erase.add_argument("--id", type=int, required=True)
        erase.add_argument("--yes", action="store_true", help="xác nhận xóa")

    def handle(self, *args: Any, **options: Any) -> None:
        person = (
            Person.objects.select_related("household__village").filter(pk=options["id"]).first()
        )
        if person is None:
            raise CommandError(f"Không có nhân khẩu mã số {options['id']}", returncode=2)
        if options["action"] == "export":
            text = json.dumps(
                services.do_export_person_data(_System(), person), ensure_ascii=False, indent=2
            )
            if options.get("output"):
                with open(options["output"], "w", encoding="utf-8") as fh:
                    fh.write(text)
            else:
                self.stdout.write(text)
            return
        if not options["yes"]:
            raise CommandError(
                "Thêm --yes để xác nhận xóa vĩnh viễn dữ liệu của người này.", returncode=2
            )
        name = person.full_name
        services.do_erase_person(_System(), person)
        self.stdout.write(f"Đã xóa dữ liệu của {name}.")
