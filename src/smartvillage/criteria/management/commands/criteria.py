"""`smartvillage criteria list [--format json]` and `smartvillage criteria check FILE`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartvillage.core.errors import DomainError
from smartvillage.core.formats import format_percent
from smartvillage.criteria.loader import CriteriaSet, Criterion, all_sets, load_file

KIND_VI = {
    "ratio": "tỷ lệ",
    "count": "đếm",
    "evidence": "minh chứng",
    "aggregate": "tổng hợp các thôn",
    "prerequisite": "điều kiện tiên quyết",
    "reported": "số liệu báo cáo",
}
POPULATION_VI = {
    "households": "hộ gia đình",
    "persons": "nhân khẩu",
    "working_age": "người trong độ tuổi lao động",
    "adults": "người trưởng thành",
}


def _validity(s: CriteriaSet) -> str:
    if s.valid_to:
        return f"{s.valid_from:%d/%m/%Y} – {s.valid_to:%d/%m/%Y}"
    return f"từ {s.valid_from:%d/%m/%Y}"


def describe_criterion(c: Criterion) -> str:
    """One line of `criteria check`: code, kind, what is counted and the level to reach."""
    parts = [KIND_VI.get(c.kind, c.kind)]
    if c.kind == "ratio":
        population = POPULATION_VI.get(c.population or "", c.population or "")
        if c.population_filter:
            population += f" có {c.population_filter}"
        parts.append(f"{c.numerator} / {population}")
    if c.threshold is not None:
        parts.append("≥ " + format_percent(c.threshold * 100, 0))
    for _node, threshold, when in c.threshold_rules:
        parts.append(f"{when}: ≥ {format_percent(threshold * 100, 0)}")
    if c.kind == "count":
        reqs = c.count if isinstance(c.count, list) else [c.count or {}]
        types = [
            t for r in reqs for t in ([r["type"]] if isinstance(r["type"], str) else r["type"])
        ]
        parts.append(f"≥ {c.minimum} {', '.join(types)}")
    if c.applies_from:
        parts.append(f"từ {c.applies_from:%d/%m/%Y}")
    return f"  {c.code:<6} {c.title[:70]} [{'; '.join(parts)}]"


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
                self._check(options["file"])
                return
            sets = all_sets(latest_only=not options["all_versions"])
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps([s.summary() for s in sets], ensure_ascii=False, indent=2))
            return
        for s in sets:
            self.stdout.write(
                f"{s.slug} (v{s.version}, cấp {'thôn' if s.level == 'village' else 'xã'}, {len(s.criteria)} tiêu chí)\n"
                f"    {s.title}\n    Căn cứ: {s.legal_basis}; hiệu lực {_validity(s)}"
            )

    def _check(self, path: str) -> None:
        try:
            cset = load_file(path)
        except OSError as exc:
            raise CommandError(
                f"{path}: không đọc được tệp ({exc.strerror})", returncode=2
            ) from None
        out = self.stdout.write
        out(f"OK: {cset.slug} v{cset.version}, {len(cset.criteria)} tiêu chí")
        out(f"{cset.title}")
        out(f"Cấp: {'thôn' if cset.level == 'village' else 'xã'}; tỉnh: {cset.province or '-'}")
        out(f"Căn cứ: {cset.legal_basis}; hiệu lực {_validity(cset)}")
        if cset.guidance:
            out(f"Hướng dẫn: {cset.guidance}")
        for group in cset.groups:
            out(f"Nhóm {group.code} {group.title}".rstrip())
            for c in group.criteria:
                out(describe_criterion(c))
