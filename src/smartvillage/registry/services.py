"""Action functions for the registry: each checks permission, writes atomically, audits.

Views and the importer validate input, then call these; nothing else writes households/persons.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext

from smartvillage.accounts.permissions import Action, can
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.registry import erasure, facts
from smartvillage.registry.models import Household, Person
from smartvillage.results.services import recount_villages
from smartvillage.units.models import AdminUnit, Level


def _require(user: Any, action: Action, unit: AdminUnit) -> None:
    if not can(user, action, unit):
        raise PermissionDenied(f"{action} on {unit}")


_process_locks: dict[int, threading.RLock] = {}
_process_locks_guard = threading.Lock()


# pg_advisory_xact_lock's one bigint key: "SV" in the high 32 bits, the village id in the low
# ones, which keeps these apart from any other advisory lock of the database.
_IMPORT_LOCK_NAMESPACE = 0x5356 << 32


@contextmanager
def village_registry_lock(village: AdminUnit) -> Iterator[AdminUnit]:
    """Hold the village's registry for one import: an import plans and writes inside it, so two
    imports of one village run one after the other and the second plans against the first's
    persons and households (it updates them instead of adding them again).

    PostgreSQL: a transaction-scoped advisory lock on the village (released at commit or
    rollback). Not the village row itself: every registry write locks that row briefly (the
    results store recounts the village), and an import holding it while it reads a large file
    would stop the village's forms for as long. SQLite has no such locks and one writer at a
    time; the embedded default is one process, so there a per-village lock of the process does
    it, without an enclosing transaction (the import's progress is then still saved on the job
    row while it plans; its write is its own transaction).
    """
    if connection.vendor == "sqlite":
        with _process_lock(village):
            yield village
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s::bigint)",
                [_IMPORT_LOCK_NAMESPACE | (village.pk & 0xFFFFFFFF)],
            )
        yield village


@contextmanager
def _process_lock(village: AdminUnit) -> Iterator[None]:
    with _process_locks_guard:
        lock = _process_locks.setdefault(village.pk, threading.RLock())
    with lock:
        yield


def household_code_taken_message(code: str) -> str:
    return gettext(
        "Mã hộ “%(code)s” vừa được người khác thêm vào thôn này; chưa ghi gì. "
        "Hãy tải lại trang và kiểm tra lại."
    ) % {"code": code}


def _derived_household_facts(household: Household | None, fields: dict[str, Any]) -> dict[str, Any]:
    """The facts the catalogue derives from the household's fields once `fields` are applied
    (a digital address code present → the household has a digital address and was notified),
    as field updates; only facts not already true. The same rule as the importer's."""
    values: dict[str, Any] = {}
    if household is not None:
        values = {f.attname: getattr(household, f.attname) for f in Household._meta.concrete_fields}
    values.update(fields)
    updates: dict[str, Any] = {}
    extra = dict(values.get("extra") or {})
    for key in facts.derive("household", values):
        if key in values or any(f.name == key for f in Household._meta.concrete_fields):
            if not values.get(key):
                updates[key] = True
        elif not extra.get(key):
            extra[key] = True
            updates["extra"] = extra
    return updates


@transaction.atomic
def do_create_household(user: Any, village: AdminUnit, **fields: Any) -> Household:
    _require(user, Action.EDIT_REGISTRY, village)
    if village.level != Level.VILLAGE:
        raise ValueError("households belong to a village")
    fields.update(_derived_household_facts(None, fields))
    household = Household(village=village, **fields)
    household.full_clean()
    try:
        # full_clean checked the code; another request may have added it since (no lock on
        # codes that do not exist yet): the constraint decides, and the refusal says so.
        with transaction.atomic():
            household.save()
    except IntegrityError:
        raise ValidationError({"code": household_code_taken_message(household.code)}) from None
    audit.record(
        actor=user,
        action=AuditAction.CREATE,
        instance=household,
        unit=village,
        after=audit.snapshot(household),
        household_id=household.pk,
    )
    recount_villages([village.pk])
    return household


@transaction.atomic
def do_update_household(
    user: Any, household: Household, *, expected_version: int | None = None, **fields: Any
) -> Household:
    _require(user, Action.EDIT_REGISTRY, household.village)
    before_village = household.village_id
    fields = {**fields, **_derived_household_facts(household, fields)}
    updated = audit.update_audited(
        user,
        household,
        fields,
        unit=household.village,
        household_id=household.pk,
        expected_version=expected_version,
    )
    recount_villages([before_village, updated.village_id])
    return updated


@transaction.atomic
def do_delete_household(user: Any, household: Household) -> None:
    # Removing a whole household is for the village head and the commune, not the digital team.
    _require(user, Action.DELETE_HOUSEHOLD, household.village)
    for person in household.persons.all():
        audit.record(
            actor=user,
            action=AuditAction.DELETE,
            instance=person,
            unit=household.village,
            before=audit.snapshot(person),
            household_id=household.pk,
        )
    audit.record(
        actor=user,
        action=AuditAction.DELETE,
        instance=household,
        unit=household.village,
        before=audit.snapshot(household),
        household_id=household.pk,
    )
    village_id = household.village_id
    household.delete()
    recount_villages([village_id])


@transaction.atomic
def do_create_person(user: Any, household: Household, **fields: Any) -> Person:
    _require(user, Action.EDIT_REGISTRY, household.village)
    person = Person(household=household, village_id=household.village_id, **fields)
    person.full_clean()
    person.save()
    audit.record(
        actor=user,
        action=AuditAction.CREATE,
        instance=person,
        unit=household.village,
        after=audit.snapshot(person),
        household_id=household.pk,
    )
    recount_villages([person.village_id])
    return person


@transaction.atomic
def do_update_person(
    user: Any, person: Person, *, expected_version: int | None = None, **fields: Any
) -> Person:
    _require(user, Action.EDIT_REGISTRY, person.household.village)
    before_village = person.village_id

    def validate(locked: Person) -> None:
        if "household" in fields:
            # Moving a person needs the right on the household she moves to, too.
            _require(user, Action.EDIT_REGISTRY, locked.household.village)
            locked.village_id = locked.household.village_id
        locked.full_clean()

    locked = audit.update_audited(
        user,
        person,
        fields,
        unit=lambda p: p.household.village,
        validate=validate,
        household_id=lambda p: p.household_id,
        expected_version=expected_version,
    )
    recount_villages([before_village, locked.village_id])
    return locked


@transaction.atomic
def do_delete_person(user: Any, person: Person) -> None:
    _require(user, Action.EDIT_REGISTRY, person.household.village)
    audit.record(
        actor=user,
        action=AuditAction.DELETE,
        instance=person,
        unit=person.household.village,
        before=audit.snapshot(person),
        household_id=person.household_id,
    )
    village_id = person.village_id
    person.delete()
    recount_villages([village_id])


def person_data(person: Person) -> dict[str, Any]:
    """Everything held about one person (a data-subject access request): registry, household
    history, frozen snapshots, pending import files (registry/erasure.py)."""
    return erasure.person_data(person)


@transaction.atomic
def do_export_person_data(user: Any, person: Person) -> dict[str, Any]:
    """A person's own data, for a request under Law 91/2025/QH15; the export itself is logged."""
    _require(user, Action.EXPORT_PERSONAL, person.household.village)
    data = person_data(person)
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        instance=person,
        unit=person.household.village,
        household_id=person.household_id,
        note="Xuất dữ liệu cá nhân theo yêu cầu của chủ thể dữ liệu",
        count=1,
    )
    return data


@transaction.atomic
def do_erase_person(user: Any, person: Person) -> erasure.ErasureReport:
    """Erase a person on request (Law 91/2025/QH15): the row goes, and every copy elsewhere is
    removed or pseudonymised (registry/erasure.py, docs/decisions/006-erasure.md); the audit
    trail keeps that it happened and what it changed, not the erased values."""
    village = person.household.village
    _require(user, Action.EDIT_REGISTRY, village)
    _require(user, Action.EXPORT_PERSONAL, village)
    person = (
        Person.objects.select_related("household__village").select_for_update().get(pk=person.pk)
    )
    result = erasure.erase(person)
    audit.record(
        actor=user,
        action=AuditAction.DELETE,
        object_type="person",
        object_id=str(person.pk),
        unit=village,
        household_id=person.household_id,
        object_repr=erasure.PSEUDONYM,
        note=f"Xóa dữ liệu cá nhân theo yêu cầu của chủ thể dữ liệu: {result.summary()}",
    )
    village_id = person.village_id
    person.delete()
    recount_villages([village_id])
    return result


_CHANNEL_NOTE = {"web": "", "api": "API: ", "admin": "Trang quản trị: "}


def record_household_view(user: Any, household: Household, channel: str = "web") -> None:
    """The household page (or the API's household) shows its persons' personal data: log who
    looked (Law 91/2025; one entry per user, household and hour)."""
    audit.record_view(
        actor=user,
        unit=household.village,
        object_type="household",
        object_id=str(household.pk),
        object_repr=str(household),
        household_id=household.pk,
        note=_CHANNEL_NOTE[channel] + "Xem thông tin hộ và nhân khẩu",
        count=1 + household.persons.count(),  # the household and its persons
        once_per_hour=True,
    )


def record_person_view(user: Any, person: Person, channel: str = "web") -> None:
    """A person's data (name, birth date, masked identity number, facts) was shown."""
    audit.record_view(
        actor=user,
        unit=person.household.village,
        object_type="person",
        object_id=str(person.pk),
        object_repr=str(person),
        household_id=person.household_id,
        note=_CHANNEL_NOTE[channel] + "Xem thông tin nhân khẩu",
    )


def record_household_list_view(
    user: Any, unit: AdminUnit, channel: str = "web", count: int | None = None
) -> None:
    """A list of a unit's households (codes, heads' names, addresses) was shown.

    With `count` (how many households the page showed) every page is an entry; without it, one
    entry per user, unit and hour (audit.record_view)."""
    audit.record_view(
        actor=user,
        unit=unit,
        object_type="household_list",
        object_id=str(unit.pk),
        object_repr=f"Danh sách hộ – {unit.full_name}",
        note=_CHANNEL_NOTE[channel] + "Xem danh sách hộ",
        count=count,
    )


def record_person_list_view(
    user: Any, household: Household, channel: str = "web", count: int | None = None
) -> None:
    """The list of a household's persons was shown (`count`: how many, as above)."""
    audit.record_view(
        actor=user,
        unit=household.village,
        object_type="person_list",
        object_id=str(household.pk),
        object_repr=str(household),
        household_id=household.pk,
        note=_CHANNEL_NOTE[channel] + "Xem danh sách nhân khẩu của hộ",
        count=count,
    )


def record_confirmation_view(user: Any, obj: Household | Person) -> None:
    """A delete confirmation names the household (and how many persons go with it) or person."""
    household = obj if isinstance(obj, Household) else obj.household
    audit.record_view(
        actor=user,
        unit=household.village,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        object_repr=str(obj),
        household_id=household.pk,
        note="Xem trang xác nhận xóa",
        count=1 + (household.persons.count() if obj is household else 0),
    )
