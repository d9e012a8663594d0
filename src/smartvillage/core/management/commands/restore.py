"""smartvillage restore FILE --yes"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartvillage.core import backup
from smartvillage.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Khôi phục cơ sở dữ liệu và các tệp từ một bản sao lưu (smartvillage backup). Mọi dữ "
        "liệu hiện có bị thay bằng dữ liệu trong bản sao lưu; cần --yes để xác nhận."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="tệp .tar.gz do smartvillage backup tạo")
        parser.add_argument(
            "--yes", action="store_true", help="xác nhận thay toàn bộ dữ liệu hiện có"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không có tệp “{path}”.")
        try:
            manifest = backup.read_manifest(path)
            if not options["yes"]:
                raise CommandError(
                    f"Bản sao lưu lúc {manifest['created_at']} ({manifest['engine']}, "
                    f"{len(manifest['files'])} tệp) sẽ THAY TOÀN BỘ dữ liệu hiện có. "
                    "Chạy lại với --yes để xác nhận."
                )
            notes: list[str] = []
            backup.restore(path, notes)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Đã khôi phục bản sao lưu lúc {manifest['created_at']} "
            f"({len(manifest['files'])} tệp). Hãy khởi động lại máy chủ web."
        )
        for note in notes:  # where the media files are, when not restored from this backup
            self.stdout.write(self.style.WARNING(note))
