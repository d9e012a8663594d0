"""Attributes of a unit that criteria may depend on (AdminUnit.attributes keys): one list for the
criteria loader (threshold rules), the edit page and the API.

QĐ 51/2025/QĐ-TTg tiers the new-rural criteria by commune group (nhóm 1, 2, 3), which the province
assigns; the other flags are the categories the seeds' thresholds name (Kon Tum: "≥ 70 % in
ethnic-minority and mountainous communes, ≥ 80 % elsewhere").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from smartvillage.core.errors import DomainError


@dataclass(frozen=True)
class Attribute:
    key: str
    label: str
    type: str  # "bool" | "group"
    levels: tuple[str, ...]  # unit levels it applies to

    def clean(self, value: Any) -> Any:
        """The stored value, or None to remove the key (an unset flag, no group)."""
        if value in (None, "", False, "0", "false", "off"):
            return None
        if self.type == "bool":
            return True
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number not in COMMUNE_GROUPS:
            raise DomainError(
                f"{self.label}: giá trị “{value}” không hợp lệ; chọn nhóm 1, 2 hoặc 3.",
                "bad_attribute",
            )
        return number


COMMUNE_GROUPS = {
    1: "Nhóm 1",
    2: "Nhóm 2",
    3: "Nhóm 3",
}
_LOCAL = ("commune", "village")
ATTRIBUTES: dict[str, Attribute] = {
    a.key: a
    for a in (
        Attribute(
            "commune_group", "Nhóm xã (QĐ 51/2025/QĐ-TTg): 1, 2 hoặc 3", "group", ("commune",)
        ),
        Attribute(
            "ethnic_minority_mountainous",
            "Xã thuộc vùng đồng bào dân tộc thiểu số và miền núi",
            "bool",
            _LOCAL,
        ),
        Attribute("particularly_difficult", "Xã đặc biệt khó khăn", "bool", _LOCAL),
        Attribute("border", "Xã biên giới", "bool", _LOCAL),
        Attribute("island", "Xã đảo", "bool", _LOCAL),
        Attribute("coastal", "Xã ven biển", "bool", _LOCAL),
    )
}


def for_level(level: str) -> list[Attribute]:
    return [a for a in ATTRIBUTES.values() if level in a.levels]


def effective(unit: Any) -> dict[str, Any]:
    """The attributes a threshold rule sees for `unit`: a village inherits its commune's (the
    commune group, the mountainous flag), its own values win."""
    own = dict(getattr(unit, "attributes", None) or {})
    if getattr(unit, "level", "") != "village" or unit.parent_id is None:
        return own
    parent = unit.parent
    return {**(parent.attributes or {}), **own}


def effective_many(units: list[Any]) -> dict[int, dict[str, Any]]:
    """`effective()` of many units with one query for the villages' communes."""
    from smartvillage.units.models import AdminUnit

    parent_ids = {u.parent_id for u in units if u.level == "village" and u.parent_id}
    parents = dict(AdminUnit.objects.filter(pk__in=parent_ids).values_list("pk", "attributes"))
    out = {}
    for unit in units:
        inherited = parents.get(unit.parent_id) if unit.level == "village" else None
        out[unit.pk] = {**(inherited or {}), **(unit.attributes or {})}
    return out
