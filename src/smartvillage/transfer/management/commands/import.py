"""smartvillage import FILE [FILE …] --village UNIT [--dry-run] [--map "Header|B|Sheet!B=key" …]
[--skip-column "Sheet!B" …] [--accept-proposed] [--partial [--rejected-dir DIR]]"""

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
            "--skip-column",
            action="append",
            default=[],
            metavar='"Trang!B"',
            help=(
                "Bỏ qua một cột mà chương trình hỏi (theo tiêu đề, chữ cái hoặc Trang!chữ cái); "
                'giống --map "Trang!B="'
            ),
        )
        parser.add_argument(
            "--accept-proposed",
            action="store_true",
            help="Chấp nhận các cột được đề xuất (độ tin cậy vừa) mà không cần --map từng cột",
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help=(
                "Ghi các hộ hợp lệ, bỏ các hộ có lỗi và ghi các dòng của chúng ra tệp XLSX có "
                "cột “Lỗi” để sửa rồi nhập lại (mặc định: có lỗi thì không ghi gì)"
            ),
        )
        parser.add_argument(
            "--rejected-dir",
            help="Thư mục để ghi tệp các dòng lỗi của --partial (mặc định: thư mục dữ liệu)",
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
            for ref in options["skip_column"]:
                mapping[ref.strip()] = ""
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
                village,
                paths,
                user=user,
                dry_run=options["dry_run"],
                mapping=mapping,
                partial=options["partial"],
                accept_proposed=options["accept_proposed"],
                rejected_dir=Path(options["rejected_dir"]) if options["rejected_dir"] else None,
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
        for skipped in report.skipped_rows[: options["max_errors"]]:
            self.stdout.write(
                f"Bỏ qua: trang “{skipped['sheet']}”, dòng {skipped['row']}: {skipped['reason']} "
                f"(“{skipped['text'][:60]}”)"
            )
        open_columns = self._open_columns(report, options["accept_proposed"])
        if report.errors and not (options["partial"] and report.applied):
            for error in report.errors[: options["max_errors"]]:
                self.stderr.write(f"Lỗi: {error.message()}")
            if len(report.errors) > options["max_errors"]:
                self.stderr.write(f"… và {len(report.errors) - options['max_errors']} lỗi khác")
            raise CommandError(
                f"Có {len(report.errors)} lỗi; chưa ghi gì vào sổ của {village}"
                + (" (--partial ghi các hộ hợp lệ)." if not options["partial"] else "."),
                returncode=2,
            )
        if open_columns:
            raise CommandError(
                f"Có {open_columns} cột cần chọn trường (xem trên); chưa ghi gì vào sổ của "
                f"{village}.",
                returncode=3,
            )
        prefix = "Kiểm tra (chưa ghi): " if options["dry_run"] else "Đã nhập: "
        self.stdout.write(self.style.SUCCESS(prefix + report.summary()))
        if report.rejected_path:
            self.stdout.write(
                self.style.WARNING(
                    f"{report.rejected_households} hộ có lỗi chưa ghi ({report.rejected} dòng); "
                    f"sửa tệp “{report.rejected_path}” (cột “Lỗi”) rồi nhập lại."
                )
            )
        if report.event is not None:
            self.stdout.write(f"Nhật ký: lượt nhập #{report.event.pk}")

    def _open_columns(self, report: importer.ImportReport, accept_proposed: bool) -> int:
        """Print the columns that wait for a choice, each with the --map that resolves it."""
        waiting = list(report.questions)
        if not accept_proposed:
            waiting += report.proposed
        for item in waiting:
            ref = f"{item['sheet']}!{item['column']}"
            samples = ", ".join(f"“{s}”" for s in item["samples"][:5])
            best = item.get("field") or (
                item["candidates"][0]["field"] if item["candidates"] else "mã_trường"
            )
            self.stderr.write(
                f"Cột {ref} “{item['header']}”: {item['reason']}"
                + (f"; mẫu: {samples}" if samples else "")
            )
            for candidate in item["candidates"]:
                self.stderr.write(
                    f"    gợi ý: {candidate['label']} ({candidate['field']}, {candidate['score']})"
                )
            self.stderr.write(f'    --map "{ref}={best}"   hoặc   --skip-column "{ref}"')
        return len(waiting)
