"""`smartvillage units load|list|add-village` — the unit tree from the command line.

Scripts depend on this interface: options and the JSON shapes below are kept stable.

    units load [--only-provinces 30,38] [--format json]
    units list [--parent UNIT] [--level province|district|commune|village] [--scheme S] [--format json]
        JSON: [{"id","code","name","full_name","level","type","scheme","parent_id","parent_code",
                "current_commune"}]
        current_commune: the commune of the current (01/07/2025) scheme the unit lies in,
        {"id","code","name","full_name"}, or null above commune level / when not mapped.
    units add-village --commune UNIT --name NAME [--type thôn|ấp|xóm|bản|khu dân cư|tổ dân phố]
                      [--format json]
        JSON: {"id","code","name","type","commune_id","commune_code","created"}

UNIT is an id or an official code (see units.services.resolve_unit: "id:123", "pre2025:11125").
Errors print a Vietnamese message on stderr and exit with code 2.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.core.errors import DomainError
from smartvillage.units.loader import load_units
from smartvillage.units.models import AdminUnit, Level, Scheme, current_communes
from smartvillage.units.services import do_add_village, resolve_unit

LEVEL_NAMES = {
    "pre2025:province": "tỉnh (trước 2025)",
    "pre2025:district": "huyện (trước 2025)",
    "pre2025:commune": "xã (trước 2025)",
    "2025:province": "tỉnh (từ 01/07/2025)",
    "2025:commune": "xã (từ 01/07/2025)",
}


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _unit_ref(unit: AdminUnit | None) -> dict[str, Any] | None:
    if unit is None:
        return None
    return {"id": unit.pk, "code": unit.code, "name": unit.name, "full_name": unit.full_name}


class Command(BaseCommand):
    help = "Đơn vị hành chính: nạp danh mục chính thức, liệt kê, thêm thôn."
    # Scripts call this many times; it needs the database only, not the URL/template checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{load,list,add-village}"
        )

        load = sub.add_parser(
            "load", help="Nạp/cập nhật tỉnh, huyện, xã chính thức (chạy lại an toàn)."
        )
        load.add_argument(
            "--only-provinces",
            metavar="MÃ,MÃ",
            help="Chỉ nạp các tỉnh có mã này (mã trước 2025, kèm tỉnh mới sau sáp nhập; "
            "hoặc mã tỉnh từ 2025), ví dụ 30,38.",
        )
        load.add_argument("--format", choices=["text", "json"], default="text")

        lst = sub.add_parser("list", help="Liệt kê đơn vị.")
        lst.add_argument("--parent", metavar="UNIT", help="id hoặc mã của đơn vị cha.")
        lst.add_argument("--level", choices=[c.value for c in Level])
        lst.add_argument("--scheme", choices=[c.value for c in Scheme])
        lst.add_argument("--format", choices=["text", "json"], default="text")

        add = sub.add_parser(
            "add-village", help="Thêm thôn/ấp/xóm/bản/khu dân cư/tổ dân phố dưới một xã."
        )
        add.add_argument(
            "--commune", required=True, metavar="UNIT", help="id hoặc mã của xã/phường."
        )
        add.add_argument("--name", required=True, help="Tên thôn, không kèm chữ “Thôn”.")
        add.add_argument(
            "--type",
            dest="village_type",
            default=None,
            help="thôn (mặc định), ấp, xóm, bản, khu dân cư, tổ dân phố.",
        )
        add.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = {
            "load": self._load,
            "list": self._list,
            "add-village": self._add_village,
        }[options["subcommand"]]
        try:
            handler(options)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        except BrokenPipeError:
            # `units list | head`: the reader left; not an error worth a traceback.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    # -- load ---------------------------------------------------------------------------------
    def _load(self, options: dict[str, Any]) -> None:
        only = options.get("only_provinces")
        codes = [c for c in only.split(",") if c.strip()] if only else None
        started = time.perf_counter()
        result = load_units(only_provinces=codes)
        elapsed = time.perf_counter() - started
        if result.created or result.updated or result.links_created or result.links_updated:
            audit.record(
                actor=None,
                action=AuditAction.IMPORT,
                object_type="adminunit",
                object_repr=f"Danh mục đơn vị hành chính {result.data_version}",
                after=result.to_dict(),
                note="smartvillage units load" + (f" --only-provinces {only}" if only else ""),
            )
        if options["format"] == "json":
            self.stdout.write(_dump({**result.to_dict(), "seconds": round(elapsed, 2)}))
            return
        self.stdout.write(f"Danh mục: {result.data_version}")
        for key, count in result.counts.items():
            self.stdout.write(
                f"  {LEVEL_NAMES.get(key, key)}: {count.created} tạo mới, {count.updated} cập nhật, "
                f"{count.unchanged} không đổi"
            )
        self.stdout.write(
            f"  liên kết cũ → mới: {result.links_created} tạo mới, {result.links_updated} cập nhật, "
            f"{result.links_unchanged} không đổi"
        )
        self.stdout.write(f"Xong trong {elapsed:.1f} giây.".replace(".", ",", 1))

    # -- list ---------------------------------------------------------------------------------
    def _list(self, options: dict[str, Any]) -> None:
        qs = AdminUnit.objects.all()
        level = options.get("level")
        if options.get("parent"):
            parent = resolve_unit(options["parent"])
            # With a level: everything of that level below (communes of a province across its
            # districts); without: the direct children.
            qs = (
                qs.filter(path__startswith=parent.path, level=level).exclude(pk=parent.pk)
                if level
                else qs.filter(parent=parent)
            )
        elif level:
            qs = qs.filter(level=level)
        else:
            qs = qs.filter(level=Level.PROVINCE)
        if options.get("scheme"):
            qs = qs.filter(scheme=options["scheme"])
        units = list(qs.select_related("parent").order_by("scheme", "code"))
        current = current_communes(units)
        rows = [
            {
                "id": u.pk,
                "code": u.code,
                "name": u.name,
                "full_name": u.full_name,
                "level": u.level,
                "type": u.unit_type,
                "scheme": u.scheme,
                "parent_id": u.parent_id,
                "parent_code": u.parent.code if u.parent_id else None,
                "current_commune": _unit_ref(current[u.pk]),
            }
            for u in units
        ]
        if options["format"] == "json":
            self.stdout.write(_dump(rows))
            return
        for row in rows:
            self.stdout.write(
                f"{row['id']}\t{row['code']}\t{row['full_name']}\t{row['level']}\t{row['scheme']}"
            )
        self.stdout.write(f"({len(rows)} đơn vị)")

    # -- add-village --------------------------------------------------------------------------
    def _add_village(self, options: dict[str, Any]) -> None:
        commune = resolve_unit(options["commune"])
        village, created = do_add_village(
            None, commune, options["name"], options.get("village_type")
        )
        if options["format"] == "json":
            self.stdout.write(
                _dump(
                    {
                        "id": village.pk,
                        "code": village.code,
                        "name": village.name,
                        "type": village.unit_type,
                        "commune_id": commune.pk,
                        "commune_code": commune.code,
                        "created": created,
                    }
                )
            )
            return
        verb = "Đã tạo" if created else "Đã có sẵn"
        self.stdout.write(
            f"{verb} {village.full_name} thuộc {commune.full_name}: id {village.pk}, mã {village.code}"
        )
