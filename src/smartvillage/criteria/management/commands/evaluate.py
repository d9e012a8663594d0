"""`smartvillage evaluate --unit UNIT --criteria-set SLUG [--at YYYY-MM-DD] [--format table|json]`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from smartvillage.core.errors import DomainError
from smartvillage.core.formats import format_number, format_percent, parse_date_arg
from smartvillage.criteria.engine import UnitResult, check_level, evaluate_with_children
from smartvillage.criteria.loader import check_references, get_set, load_file
from smartvillage.criteria.loader import registered_sets as all_registered
from smartvillage.units.models import Level
from smartvillage.units.services import resolve_unit

STATUS_VI = {
    "pass": "Đạt",
    "fail": "Chưa đạt",
    "no_data": "Chưa có số liệu",
    "monitor": "Không có mức đạt",
    "not_applicable": "Chưa áp dụng",
}


def _date(text: str) -> dt.date:
    try:
        return parse_date_arg(text)
    except ValueError:
        raise CommandError(
            f"--at “{text}”: cần ngày dạng dd/mm/yyyy hoặc YYYY-MM-DD", returncode=2
        ) from None


class Command(BaseCommand):
    help = "Đánh giá một đơn vị theo một bộ tiêu chí tại một ngày."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Our --version (of the criteria set) replaces Django's --version (of Django).
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="id hoặc mã đơn vị")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--criteria-set", help="slug của bộ tiêu chí")
        # A draft set evaluated on real data without publishing it (authoring preview on the CLI).
        source.add_argument(
            "--criteria-file", help="tệp YAML của bộ tiêu chí (xem trước, không công bố)"
        )
        parser.add_argument(
            "--version",
            dest="set_version",
            type=int,
            default=None,
            help="phiên bản (mặc định: mới nhất)",
        )
        parser.add_argument(
            "--at",
            default=None,
            help="ngày đánh giá dd/mm/yyyy hoặc YYYY-MM-DD (mặc định: hôm nay)",
        )
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        at = _date(options["at"]) if options["at"] else timezone.localdate()
        try:
            unit = resolve_unit(options["unit"])
            if options["criteria_file"]:
                cset = load_file(options["criteria_file"])
                known = {k: v for k, v in all_registered().items() if k[0] != cset.slug}
                check_references(cset, known)
            else:
                cset = get_set(options["criteria_set"], options["set_version"])
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        except OSError as exc:
            raise CommandError(
                f"{options['criteria_file']}: không đọc được tệp ({exc.strerror})", returncode=2
            ) from None
        try:
            check_level(unit, cset)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        # The unit and its children from one read of the villages' counts.
        result, children = evaluate_with_children(unit, cset, at)
        assert result is not None
        if options["format"] == "json":
            data = result.to_dict()
            if unit.level != Level.VILLAGE:
                data["children"] = [c.to_dict() for c in children]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self._table(result)
        for child in children:
            self.stdout.write("")
            self._table(child)

    def _table(self, result: UnitResult) -> None:
        cset = result.criteria_set
        self.stdout.write(
            f"{result.unit.full_name} ({result.unit.code}) — {cset.slug} v{cset.version} — ngày {result.at:%d/%m/%Y}"
        )
        self.stdout.write(
            f"{'Mã':<6} {'Kết quả':<16} {'Tử số':>9} {'Mẫu số':>9} {'Tỷ lệ':>8} {'Ngưỡng':>7} {'Thiếu':>7}  Tiêu chí"
        )
        for c in result.criteria:
            # Vietnamese number style, as in the documents: 85,5 %, 1.234.
            value = format_percent(c.value * 100) if c.value is not None else "-"
            threshold = (
                "-"
                if c.threshold is None
                else (
                    format_percent(c.threshold * 100, 0)
                    if c.kind in {"ratio", "reported", "aggregate"}
                    else format_number(c.threshold)
                )
            )
            num = "-" if c.numerator is None else format_number(c.numerator)
            den = "-" if c.denominator is None else format_number(c.denominator)
            gap = "-" if c.gap is None else format_number(c.gap)
            title = c.title if len(c.title) <= 70 else c.title[:67] + "..."
            self.stdout.write(
                f"{c.code:<6} {STATUS_VI[c.status]:<16} {num:>9} {den:>9} {value:>8} {threshold:>7} {gap:>7}  {title}"
            )
        self.stdout.write(
            f"Kết luận: {'ĐẠT' if result.passed else 'CHƯA ĐẠT'} ({result.passed_count}/{result.applicable_count} tiêu chí đạt)"
        )
        for warning in result.warnings:
            self.stdout.write(f"Lưu ý: {warning}")
