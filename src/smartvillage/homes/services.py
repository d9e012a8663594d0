"""The commune places its villages on the maps (otherwise a village sits at the centre of its
households that have coordinates, or nowhere)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from smartvillage.accounts.permissions import Action, can
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.core.errors import DomainError
from smartvillage.homes.models import VillagePosition
from smartvillage.units.models import AdminUnit, Level

# Vietnam's mainland and islands, as the model's validators (Hoàng Sa and Trường Sa included).
LATITUDE = (Decimal(8), Decimal(24))
LONGITUDE = (Decimal(102), Decimal(118))
_PLACES = Decimal("0.000001")


def parse_coordinate(text: Any, what: str, bounds: tuple[Decimal, Decimal]) -> Decimal:
    """A decimal degree as people type it ("21,028511" or "21.028511"), within `bounds`."""
    raw = str(text if text is not None else "").strip().replace(" ", "")
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise DomainError(
            _("%(what)s phải là số thập phân, ví dụ 21,028511.") % {"what": what}, "bad_coordinate"
        ) from None
    if not value.is_finite() or not bounds[0] <= value <= bounds[1]:
        raise DomainError(
            _("%(what)s phải trong khoảng %(low)s đến %(high)s (lãnh thổ Việt Nam).")
            % {"what": what, "low": bounds[0], "high": bounds[1]},
            "coordinate_outside",
        )
    return value.quantize(_PLACES, rounding=ROUND_HALF_UP)


def may_place(actor: Any, village: AdminUnit) -> bool:
    return village.level == Level.VILLAGE and can(actor, Action.MANAGE_UNITS, village)


def do_set_village_position(
    actor: Any, village: AdminUnit, latitude: Any, longitude: Any
) -> VillagePosition:
    """Place `village` at (latitude, longitude), audited with the position before and after."""
    if village.level != Level.VILLAGE:
        raise DomainError(_("Chỉ đặt vị trí cho thôn, ấp, khu dân cư."), "not_a_village")
    if not may_place(actor, village):
        raise DomainError(
            _("Bạn không có quyền đặt vị trí của %(u)s.") % {"u": village}, "permission_denied"
        )
    lat = parse_coordinate(latitude, _("Vĩ độ"), LATITUDE)
    lon = parse_coordinate(longitude, _("Kinh độ"), LONGITUDE)
    with transaction.atomic():
        position = VillagePosition.objects.select_for_update().filter(unit=village).first()
        before = (
            {"latitude": str(position.latitude), "longitude": str(position.longitude)}
            if position is not None
            else None
        )
        if position is None:
            position = VillagePosition(unit=village)
        position.latitude, position.longitude = lat, lon
        position.full_clean()
        position.save()
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE if before else AuditAction.CREATE,
            instance=position,
            unit=village,
            before=before,
            after={"latitude": str(lat), "longitude": str(lon)},
            note=_("Đặt vị trí thôn trên bản đồ"),
        )
    return position


def do_clear_village_position(actor: Any, village: AdminUnit) -> bool:
    """Remove the commune's point: the village is shown at its households' centre again."""
    if not may_place(actor, village):
        raise DomainError(
            _("Bạn không có quyền đặt vị trí của %(u)s.") % {"u": village}, "permission_denied"
        )
    with transaction.atomic():
        position = VillagePosition.objects.select_for_update().filter(unit=village).first()
        if position is None:
            return False
        audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            instance=position,
            unit=village,
            before={"latitude": str(position.latitude), "longitude": str(position.longitude)},
            note=_("Bỏ vị trí thôn đã đặt trên bản đồ"),
        )
        position.delete()
    return True
