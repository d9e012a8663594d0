"""smartvillage report KIND --unit UNIT --criteria-set SLUG [--at YYYY-MM-DD] [--assessment ID]
                       --format docx|pdf -o FILE

KIND: mau01 (Phú Thọ Mẫu số 01), criteria (criterion by criterion), commune (commune summary).
With --assessment the report is written from that assessment's frozen snapshot (latest version,
or --assessment-version N); otherwise it is computed live at --at (default today)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from smartvillage.core.errors import DomainError
from smartvillage.documents import reports


class Command(BaseCommand):
    help = "Xuất báo cáo chính thức (DOCX/PDF) của một đơn vị theo một bộ tiêu chí."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=reports.KINDS)
        parser.add_argument("--unit", required=True, help="mã đơn vị hoặc id")
        parser.add_argument("--criteria-set", required=True, dest="criteria_set")
        parser.add_argument("--at", help="ngày tham chiếu YYYY-MM-DD (mặc định: hôm nay)")
        parser.add_argument(
            "--assessment", type=int, help="id hồ sơ đánh giá: dùng số liệu đã chốt"
        )
        parser.add_argument(
            "--assessment-version",
            dest="assessment_version",
            type=int,
            help="phiên bản của hồ sơ (mặc định: mới nhất)",
        )
        parser.add_argument("--format", choices=reports.FORMATS, default="docx", dest="fmt")
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        from smartvillage.assessments.models import Assessment
        from smartvillage.criteria.loader import get_set
        from smartvillage.units.services import resolve_unit

        try:
            unit = resolve_unit(options["unit"])
            cset = get_set(options["criteria_set"])
            if options["assessment"]:
                assessment = (
                    Assessment.objects.select_related("unit")
                    .filter(pk=options["assessment"])
                    .first()
                )
                if assessment is None:
                    raise CommandError(f"Không có hồ sơ đánh giá số {options['assessment']}.")
                if assessment.unit_id != unit.pk or assessment.criteria_set_slug != cset.slug:
                    raise CommandError(
                        f"Hồ sơ số {assessment.pk} là của {assessment.unit.full_name}, bộ tiêu chí "
                        f"{assessment.criteria_set_slug}; không khớp --unit/--criteria-set."
                    )
                source = reports.source_for_assessment(assessment, options["assessment_version"])
            else:
                try:
                    at = (
                        dt.date.fromisoformat(options["at"])
                        if options["at"]
                        else timezone.localdate()
                    )
                except ValueError as exc:
                    raise CommandError(f"--at {options['at']}: cần ngày dạng YYYY-MM-DD.") from exc
                source = reports.source_live(unit, cset, at)
            data = reports.render_report(options["kind"], source, options["fmt"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        Path(options["output"]).write_bytes(data)
        self.stdout.write(f"{options['output']}: {len(data)} byte")
