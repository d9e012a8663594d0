"""Writes to the unit tree. Paths are maintained here, never by signals."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db import transaction
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

_SCHEME_ORDER = {Scheme.FROM_2025: 0, Scheme.LOCAL: 1, Scheme.PRE_2025: 2}


def _not_found(text: str) -> DomainError:
    return DomainError(
        _("Không tìm thấy đơn vị “%(ref)s” (theo mã số id hoặc mã đơn vị).") % {"ref": text},
        "unit_not_found",
    )


def resolve_unit(ref: str | int) -> AdminUnit:
    """A unit by id or by official code.

    Accepted forms: an int (id); "id:123" (id); "pre2025:11125", "2025:11125", "local:11125-T001"
    (code within a scheme); a bare code ("11125", "30", "11125-T001"; a code of the current scheme
    wins over an older one); a bare number that is no code (id). A bare number that is both the id
    of one unit and the code of another is refused as ambiguous instead of guessing: once the
    official list is loaded ids and 5-digit codes overlap, and a silently wrong unit is worse.
    """
    if isinstance(ref, int):
        unit = AdminUnit.objects.filter(pk=ref).first()
        if unit is None:
            raise _not_found(str(ref))
        return unit
    text = str(ref).strip()
    prefix, sep, rest = text.partition(":")
    if sep:
        key, rest = prefix.strip().lower(), rest.strip()
        if key == "id" and rest.isdigit():
            unit = AdminUnit.objects.filter(pk=int(rest)).first()
        elif key in Scheme.values:
            unit = AdminUnit.objects.filter(scheme=key, code=rest).first()
        else:
            raise DomainError(
                _(
                    "Không hiểu tham chiếu đơn vị “%(ref)s”; dùng id, mã đơn vị, “id:123” hoặc “pre2025:11125”."
                )
                % {"ref": text},
                "bad_unit_ref",
            )
        if unit is None:
            raise _not_found(text)
        return unit
    matches = sorted(
        AdminUnit.objects.filter(code=text), key=lambda u: _SCHEME_ORDER.get(u.scheme, 9)
    )
    by_id = None
    # A canonical id has no leading zero; "01" is always a code.
    if text.isdigit() and not text.startswith("0"):
        by_id = AdminUnit.objects.filter(pk=int(text)).first()
    if by_id is not None and matches and matches[0].pk != by_id.pk:
        raise DomainError(
            _(
                "“%(ref)s” vừa là id của %(a)s vừa là mã của %(b)s; ghi rõ “id:%(ref)s” hoặc “%(scheme)s:%(ref)s”."
            )
            % {"ref": text, "a": by_id, "b": matches[0], "scheme": matches[0].scheme},
            "unit_ambiguous",
        )
    if by_id is not None:
        return by_id
    if matches:
        return matches[0]
    raise _not_found(text)


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
    # Codes of user-created villages live in one scheme ("local"), while a pre-2025 and a 2025
    # commune may share an official code; so number across every village with the prefix.
    prefix = f"{commune.code}-T"
    codes = AdminUnit.objects.filter(scheme=Scheme.LOCAL, code__startswith=prefix).values_list(
        "code", flat=True
    )
    numbers = [
        int(m.group(1)) for c in codes if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", c))
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def village_name_key(name: str) -> str:
    """Two spellings of one village name give the same key; two different names never do.

    Ignores case, spacing, Unicode composition and where a tone mark sits ("Hoà"/"Hòa"), but keeps
    the diacritics: "An Phú" and "AN PHÚ" are one village, "Đông" and "Đồng", "Hà" and "Hạ" are
    two (as the importer compares names). units.services.name_key, which drops diacritics, is for
    finding official units by a typed name, not for deciding that two villages are the same.
    """
    words = []
    for word in unicodedata.normalize("NFD", name).casefold().split():
        letters = "".join(ch for ch in word if not unicodedata.combining(ch))
        marks = "".join(sorted(ch for ch in word if unicodedata.combining(ch)))
        words.append(f"{letters}{marks}")
    return " ".join(words)


def add_village(
    commune: AdminUnit, name: str, village_type: str | None = None, attributes: dict | None = None
) -> AdminUnit:
    """Create a village under a commune, or return the existing one with that name (idempotent)."""
    return _add_village(commune, name, village_type, attributes)[0]


@transaction.atomic
def _add_village(
    commune: AdminUnit, name: str, village_type: str | None = None, attributes: dict | None = None
) -> tuple[AdminUnit, bool]:
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
    # Lock the commune rows sharing this code (a pre-2025 and a 2025 commune may) so two
    # concurrent adds do not get the same village code.
    list(AdminUnit.objects.select_for_update().filter(level=Level.COMMUNE, code=commune.code))
    # Compared in Python: SQLite's name__iexact folds ASCII only ("AN PHÚ" ≠ "An Phú" there), and a
    # commune has a few dozen villages at most.
    key = village_name_key(name)
    existing = next(
        (
            v
            for v in AdminUnit.objects.filter(parent=commune, level=Level.VILLAGE).order_by("pk")
            if village_name_key(v.name) == key
        ),
        None,
    )
    if existing is not None:
        return existing, False
    village = create_unit(
        parent=commune,
        level=Level.VILLAGE,
        unit_type=kind,
        code=_next_village_code(commune),
        name=name,
        scheme=Scheme.LOCAL,
        data_version="user",
        attributes=attributes or {},
    )
    return village, True


def do_add_village(
    actor: Any, commune: AdminUnit, name: str, village_type: str | None = None
) -> tuple[AdminUnit, bool]:
    """Add a village as `actor` (None: an operator at the command line) and audit it.

    Returns (village, created); adding a name that already exists under the commune returns the
    existing village and writes nothing.
    """
    # Imported here: accounts and audit import units.models, and units must stay importable alone.
    from smartvillage.accounts.permissions import Action, can
    from smartvillage.audit import services as audit
    from smartvillage.audit.models import AuditAction

    if actor is not None and not can(actor, Action.MANAGE_UNITS, commune):
        raise DomainError(
            _("Bạn không có quyền thêm thôn vào %(u)s.") % {"u": commune}, "permission_denied"
        )
    with transaction.atomic():
        village, created = _add_village(commune, name, village_type)
        if created:
            audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                instance=village,
                unit=village,
                after=audit.snapshot(village),
                note="" if actor is not None else "smartvillage units add-village",
            )
    return village, created


_UPDATABLE = {"name", "unit_type", "attributes", "is_active"}


def do_update_unit(actor: Any, unit: AdminUnit, **fields: Any) -> AdminUnit:
    """Change a village's name, type, attributes or status as `actor`, audited.

    Official units change only through `units load`; the tree (parent, path, code) never here.
    """
    from smartvillage.accounts.permissions import Action, can
    from smartvillage.audit import services as audit

    if unit.scheme != Scheme.LOCAL:
        raise DomainError(
            _("%(u)s thuộc danh mục chính thức; chỉ cập nhật bằng lệnh “units load”.")
            % {"u": unit},
            "official_unit",
        )
    unknown = set(fields) - _UPDATABLE
    if unknown:
        raise DomainError(
            _("Không sửa được trường %(f)s của đơn vị.") % {"f": ", ".join(sorted(unknown))},
            "bad_field",
        )
    if actor is not None and not can(actor, Action.MANAGE_UNITS, unit):
        raise DomainError(_("Bạn không có quyền sửa %(u)s.") % {"u": unit}, "permission_denied")
    if "name" in fields:
        fields["name"] = " ".join(str(fields["name"]).split())
        if not fields["name"]:
            raise DomainError(_("Tên thôn không được để trống."), "empty_name")
    if "unit_type" in fields:
        fields["unit_type"] = parse_village_type(fields["unit_type"])
    with transaction.atomic():
        return audit.update_audited(
            actor,
            unit,
            fields,
            unit=lambda locked: locked,
            validate=lambda locked: None,
            update_fields=list(fields) or None,
        )


def may_edit_attributes(actor: Any, unit: AdminUnit) -> bool:
    """The province sets its communes' attributes (commune group, mountainous, …): its appraiser
    or a system admin; a village's flags also the commune officers who manage its villages."""
    from smartvillage.accounts.permissions import Action, can, is_system_admin

    if is_system_admin(actor):
        return True
    if unit.level == Level.VILLAGE and can(actor, Action.MANAGE_UNITS, unit):
        return True
    return unit.level in (Level.COMMUNE, Level.VILLAGE) and can(actor, Action.APPRAISE, unit)


def do_update_unit_attributes(
    actor: Any, unit: AdminUnit, values: dict[str, Any], note: str = ""
) -> AdminUnit:
    """Set the criteria attributes of a commune or village (units.attributes), audited with the
    values before and after; keys not in the list are kept as they are, never dropped."""
    from smartvillage.audit import services as audit
    from smartvillage.units import attributes

    if actor is not None and not may_edit_attributes(actor, unit):
        raise DomainError(
            _("Bạn không có quyền sửa thuộc tính của %(u)s.") % {"u": unit}, "permission_denied"
        )
    allowed = {a.key: a for a in attributes.for_level(unit.level)}
    unknown = set(values) - set(allowed)
    if unknown:
        raise DomainError(
            _("Thuộc tính %(f)s không dùng cho %(u)s.")
            % {"f": ", ".join(sorted(unknown)), "u": unit},
            "bad_attribute",
        )
    cleaned = {key: allowed[key].clean(value) for key, value in values.items()}
    with transaction.atomic():
        locked = AdminUnit.objects.select_for_update().get(pk=unit.pk)
        merged = dict(locked.attributes or {})
        for key, value in cleaned.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        before = dict(locked.attributes or {})
        if merged == before:
            return locked
        locked.attributes = merged
        locked.save(update_fields=["attributes"])
        audit.record(
            actor=actor,
            action="update",
            instance=locked,
            unit=locked,
            before={"attributes": before},
            after={"attributes": merged},
            note=note or "Sửa thuộc tính đơn vị",
        )
    unit.attributes = merged
    return locked


# --- finding official units by name -------------------------------------------------------

_TYPE_WORDS = (
    "thanh pho",
    "thi tran",
    "thi xa",
    "dac khu",
    "tinh",
    "huyen",
    "quan",
    "phuong",
    "xa",
)


def name_key(text: str, strip_type: bool = True) -> str:
    """A diacritic-, case- and spacing-insensitive key: "Xã An Thanh" → "anthanh".

    Tone marks placed differently ("Hoá"/"Hóa") and "Đăk"/"Đắk" give the same key.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = re.sub(r"[^a-z0-9]+", " ", plain).strip()
    if strip_type:
        for word in _TYPE_WORDS:
            if plain.startswith(word + " "):
                plain = plain[len(word) + 1 :]
                break
    return plain.replace(" ", "")


def _pick(candidates: list[AdminUnit], name: str, what: str, where: str) -> AdminUnit:
    key = name_key(name)
    found = [u for u in candidates if name_key(u.name) == key]
    if len(found) > 1:
        # "Kỳ Anh" is both a huyện and a thị xã: a typed prefix decides.
        typed = name_key(name, strip_type=False)
        exact = [u for u in found if name_key(u.full_name, strip_type=False) == typed]
        found = exact or found
    if not found:
        raise DomainError(
            _("Không tìm thấy %(what)s “%(name)s”%(where)s.")
            % {"what": what, "name": name, "where": where},
            "unit_not_found",
        )
    if len(found) > 1:
        names = ", ".join(f"{u.full_name} ({u.code})" for u in found)
        raise DomainError(
            _("Có nhiều %(what)s “%(name)s”%(where)s: %(names)s; ghi rõ loại (xã/phường/...).")
            % {"what": what, "name": name, "where": where, "names": names},
            "unit_ambiguous",
        )
    return found[0]


def find_commune(
    province_name: str,
    district_name: str | None,
    commune_name: str,
    scheme: str = Scheme.PRE_2025,
) -> AdminUnit:
    """An official commune by its names, ignoring diacritics, case and the type word.

    find_commune("Hải Dương", "Tứ Kỳ", "An Thanh") → Xã An Thanh (pre-2025 code 11125).
    For scheme "2025" there is no district: pass None (a district given is ignored).
    """
    provinces = list(AdminUnit.objects.filter(scheme=scheme, level=Level.PROVINCE))
    province = _pick(provinces, province_name, _("tỉnh/thành phố"), "")
    parent = province
    if scheme == Scheme.PRE_2025:
        if not district_name:
            raise DomainError(
                _("Cần tên huyện để tìm xã theo danh mục trước 2025."), "district_required"
            )
        districts = list(AdminUnit.objects.filter(parent=province, level=Level.DISTRICT))
        parent = _pick(
            districts, district_name, _("huyện/quận/thị xã"), _(" thuộc %(p)s") % {"p": province}
        )
    communes = list(AdminUnit.objects.filter(parent=parent, level=Level.COMMUNE))
    return _pick(communes, commune_name, _("xã/phường"), _(" thuộc %(p)s") % {"p": parent})
