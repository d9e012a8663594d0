"""smartvillage backup [-o DIR_OR_FILE]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartvillage.core import backup
from smartvillage.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu và các tệp (minh chứng, tệp đang nhập, mẫu văn bản) vào một tệp "
        ".tar.gz. Bản sao lưu chứa dữ liệu cá nhân: cất giữ như chính cơ sở dữ liệu."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o",
            "--output",
            default=".",
            help="thư mục (tên tệp tự đặt theo ngày giờ) hoặc tên tệp .tar.gz; mặc định: thư mục hiện tại",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup.backup(Path(options["output"]))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        size = f"{result.size / (1024 * 1024):.1f}".replace(".", ",")
        self.stdout.write(
            f"Đã sao lưu vào {result.path} ({size} MB; cơ sở dữ liệu "
            f"{result.engine}, {result.files} tệp)."
        )
        for note in result.notes:  # e.g. media files in an object storage, not in the backup
            self.stdout.write(self.style.WARNING(note))
