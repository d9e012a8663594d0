"""Action functions for the registry: each checks permission, writes atomically, audits.

Views and the importer validate input, then call these; nothing else writes households/persons.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from smartvillage.accounts.permissions import Action, can
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.registry.facts import column_facts
from smartvillage.registry.models import Household, Person
from smartvillage.units.models import AdminUnit, Level


def _require(user: Any, action: Action, unit: AdminUnit) -> None:
    if not can(user, action, unit):
        raise PermissionDenied(f"{action} on {unit}")


@transaction.atomic
def do_create_household(user: Any, village: AdminUnit, **fields: Any) -> Household:
    _require(user, Action.EDIT_REGISTRY, village)
    if village.level != Level.VILLAGE:
        raise ValueError("households belong to a village")
    household = Household(village=village, **fields)
    household.full_clean()
    household.save()
    audit.record(
        actor=user,
        action=AuditAction.CREATE,
        instance=household,
        unit=village,
        after=audit.snapshot(household),
        household_id=household.pk,
    )
    return household


@transaction.atomic
def do_update_household(user: Any, household: Household, **fields: Any) -> Household:
    _require(user, Action.EDIT_REGISTRY, household.village)
    return audit.update_audited(
        user, household, fields, unit=household.village, household_id=household.pk
    )


@transaction.atomic
def do_delete_household(user: Any, household: Household) -> None:
    _require(user, Action.EDIT_REGISTRY, household.village)
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
    household.delete()


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
    return person


@transaction.atomic
def do_update_person(user: Any, person: Person, **fields: Any) -> Person:
    _require(user, Action.EDIT_REGISTRY, person.household.village)

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
    )
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
    person.delete()


def person_data(person: Person) -> dict[str, Any]:
    """Everything the registry holds about one person (a data-subject access request)."""
    household = person.household
    return {
        "person": {
            "id": person.pk,
            "full_name": person.full_name,
            "birth_date": person.birth_date.isoformat() if person.birth_date else None,
            "birth_year_only": person.birth_year_only,
            "sex": person.sex,
            "relationship": person.relationship,
            "identity_number": person.identity_number,
            "note": person.note,
            "facts": {
                **{f.key: getattr(person, f.key) for f in column_facts("person")},
                **(person.extra or {}),
            },
        },
        "household": {
            "code": household.code,
            "head_name": household.head_name,
            "address": household.address,
            "village": household.village.full_name,
        },
        "audit": [
            {
                "at": e.at.isoformat(),
                "actor": e.actor_name,
                "action": e.action,
                "before": e.before,
                "after": e.after,
            }
            for e in AuditEvent.objects.filter(
                object_type="person", object_id=str(person.pk)
            ).order_by("at")
        ],
    }


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
    )
    return data


@transaction.atomic
def do_erase_person(user: Any, person: Person) -> None:
    """Erase a person on request: the row goes, and the audit trail keeps that it happened but
    not the erased values (the history of this person is scrubbed of personal data)."""
    _require(user, Action.EDIT_REGISTRY, person.household.village)
    village = person.household.village
    AuditEvent.objects.filter(object_type="person", object_id=str(person.pk)).update(
        before=None, after=None, object_repr="(đã xóa theo yêu cầu)"
    )
    audit.record(
        actor=user,
        action=AuditAction.DELETE,
        object_type="person",
        unit=village,
        household_id=person.household_id,
        object_repr="(đã xóa theo yêu cầu)",
        note="Xóa dữ liệu cá nhân theo yêu cầu của chủ thể dữ liệu",
    )
    person.delete()


_CHANNEL_NOTE = {"web": "", "api": "API: "}


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


def record_household_list_view(user: Any, unit: AdminUnit, channel: str = "web") -> None:
    """A list of a unit's households (codes, heads' names, addresses) was shown."""
    audit.record_view(
        actor=user,
        unit=unit,
        object_type="household_list",
        object_id=str(unit.pk),
        object_repr=f"Danh sách hộ – {unit.full_name}",
        note=_CHANNEL_NOTE[channel] + "Xem danh sách hộ",
    )


def record_person_list_view(user: Any, household: Household, channel: str = "web") -> None:
    """The list of a household's persons was shown."""
    audit.record_view(
        actor=user,
        unit=household.village,
        object_type="person_list",
        object_id=str(household.pk),
        object_repr=str(household),
        household_id=household.pk,
        note=_CHANNEL_NOTE[channel] + "Xem danh sách nhân khẩu của hộ",
    )
