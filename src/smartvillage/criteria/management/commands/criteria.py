"""`smartvillage criteria list [--format json]` and `smartvillage criteria check FILE`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartvillage.core.errors import DomainError
from smartvillage.criteria.loader import all_sets, load_file


class Command(BaseCommand):
    help = "Bộ tiêu chí: liệt kê (list) hoặc kiểm tra một tệp YAML (check)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Liệt kê các bộ tiêu chí")
        listing.add_argument("--format", choices=["table", "json"], default="table")
        listing.add_argument("--all-versions", action="store_true")
        check = sub.add_parser("check", help="Kiểm tra một tệp bộ tiêu chí")
        check.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "check":
                cset = load_file(options["file"])
                self.stdout.write(f"OK: {cset.slug} v{cset.version}, {len(cset.criteria)} tiêu chí")
                return
            sets = all_sets(latest_only=not options["all_versions"])
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps([s.summary() for s in sets], ensure_ascii=False, indent=2))
            return
        for s in sets:
            validity = (
                f"{s.valid_from:%d/%m/%Y} – {s.valid_to:%d/%m/%Y}"
                if s.valid_to
                else f"từ {s.valid_from:%d/%m/%Y}"
            )
            self.stdout.write(
                f"{s.slug} (v{s.version}, cấp {'thôn' if s.level == 'village' else 'xã'}, {len(s.criteria)} tiêu chí)\n"
                f"    {s.title}\n    Căn cứ: {s.legal_basis}; hiệu lực {validity}"
            )
