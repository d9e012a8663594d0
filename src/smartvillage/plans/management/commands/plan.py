"""smartvillage plan export --plan ID --format docx|pdf -o FILE"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from smartvillage.core.errors import DomainError


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

        if not Plan.objects.filter(pk=options["plan"]).exists():
            raise CommandError(f"Không có kế hoạch số {options['plan']}.")
        try:
            data = export_plan(plan_with_tasks(options["plan"]), options["fmt"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        Path(options["output"]).write_bytes(data)
        self.stdout.write(f"{options['output']}: {len(data)} byte")
