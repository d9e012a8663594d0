"""`dumpdata` that will not hand out personal data unnoticed (issue #11, audit).

Django's own command, with one guard: a dump that includes tables with personal data (the
registry, the audit trail, import files, frozen assessments, accounts, surveys, sessions) is
refused in production (DEBUG=false) unless `--allow-personal-data` is given; when it runs, the
export is written to the audit trail with how many persons and households it held.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.core.management.commands import dumpdata

from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction

# App labels whose tables hold data about identifiable people.
PERSONAL_APPS = frozenset(
    {
        "registry",
        "audit",
        "transfer",
        "assessments",
        "accounts",
        "auth",
        "surveys",
        "sessions",
        "axes",
        "jobs",
        "django_tasks_database",
    }
)


def personal_labels(app_labels: list[str], excluded: list[str]) -> list[str]:
    """The personal apps a dump of `app_labels` (all when empty) minus `excluded` would hold."""
    wanted = {label.split(".")[0] for label in app_labels} or {
        config.label for config in apps.get_app_configs()
    }
    dropped = {label for label in excluded if "." not in label}
    return sorted((wanted & PERSONAL_APPS) - dropped)


class Command(dumpdata.Command):
    help = dumpdata.Command.help + (
        " Tables with personal data need --allow-personal-data in production (DEBUG=false);"
        " such a dump is recorded in the audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--allow-personal-data",
            action="store_true",
            help="Cho phép xuất các bảng có dữ liệu cá nhân (được ghi vào nhật ký).",
        )

    def handle(self, *app_labels: str, **options: Any) -> None:
        personal = personal_labels(list(app_labels), list(options.get("exclude") or []))
        if personal and not settings.DEBUG and not options.get("allow_personal_data"):
            raise CommandError(
                "Lệnh dumpdata sẽ xuất dữ liệu cá nhân (ứng dụng: "
                + ", ".join(personal)
                + "). Trên máy chủ thật (DEBUG=false) cần thêm --allow-personal-data; "
                "lần xuất sẽ được ghi vào nhật ký. Sao lưu: dùng `smartvillage backup`."
            )
        super().handle(*app_labels, **options)
        if personal:
            self._record(personal, list(app_labels))

    def _record(self, personal: list[str], app_labels: list[str]) -> None:
        from smartvillage.registry.models import Household, Person

        whole_registry = "registry" in personal
        persons = Person.objects.count() if whole_registry else 0
        households = Household.objects.count() if whole_registry else 0
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "?"
        audit.record(
            actor=None,
            action=AuditAction.EXPORT,
            object_type="dumpdata",
            object_repr=("dumpdata " + " ".join(app_labels or ["(tất cả)"]))[:200],
            note=(
                f"Dòng lệnh, người dùng hệ điều hành {who}: xuất {', '.join(personal)}; "
                f"{persons} nhân khẩu, {households} hộ"
            ),
            count=persons,
        )
