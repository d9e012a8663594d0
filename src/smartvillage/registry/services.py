"""Action functions for the registry: each checks permission, writes atomically, audits.

Views and the importer validate input, then call these; nothing else writes households/persons.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from smartvillage.accounts.permissions import Action, can
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
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
    locked = Household.objects.select_for_update().get(pk=household.pk)
    before = audit.snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    after = audit.snapshot(locked)
    if before != after:
        audit.record(
            actor=user,
            action=AuditAction.UPDATE,
            instance=locked,
            unit=locked.village,
            before=before,
            after=after,
            household_id=locked.pk,
        )
    return locked


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
    locked = Person.objects.select_for_update().get(pk=person.pk)
    before = audit.snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    if "household" in fields:
        _require(user, Action.EDIT_REGISTRY, locked.household.village)
        locked.village_id = locked.household.village_id
    locked.full_clean()
    locked.save()
    after = audit.snapshot(locked)
    if before != after:
        audit.record(
            actor=user,
            action=AuditAction.UPDATE,
            instance=locked,
            unit=locked.household.village,
            before=before,
            after=after,
            household_id=locked.household_id,
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
