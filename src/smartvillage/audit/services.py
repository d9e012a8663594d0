"""Audit entries are written by the action functions that change data, in their transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils import timezone

from smartvillage.accounts.names import actor_label
from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.core import concurrency

# `version` counts the changes (optimistic locking); the entries themselves are that count.
_SKIP = {"created_at", "updated_at", "version"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The field values of an instance as JSON-ready data (foreign keys as ids)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in _SKIP or field.primary_key:
            continue
        data[field.attname] = _jsonable(getattr(instance, field.attname))
    return data


def record(
    *,
    actor: Any,
    action: str,
    instance: models.Model | None = None,
    unit: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    household_id: int | None = None,
    batch: AuditEvent | None = None,
    note: str = "",
    object_type: str | None = None,
    object_repr: str | None = None,
    object_id: str | None = None,
    save: bool = True,
    count: int | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        # "Huỳnh Văn Tâm (truongthon.anphu)": readable, and the account stays identifiable.
        actor_name=actor_label(actor) if getattr(actor, "username", "") else "system",
        action=action,
        unit=unit,
        object_type=object_type or (instance._meta.model_name if instance is not None else ""),
        object_id=_fit_id(
            object_id
            if object_id is not None
            else str(instance.pk)
            if instance is not None and instance.pk
            else ""
        ),
        object_repr=(
            object_repr
            if object_repr is not None
            else str(instance)
            if instance is not None
            else ""
        )[:200],
        household_id=household_id,
        before=before,
        after=after,
        batch=batch,
        note=note[:500],
        record_count=count,
    )
    if save:
        event.save()
    return event


VIEW_LOG_WINDOW = dt.timedelta(hours=1)
_ID_LENGTH = AuditEvent._meta.get_field("object_id").max_length or 40


def _fit_id(object_id: str) -> str:
    """A composite key longer than the column ("unit:set:criterion") becomes a stable digest, so
    PostgreSQL never refuses the row and equal keys still compare equal."""
    if len(object_id) <= _ID_LENGTH:
        return object_id
    return "h:" + hashlib.sha1(object_id.encode("utf-8")).hexdigest()[: _ID_LENGTH - 2]


def record_view(
    *,
    actor: Any,
    unit: Any,
    object_type: str,
    object_id: str = "",
    object_repr: str = "",
    household_id: int | None = None,
    note: str = "",
    count: int | None = None,
    once_per_hour: bool | None = None,
) -> None:
    """Personal data was shown to `actor` (Law 91/2025: who saw whose data).

    With `count` (a list page, a download, an API page: how many records it showed) every call
    is one entry, so 750 households read over 15 API pages are 15 entries of 750 records in all.
    Without it (one object's page), one entry per actor and object per hour, so reloading a page
    does not flood the trail while every distinct look is still on record. `once_per_hour=True`
    with a `count` keeps that hourly rule for one object's page that shows several records (a
    household with its persons).
    """
    if once_per_hour is None:
        once_per_hour = count is None
    if not once_per_hour:
        record(
            actor=actor,
            action=AuditAction.VIEW,
            unit=unit,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            household_id=household_id,
            note=note,
            count=count,
        )
        return
    recent = AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        object_type=object_type,
        object_id=_fit_id(object_id),
        actor_id=getattr(actor, "pk", None),
        at__gte=timezone.now() - VIEW_LOG_WINDOW,
    )
    if not recent.exists():
        record(
            actor=actor,
            action=AuditAction.VIEW,
            unit=unit,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            household_id=household_id,
            note=note,
            count=1 if count is None else count,
        )


def update_audited(
    actor: Any,
    instance: models.Model,
    fields: dict[str, Any],
    *,
    unit: Any,
    validate: Callable[[Any], None] = lambda obj: obj.full_clean(),
    household_id: Any = None,
    update_fields: list[str] | None = None,
    expected_version: int | None = None,
) -> Any:
    """The body every `do_update_*` action shares: lock the row, apply `fields`, validate, save,
    and record one UPDATE entry with before/after values when anything changed.

    Call it inside the action's transaction. `validate(locked)` may also fix derived fields or
    refuse (raise); `unit` and `household_id` may be callables of the saved row (a person moved to
    another household belongs to that household's village).

    Optimistic locking: a versioned row (core.concurrency) gets `version + 1` with every saved
    change; `expected_version`, when given, is the version the edit was based on, and a row that
    has moved on since raises StaleEdit (with the other changes) before anything is written.
    """
    locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    versioned = concurrency.has_version(locked)
    if versioned and expected_version is not None and locked.version != expected_version:
        raise concurrency.StaleEdit(
            locked, expected_version, concurrency.other_changes(locked, expected_version)
        )
    before = snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    validate(locked)
    changed = snapshot(locked) != before
    if versioned and changed:
        locked.version += 1
        if update_fields is not None:
            update_fields = [*update_fields, concurrency.VERSION_FIELD]
    locked.save(update_fields=update_fields)
    after = snapshot(locked)
    if changed:
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=locked,
            unit=unit(locked) if callable(unit) else unit,
            before=before,
            after=after,
            household_id=household_id(locked) if callable(household_id) else household_id,
        )
    return locked
