"""smartvillage report KIND --unit UNIT --criteria-set SLUG [--at YYYY-MM-DD] [--assessment ID]
                       [--assessment-version N] --format docx|pdf -o FILE

KIND: mau01 (Phú Thọ Mẫu số 01), criteria (criterion by criterion), commune (commune summary).
With --assessment the report is written from that assessment's frozen snapshot (latest version,
or --assessment-version N) at the assessment's own reference date, so --at is refused with it;
otherwise it is computed live at --at (default today).

A report that does not fit the unit or the set (mau01 for a commune or for another province's
set, criteria with a set of the other level, commune for a village) is refused with exit status 2,
as are conflicting options; other failures (unknown unit or set, an unwritable -o) exit with 1.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from smartvillage.core.errors import DomainError
from smartvillage.core.formats import parse_date_arg
from smartvillage.documents import reports
from smartvillage.documents.output import check_output, write_output

USAGE_ERROR = 2


class Command(BaseCommand):
    help = "Xuất báo cáo chính thức (DOCX/PDF) của một đơn vị theo một bộ tiêu chí."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=reports.KINDS)
        parser.add_argument("--unit", required=True, help="mã đơn vị hoặc id")
        parser.add_argument("--criteria-set", required=True, dest="criteria_set")
        parser.add_argument(
            "--at",
            help="ngày tham chiếu dd/mm/yyyy hoặc YYYY-MM-DD (mặc định: hôm nay); "
            "không dùng cùng --assessment",
        )
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

        kind = options["kind"]
        if options["assessment"] and options["at"]:
            raise CommandError(
                "Không dùng --at cùng --assessment: báo cáo từ hồ sơ đã nộp dùng ngày tham chiếu "
                "của hồ sơ. Bỏ --at, hoặc bỏ --assessment để tính trực tiếp tại ngày --at.",
                returncode=USAGE_ERROR,
            )
        if options["assessment_version"] and not options["assessment"]:
            raise CommandError(
                "--assessment-version cần đi cùng --assessment.", returncode=USAGE_ERROR
            )
        output = check_output(options["output"])
        assessment = None
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
                        f"{assessment.criteria_set_slug}; không khớp --unit/--criteria-set.",
                        returncode=USAGE_ERROR,
                    )
            else:
                try:
                    at = parse_date_arg(options["at"]) if options["at"] else timezone.localdate()
                except ValueError as exc:
                    raise CommandError(
                        f"--at {options['at']}: cần ngày dạng dd/mm/yyyy hoặc YYYY-MM-DD.",
                        returncode=USAGE_ERROR,
                    ) from exc
            # Refuse a report that does not fit before computing anything.
            reports.check_suitable(kind, unit.level, unit.full_name, cset)
            if assessment is not None:
                source = reports.source_for_assessment(assessment, options["assessment_version"])
            else:
                source = reports.source_live(unit, cset, at)
            data = reports.render_report(kind, source, options["fmt"])
        except DomainError as exc:
            code = USAGE_ERROR if exc.code == "report_unsuitable" else 1
            raise CommandError(exc.message, returncode=code) from exc
        write_output(output, data)
        if reports.person_lists(kind, source.data):
            self._audit(kind, unit, assessment, source, options)
        self.stdout.write(f"{output}: {len(data)} byte")

    def _audit(self, kind: str, unit: Any, assessment: Any, source: Any, options: Any) -> None:
        """A report with person lists written from the command line is on record too."""
        from smartvillage.audit import services as audit
        from smartvillage.audit.models import AuditAction

        what = (
            f"hồ sơ số {assessment.pk}" if assessment is not None else "số liệu trực tiếp"
        ) + f", tệp {options['output']}"
        audit.record(
            actor=None,
            action=AuditAction.EXPORT,
            instance=assessment,
            unit=unit,
            object_type=None if assessment is not None else "report",
            object_repr=f"{reports.KIND_LABELS[kind]} – {unit.full_name}",
            note=f"Dòng lệnh: {reports.KIND_LABELS[kind]} ({options['fmt'].upper()}), {what}: "
            f"{reports.person_lists_note(kind, source.data)}",
        )
