"""smartvillage plan export --plan ID --format docx|pdf -o FILE

Tasks past their deadline (neither done nor cancelled) are marked "(quá hạn)" in the document.
An unknown plan or an unwritable -o is a CommandError (exit status 1), not a traceback."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from smartvillage.core.errors import DomainError
from smartvillage.documents.output import check_output, write_output


class Command(BaseCommand):
    help = "Kế hoạch: xuất văn bản kế hoạch (DOCX/PDF)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="xuất kế hoạch ra tệp")
        export.add_argument("--plan", type=int, required=True)
        export.add_argument("--format", choices=("docx", "pdf"), default="docx", dest="fmt")
        export.add_argument("-o", "--output", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        from smartvillage.documents.plan_export import export_plan
        from smartvillage.plans.models import Plan
        from smartvillage.plans.services import plan_with_tasks

        output = check_output(options["output"])  # before touching the database or exporting
        if not Plan.objects.filter(pk=options["plan"]).exists():
            raise CommandError(f"Không có kế hoạch số {options['plan']}.")
        try:
            data = export_plan(plan_with_tasks(options["plan"]), options["fmt"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        write_output(output, data)
        self.stdout.write(f"{output}: {len(data)} byte")
