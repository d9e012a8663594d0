"""The commune places its villages on the maps (otherwise a village sits at the centre of its
households that have coordinates, or nowhere)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartvillage.accounts.permissions import Action, can
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.core.errors import DomainError
from smartvillage.homes.models import VillagePosition
from smartvillage.registry.forms import CoordinateField
from smartvillage.units.models import AdminUnit, Level

# The household form's field: decimal point or comma, rounded to the model's 6 decimals.
_LATITUDE = CoordinateField(label=gettext_lazy("Vĩ độ"), limit=90, example="21,0285", required=True)
_LONGITUDE = CoordinateField(
    label=gettext_lazy("Kinh độ"), limit=180, example="105,8542", required=True
)


def _coordinate(field: CoordinateField, value: Any) -> Decimal:
    try:
        return field.clean(value)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), "bad_coordinate") from None


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
    lat = _coordinate(_LATITUDE, latitude)
    lon = _coordinate(_LONGITUDE, longitude)
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
        try:
            position.full_clean()  # inside Vietnam, as a household's point must be
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), "coordinate_outside") from None
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
