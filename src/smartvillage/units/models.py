"""Administrative units: provinces, (pre-2025) districts, communes, and user-created villages.

Units of the pre-reform scheme (63 provinces with districts) and the post-01/07/2025 scheme
(34 provinces, no districts) live side by side; history is never rewritten. Subtree queries use a
materialised path so that "everything below this unit" is one indexed prefix filter.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Tỉnh/Thành phố")
    DISTRICT = "district", _("Huyện/Quận/Thị xã")
    COMMUNE = "commune", _("Xã/Phường/Thị trấn/Đặc khu")
    VILLAGE = "village", _("Thôn/Ấp/Xóm/Bản/Khu dân cư/Tổ dân phố")


LEVEL_DEPTH = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.COMMUNE: 2, Level.VILLAGE: 3}


class UnitType(models.TextChoices):
    TINH = "tinh", "Tỉnh"
    THANH_PHO_TW = "thanh_pho_tw", "Thành phố trực thuộc Trung ương"
    HUYEN = "huyen", "Huyện"
    QUAN = "quan", "Quận"
    THI_XA = "thi_xa", "Thị xã"
    THANH_PHO = "thanh_pho", "Thành phố thuộc tỉnh"
    XA = "xa", "Xã"
    PHUONG = "phuong", "Phường"
    THI_TRAN = "thi_tran", "Thị trấn"
    DAC_KHU = "dac_khu", "Đặc khu"
    THON = "thon", "Thôn"
    AP = "ap", "Ấp"
    XOM = "xom", "Xóm"
    BAN = "ban", "Bản"
    KHU_DAN_CU = "khu_dan_cu", "Khu dân cư"
    TO_DAN_PHO = "to_dan_pho", "Tổ dân phố"


VILLAGE_TYPES = {
    UnitType.THON,
    UnitType.AP,
    UnitType.XOM,
    UnitType.BAN,
    UnitType.KHU_DAN_CU,
    UnitType.TO_DAN_PHO,
}
# What a user types on the command line ("khu dân cư") to the stored type.
VILLAGE_TYPE_BY_LABEL = {str(t.label).lower(): t for t in VILLAGE_TYPES}
# The word put before a name: the choice label says "Thành phố trực thuộc Trung ương", but the unit
# is called "Thành phố Hà Nội".
NAME_PREFIX = {UnitType.THANH_PHO_TW: "Thành phố", UnitType.THANH_PHO: "Thành phố"}


class Scheme(models.TextChoices):
    PRE_2025 = "pre2025", _("Trước 01/07/2025 (tỉnh - huyện - xã)")
    FROM_2025 = "2025", _("Từ 01/07/2025 (tỉnh - xã)")
    LOCAL = "local", _("Do người dùng tạo (thôn, ấp, …)")


class AdminUnit(models.Model):
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices, db_index=True)
    unit_type = models.CharField(_("loại"), max_length=16, choices=UnitType.choices)
    code = models.CharField(_("mã"), max_length=32)
    name = models.CharField(_("tên"), max_length=200)
    scheme = models.CharField(_("hệ thống"), max_length=10, choices=Scheme.choices)
    data_version = models.CharField(_("phiên bản dữ liệu"), max_length=64, blank=True)
    # Materialised path of ids, "/1/17/240/"; a subtree is path__startswith.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    # Attributes criteria may depend on, e.g. {"ethnic_minority_mountainous": true}.
    attributes = models.JSONField(_("thuộc tính"), default=dict, blank=True)
    is_active = models.BooleanField(_("đang hiệu lực"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Raised in the writer's transaction by every write that can change a result under this
    # unit (its registry, its evidence, its attributes): the key of the area summaries kept in
    # the cache (criteria/areas.py, docs/decisions/010). Never lowered, never set by hand.
    change_stamp = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="unit_code_unique_per_scheme"),
        ]
        # resolve_unit looks codes up without the scheme.
        indexes = [models.Index(fields=["code"], name="unit_code")]
        ordering = ["path"]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # Its attributes (thresholds by commune group, …) may have changed.
        touch_units([self.pk])

    @property
    def full_name(self) -> str:
        label = NAME_PREFIX.get(self.unit_type) or self.get_unit_type_display()
        if self.name.lower().startswith(label.lower()):
            return self.name
        return f"{label} {self.name}"

    @property
    def is_village(self) -> bool:
        return self.level == Level.VILLAGE

    @property
    def is_commune(self) -> bool:
        return self.level == Level.COMMUNE

    def ancestors(self) -> list[AdminUnit]:
        ids = [int(part) for part in self.path.strip("/").split("/") if part][:-1]
        by_id = AdminUnit.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def ancestor_of_level(self, level: str) -> AdminUnit | None:
        if self.level == level:
            return self
        for unit in self.ancestors():
            if unit.level == level:
                return unit
        return None

    def descendants(self, include_self: bool = False) -> models.QuerySet[AdminUnit]:
        qs = AdminUnit.objects.filter(path__startswith=self.path)
        if not include_self:
            qs = qs.exclude(pk=self.pk)
        return qs

    def is_within(self, other: AdminUnit) -> bool:
        return self.path.startswith(other.path)

    def current_successors(self) -> models.QuerySet[AdminUnit]:
        """The post-reform units this pre-reform unit was merged into (for display).

        A commune split across several new ones has several; the main one (is_default) comes first.
        """
        return AdminUnit.objects.filter(predecessor_links__old=self).order_by(
            "-predecessor_links__is_default", "code"
        )

    def current_commune(self) -> AdminUnit | None:
        """The commune of the current scheme this unit lies in (a village keeps its pre-2025 parent).

        None when the unit is above commune level or the 2025 mapping is not loaded.
        """
        commune = self.ancestor_of_level(Level.COMMUNE)
        if commune is None:
            return None
        if commune.scheme != Scheme.PRE_2025:
            return commune
        return commune.current_successors().first()


def touch_units(unit_ids: Iterable[int | None]) -> None:
    """Record that something a result depends on changed under these units (their registry,
    evidence or attributes): raises their `change_stamp` in the caller's transaction, so the
    cached area summaries keyed by it stop being read exactly when the change commits, and not
    at all if it rolls back. Callers that lock the rows first (the results recount) keep their
    lock order; ids in order otherwise, so two writers never deadlock."""
    ids = sorted({int(i) for i in unit_ids if i})
    if ids:
        AdminUnit.objects.filter(pk__in=ids).update(change_stamp=models.F("change_stamp") + 1)


def area_paths(units: list[AdminUnit]) -> dict[int, list[str]]:
    """The subtree roots that make up each unit's area: its own path and, for a unit of the 2025
    scheme, the paths of its pre-2025 predecessors (main succession links), whose villages now
    belong to it. One query for any number of units; none when no unit is of the 2025 scheme.
    """
    out = {u.pk: [u.path] for u in units}
    new = [u for u in units if u.scheme == Scheme.FROM_2025]
    if not new:
        return out
    condition = models.Q()
    for u in new:
        condition |= models.Q(new__path__startswith=u.path)
    links = list(
        UnitSuccession.objects.filter(condition, is_default=True).values_list(
            "new__path", "old__path"
        )
    )
    for u in new:
        olds = sorted({old for new_path, old in links if new_path.startswith(u.path)})
        kept: list[str] = []
        for path in olds:  # drop a subtree already covered by a shorter path
            if not any(path.startswith(k) for k in kept):
                kept.append(path)
        out[u.pk] = [u.path, *kept]
    return out


def current_communes(units: list[AdminUnit]) -> dict[int, AdminUnit | None]:
    """`current_commune()` of many units at once: {unit id: its 2025 commune or None}.

    A fixed number of queries whatever the number of units (one per 500 pre-2025 communes), for
    lists such as `smartvillage units list`. A village's commune is its parent (villages are only
    created under communes); units above commune level map to None.
    """
    commune_of: dict[int, AdminUnit | None] = {}
    for unit in units:
        if unit.level == Level.COMMUNE:
            commune_of[unit.pk] = unit
        elif unit.level == Level.VILLAGE and unit.parent_id:
            parent = unit.parent  # one query per village unless the caller select_related it
            commune_of[unit.pk] = parent if parent.level == Level.COMMUNE else None
        else:
            commune_of[unit.pk] = None
    old_ids = sorted(
        {c.pk for c in commune_of.values() if c is not None and c.scheme == Scheme.PRE_2025}
    )
    successor: dict[int, AdminUnit] = {}
    for start in range(0, len(old_ids), 500):
        links = (
            UnitSuccession.objects.filter(old_id__in=old_ids[start : start + 500])
            .select_related("new")
            # The same order as current_successors(): the main successor, then by code.
            .order_by("old_id", "-is_default", "new__code")
        )
        for link in links:
            successor.setdefault(link.old_id, link.new)
    out: dict[int, AdminUnit | None] = {}
    for pk, commune in commune_of.items():
        if commune is None:
            out[pk] = None
        elif commune.scheme == Scheme.PRE_2025:
            out[pk] = successor.get(commune.pk)
        else:
            out[pk] = commune
    return out


class UnitSuccession(models.Model):
    """old → new mapping from the 2025 reform (a commune may be split across several new ones)."""

    old = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="successor_links")
    new = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="predecessor_links")
    effective_date = models.DateField(null=True, blank=True)
    data_version = models.CharField(max_length=64, blank=True)
    # When an old commune was split, the part the dataset names as its main successor.
    is_default = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["old", "new"], name="unit_succession_unique")
        ]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"
