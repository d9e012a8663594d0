"""Write a planned import in one transaction, with its audit trail."""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from smartvillage.accounts.names import actor_label
from smartvillage.accounts.permissions import Action, can
from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.audit.services import _jsonable
from smartvillage.core.errors import DomainError
from smartvillage.registry.models import Household, Person
from smartvillage.results.services import recount_villages
from smartvillage.transfer.importing import rejected
from smartvillage.transfer.importing.report import ImportReport, ProgressFn

CHUNK = 5000  # persons (and audit rows) built and inserted at a time


def _created_after(fields: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    after = {k: _jsonable(v) for k, v in fields.items()}
    if extra:
        after["extra"] = _jsonable(extra)
    return after


def _snapshot_changes(changes: dict[str, tuple[Any, Any]]) -> tuple[dict, dict]:
    before = {k: _jsonable(v[0]) for k, v in changes.items()}
    after = {k: _jsonable(v[1]) for k, v in changes.items()}
    return before, after


def _raw_insert(model: type[Any], rows: list[dict[str, Any]], returning: bool) -> list[int]:
    """Multi-row INSERT … VALUES (…), (…) [RETURNING id] of plain dicts (attname -> value).

    Django's bulk_create prepares every value of every field through the field API, which costs
    more than the database itself on 100.000 rows; here each column has one precomputed converter
    (dates, decimals and JSON through the connection's own adapters), everything else passes as is.
    Returned ids come back in VALUES order, as Django's bulk_create also relies on.
    """
    if not rows:
        return []
    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = []
    for f in fields:
        kind = f.get_internal_type()
        if kind == "DateField":
            convert = ops.adapt_datefield_value
        elif kind == "DecimalField":
            convert = functools.partial(_adapt_decimal, ops, f.max_digits, f.decimal_places)
        elif kind == "JSONField":
            convert = functools.partial(f.get_db_prep_save, connection=connection)
        else:
            convert = None
        # Rows need not all have the same keys (a relationship set on the head's row only, a
        # sex from an x under "Nam"/"Nữ"): a missing key is the field's default.
        default = f.get_default()
        if default is not None and convert is not None:
            default = convert(default)
        columns.append((f.attname, convert, default))
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # SQLite allows 32.766 variables per statement, PostgreSQL 65.535.
    batch = max(1, 30000 // len(fields))
    ids: list[int] = []
    suffix = " RETURNING " + ops.quote_name(model._meta.pk.column) if returning else ""
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params: list[Any] = []
            for row in chunk:
                for attname, convert, default in columns:
                    if attname in row:
                        value = row[attname]
                        params.append(
                            convert(value) if convert is not None and value is not None else value
                        )
                    else:
                        params.append(default)
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))}{suffix}",
                params,
            )
            if returning:
                ids.extend(r[0] for r in cursor.fetchall())
    return ids


def _adapt_decimal(ops: Any, max_digits: int, places: int, value: Any) -> Any:
    return ops.adapt_decimalfield_value(Decimal(value), max_digits, places)


def _bump_versions(model: type[Any], pks: list[int]) -> None:
    """An import's change is a new version of the row, like a form's (optimistic locking,
    core.concurrency): an edit form opened before the import is then refused, not silently
    overwriting it. F() so a web edit saved meanwhile still counts."""
    for start in range(0, len(pks), 10000):
        model.objects.filter(pk__in=pks[start : start + 10000]).update(version=F("version") + 1)


def apply(
    report: ImportReport,
    user: Any = None,
    progress: ProgressFn | None = None,
    *,
    partial: bool = False,
    accept_proposed: bool = False,
    rejected_dir: Path | None = None,
) -> ImportReport:
    """Write the planned changes in one transaction, with the audit trail.

    Refuses while a column question is open or a proposal is unconfirmed (unless
    `accept_proposed`), and on any error, unless `partial`: then the households without an error
    are written and the rows of the others go to an XLSX with a "Lỗi" column
    (`report.rejected_path`, in `rejected_dir` or the data directory's "rejected" folder).
    """
    village = report.village
    if user is not None and not can(user, Action.EDIT_REGISTRY, village):
        raise PermissionDenied(f"edit_registry on {village}")
    if report.questions:
        columns = ", ".join(f"{q['sheet']}!{q['column']} ({q['header']})" for q in report.questions)
        raise DomainError(
            f"Còn {len(report.questions)} cột chưa rõ là trường nào: {columns}. Hãy chọn trường "
            "hoặc bỏ qua từng cột; chưa ghi gì.",
            "import_has_questions",
        )
    if report.proposed and not accept_proposed:
        columns = ", ".join(f"{q['sheet']}!{q['column']} → {q['label']}" for q in report.proposed)
        raise DomainError(
            f"Cần xác nhận {len(report.proposed)} cột được đề xuất: {columns}; chưa ghi gì.",
            "import_has_proposals",
        )
    if not report.ok and not partial:
        raise DomainError(
            f"Tệp có {len(report.errors)} lỗi; chưa ghi gì. Hãy sửa rồi nhập lại.",
            "import_has_errors",
        )
    if not report.ok:
        valid, rejected_rows = rejected.split(report)
        directory = rejected_dir or Path(settings.DATA_DIR) / "rejected"
        path = rejected.write_rejected(report, rejected_rows, directory)
        report.rejected_households = len(report.households) - len(valid)
        report.rejected = len(rejected_rows)
        report.rejected_path = str(path)
        report.households = valid
        report.counts = {**rejected.counts_of(valid), "rejected_rows": report.rejected}
    now = timezone.now()
    db_now = connection.ops.adapt_datetimefield_value(now)
    new_h = [h for h in report.households if h.action == "create"]
    upd_h = [h for h in report.households if h.action == "update"]
    new_p = [p for h in report.households for p in h.persons if p.action == "create"]
    upd_p = [p for h in report.households for p in h.persons if p.action == "update"]
    total = len(new_h) + len(upd_h) + len(new_p) + len(upd_p)
    if progress:
        progress("write", 0, total)  # still outside the transaction: a heartbeat others can see
    with transaction.atomic():
        actor = user if getattr(user, "pk", None) else None
        parent = AuditEvent.objects.create(
            actor=actor,
            actor_name=actor_label(user) or "system",
            action=AuditAction.IMPORT,
            unit=village,
            object_type="import",
            object_repr=", ".join(report.file_names)[:200],
            note=f"{', '.join(report.file_names)}: {report.summary()}"[:500],
        )
        rows = []
        for h in new_h:
            row = {
                "village_id": village.pk,
                "code": h.code,
                "created_at": db_now,
                "updated_at": db_now,
                "extra": dict(h.extra),
            }
            row.update(h.fields)
            rows.append(row)
        for h, pk in zip(new_h, _raw_insert(Household, rows, returning=True), strict=True):
            h.instance.pk = h.instance.id = pk
        changed_fields: set[str] = set()
        for h in upd_h:
            for key, (_old, new) in h.changes.items():
                setattr(h.instance, key, new)
                changed_fields.add(key)
            h.instance.updated_at = now
        if upd_h:
            Household.objects.bulk_update(
                [h.instance for h in upd_h],
                sorted(changed_fields | {"updated_at"}),
                batch_size=1000,
            )
            _bump_versions(Household, [h.instance.pk for h in upd_h])
        if progress:
            progress("write", len(new_h) + len(upd_h), total)

        done = len(new_h) + len(upd_h)
        for start in range(0, len(new_p), CHUNK):
            chunk = new_p[start : start + CHUNK]
            rows = []
            for person in chunk:
                row = {
                    "household_id": person.household.instance.pk,
                    "village_id": village.pk,
                    "created_at": db_now,
                    "updated_at": db_now,
                    "extra": dict(person.extra),
                }
                row.update(person.fields)
                rows.append(row)
            for person, pk in zip(chunk, _raw_insert(Person, rows, returning=True), strict=True):
                person.pk = pk
            done += len(chunk)
            if progress:
                progress("write", done, total)
        p_fields: set[str] = set()
        for person in upd_p:
            for key, (_old, new) in person.changes.items():
                setattr(person.instance, key, new)
                p_fields.add(key)
            person.instance.updated_at = now
            person.pk = person.instance.pk
        if upd_p:
            Person.objects.bulk_update(
                [p.instance for p in upd_p], sorted(p_fields | {"updated_at"}), batch_size=1000
            )
            _bump_versions(Person, [p.instance.pk for p in upd_p])

        base = {
            "at": db_now,
            "actor_id": actor.pk if actor else None,
            "actor_name": parent.actor_name,
            "unit_id": village.pk,
            "batch_id": parent.pk,
            "note": "",
        }
        events: list[dict[str, Any]] = []
        for h in [*new_h, *upd_h]:
            before, after = _snapshot_changes(h.changes)
            created = h.action == "create"
            events.append(
                {
                    **base,
                    "action": AuditAction.CREATE if created else AuditAction.UPDATE,
                    "object_type": "household",
                    "object_id": str(h.instance.pk),
                    "object_repr": f"{h.code} - {h.instance.head_name if not created else h.fields.get('head_name', '')}"[
                        :200
                    ],
                    "household_id": h.instance.pk,
                    "before": None if created else before,
                    "after": after,
                }
            )
            if len(events) >= CHUNK:
                _raw_insert(AuditEvent, events, returning=False)
                events = []
        for person in [*new_p, *upd_p]:
            created = person.action == "create"
            if created:
                before, after = None, _created_after(person.fields, person.extra)
            else:
                before, after = _snapshot_changes(person.changes)
            events.append(
                {
                    **base,
                    "action": AuditAction.CREATE if created else AuditAction.UPDATE,
                    "object_type": "person",
                    "object_id": str(person.pk),
                    "object_repr": str(person.fields.get("full_name") or person.instance.full_name)[
                        :200
                    ],
                    "household_id": person.household.instance.pk,
                    "before": before,
                    "after": after,
                }
            )
            if len(events) >= CHUNK:
                # Written in chunks: the audit rows of 100.000 persons are never all in memory.
                _raw_insert(AuditEvent, events, returning=False)
                events = []
        _raw_insert(AuditEvent, events, returning=False)
        # The village's stored criteria counts change with its registry, in this transaction.
        recount_villages([village.pk])
        if progress:
            progress("write", total, total)
    report.event = parent
    report.applied = True
    return report
