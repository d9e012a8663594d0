"""smartvillage import FILE [FILE …] --village UNIT [--dry-run] [--map "Header|B|Sheet!B=fact_key" …]"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from smartvillage.core.errors import DomainError
from smartvillage.transfer import importer
from smartvillage.units.services import resolve_unit


class Command(BaseCommand):
    help = (
        "Nhập hộ gia đình và nhân khẩu từ tệp XLSX/XLS/CSV (hoặc bản xuất của ODK/KoboToolbox) vào một thôn. "
        "Kiểm tra toàn bộ trước; có lỗi thì không ghi gì và thoát với mã khác 0."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "files",
            nargs="+",
            help="Tệp .xlsx, .xls hoặc .csv (bản xuất Kobo: tệp .xlsx có trang lặp)",
        )
        parser.add_argument("--village", required=True, help="Thôn: mã số (id) hoặc mã đơn vị")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar='"Tiêu đề=mã_trường"',
            help=(
                'Gán cột cho một trường: theo tiêu đề, vd. --map "Dùng app ngân hàng=epayment_account"; '
                'theo chữ cái của cột, "C=note" (cột C của mọi trang) hoặc "Nhân khẩu!C=note" '
                '(khi hai cột cùng tiêu đề); "…=" để bỏ qua cột'
            ),
        )
        parser.add_argument(
            "--user", help="Tên đăng nhập người nhập (kiểm tra quyền và ghi vào nhật ký)"
        )
        parser.add_argument(
            "--max-errors", type=int, default=200, help="Số lỗi in ra tối đa (mặc định 200)"
        )

    def handle(self, *args, **options) -> None:
        try:
            village = resolve_unit(options["village"])
            mapping = importer.parse_mapping(options["map"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"Không có người dùng “{options['user']}”.") from None
        paths = [Path(f) for f in options["files"]]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"Không tìm thấy tệp “{path}”.")
        try:
            report = importer.import_files(
                village, paths, user=user, dry_run=options["dry_run"], mapping=mapping
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except PermissionDenied:
            raise CommandError(f"“{user}” không có quyền sửa sổ hộ của {village}.") from None

        for layout in report.layouts:
            if layout.role == "ignored":
                self.stdout.write(f"Trang “{layout.name}”: bỏ qua (không có dòng tiêu đề)")
                continue
            role = "hộ gia đình" if layout.role == "households" else "nhân khẩu"
            self.stdout.write(
                f"Trang “{layout.name}”: {role}, tiêu đề ở dòng {layout.header_row}, {layout.data_rows} dòng dữ liệu; "
                + ", ".join(f"{c.letter}={c.field.key}" for c in layout.columns)
            )
        for warning in report.warnings[: options["max_errors"]]:
            self.stdout.write(self.style.WARNING(f"Cảnh báo: {warning.message()}"))
        if len(report.warnings) > options["max_errors"]:
            self.stdout.write(
                self.style.WARNING(
                    f"… và {len(report.warnings) - options['max_errors']} cảnh báo khác"
                )
            )
        if report.errors:
            for error in report.errors[: options["max_errors"]]:
                self.stderr.write(f"Lỗi: {error.message()}")
            if len(report.errors) > options["max_errors"]:
                self.stderr.write(f"… và {len(report.errors) - options['max_errors']} lỗi khác")
            raise CommandError(
                f"Có {len(report.errors)} lỗi; chưa ghi gì vào sổ của {village}.", returncode=2
            )
        prefix = "Kiểm tra (chưa ghi): " if options["dry_run"] else "Đã nhập: "
        self.stdout.write(self.style.SUCCESS(prefix + report.summary()))
        if report.event is not None:
            self.stdout.write(f"Nhật ký: lượt nhập #{report.event.pk}")
