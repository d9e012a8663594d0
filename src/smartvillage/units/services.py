"""Writes to the unit tree. Paths are maintained here, never by signals."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from smartvillage.core.errors import DomainError
from smartvillage.units.models import (
    VILLAGE_TYPE_BY_LABEL,
    VILLAGE_TYPES,
    AdminUnit,
    Level,
    Scheme,
    UnitType,
)


def resolve_unit(ref: str | int) -> AdminUnit:
    """A unit by id or by official code (a code of the current scheme wins over an older one)."""
    text = str(ref).strip()
    qs = AdminUnit.objects.all()
    if text.isdigit():
        unit = qs.filter(pk=int(text)).first()
        if unit is not None:
            return unit
    matches = list(qs.filter(code=text))
    if not matches:
        raise DomainError(
            _("Không tìm thấy đơn vị “%(ref)s” (theo mã số hoặc mã đơn vị).") % {"ref": text},
            "unit_not_found",
        )
    order = {Scheme.FROM_2025: 0, Scheme.LOCAL: 1, Scheme.PRE_2025: 2}
    matches.sort(key=lambda u: order.get(u.scheme, 9))
    return matches[0]


def _set_path(unit: AdminUnit) -> None:
    parent_path = unit.parent.path if unit.parent_id else "/"
    unit.path = f"{parent_path}{unit.pk}/"
    unit.save(update_fields=["path"])


def create_unit(**fields: object) -> AdminUnit:
    unit = AdminUnit.objects.create(**fields)
    _set_path(unit)
    return unit


def parse_village_type(label: str | None) -> str:
    if not label:
        return UnitType.THON
    key = label.strip().lower()
    if key in VILLAGE_TYPE_BY_LABEL:
        return VILLAGE_TYPE_BY_LABEL[key]
    if key in {t.value for t in VILLAGE_TYPES}:
        return key
    allowed = ", ".join(sorted(VILLAGE_TYPE_BY_LABEL))
    raise DomainError(
        _("Loại thôn “%(t)s” không hợp lệ; chọn một trong: %(a)s") % {"t": label, "a": allowed},
        "bad_village_type",
    )


def _next_village_code(commune: AdminUnit) -> str:
    prefix = f"{commune.code}-T"
    existing = AdminUnit.objects.filter(parent=commune, code__startswith=prefix).aggregate(
        Max("code")
    )["code__max"]
    number = 1
    if existing:
        match = re.search(r"(\d+)$", existing)
        number = int(match.group(1)) + 1 if match else 1
    return f"{prefix}{number:03d}"


@transaction.atomic
def add_village(
    commune: AdminUnit, name: str, village_type: str | None = None, attributes: dict | None = None
) -> AdminUnit:
    """Create a village under a commune, or return the existing one with that name (idempotent)."""
    if commune.level != Level.COMMUNE:
        raise DomainError(
            _("Thôn chỉ được tạo dưới một xã/phường; “%(u)s” là cấp %(l)s.")
            % {"u": commune, "l": commune.get_level_display()},
            "not_a_commune",
        )
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Tên thôn không được để trống."), "empty_name")
    kind = parse_village_type(village_type)
    # Lock the commune row so two concurrent adds do not get the same code.
    AdminUnit.objects.select_for_update().filter(pk=commune.pk).first()
    existing = AdminUnit.objects.filter(
        parent=commune, level=Level.VILLAGE, name__iexact=name
    ).first()
    if existing is not None:
        return existing
    return create_unit(
        parent=commune,
        level=Level.VILLAGE,
        unit_type=kind,
        code=_next_village_code(commune),
        name=name,
        scheme=Scheme.LOCAL,
        data_version="user",
        attributes=attributes or {},
    )
