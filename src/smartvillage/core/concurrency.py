"""Optimistic locking: an edit names the version it was based on; a newer one refuses it.

Households, persons, evidence, plans and tasks carry a `version` that `audit.update_audited`
raises by one with every change it saves (and writes one audit entry for). A web form sends the
version it showed in a hidden field, an API client the ETag in `If-Match`; when the row has moved
on, the action raises `StaleEdit` under the row lock, nothing is written, and the page shows the
other person's change (the audit entries since that version), so the user decides again.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from smartvillage.core.errors import DomainError

VERSION_FIELD = "version"


def has_version(instance: models.Model) -> bool:
    return any(f.name == VERSION_FIELD for f in instance._meta.concrete_fields)


class StaleEdit(DomainError):
    """The row was changed by someone else since the version the edit was based on."""

    def __init__(self, current: models.Model, expected: int, events: list[Any]) -> None:
        self.current = current
        self.expected = expected
        self.events = events
        super().__init__(stale_message(current, events), "stale_edit")


def other_changes(instance: models.Model, since_version: int) -> list[Any]:
    """The audit UPDATE entries of the changes after `since_version` (one per version step)."""
    from smartvillage.audit.models import AuditAction, AuditEvent

    steps = max(0, int(getattr(instance, VERSION_FIELD, 0)) - since_version)
    if not steps:
        return []
    events = AuditEvent.objects.filter(
        object_type=instance._meta.model_name,
        object_id=str(instance.pk),
        action=AuditAction.UPDATE,
    ).order_by("-at", "-id")[:steps]
    return list(reversed(events))


def _labels(instance: models.Model) -> dict[str, str]:
    return {f.attname: str(f.verbose_name) for f in instance._meta.concrete_fields}


def describe_changes(instance: models.Model, events: list[Any]) -> list[str]:
    """Each other change as one line: who, when, and field: before → after (identity masked)."""
    from smartvillage.audit.views import masked_changes

    labels = _labels(instance)
    lines = []
    for event in events:
        parts = [
            f"{r['field']}: {r['before']} → {r['after']}" for r in masked_changes(event, labels)
        ]
        when = timezone.localtime(event.at).strftime("%H:%M %d/%m/%Y")
        who = event.actor_name or gettext("hệ thống")
        lines.append(
            gettext("%(who)s lúc %(when)s: %(changes)s")
            % {"who": who, "when": when, "changes": "; ".join(parts) or "–"}
        )
    return lines


def stale_message(instance: models.Model, events: list[Any]) -> str:
    lines = describe_changes(instance, events)
    head = gettext(
        "Trong lúc bạn sửa, người khác đã lưu thay đổi cho “%(object)s”; chưa ghi gì của bạn."
    ) % {"object": str(instance)}
    tail = gettext(
        "Hãy xem lại: biểu mẫu vẫn giữ những gì bạn nhập; bấm Lưu lần nữa nếu vẫn muốn ghi."
    )
    if lines:
        return f"{head} {gettext('Thay đổi của họ')}: " + " | ".join(lines) + f". {tail}"
    return f"{head} {tail}"


def posted_version(request: HttpRequest) -> int | None:
    """The version a web form was based on (its hidden field), None when it sent none."""
    raw = (request.POST.get(VERSION_FIELD) or "").strip()
    return int(raw) if raw.isdigit() else None


def etag(instance: models.Model) -> str:
    """The API's ETag of a versioned row: its id and version, quoted (RFC 9110)."""
    return f'"{instance.pk}-{getattr(instance, VERSION_FIELD)}"'


def version_from_etag(value: str, instance: models.Model) -> int | None:
    """The version named by an If-Match value for this row; None when it names no version of it.

    A weak tag (W/"…") is accepted as the same tag: proxies may weaken it when they compress.
    """
    for tag in value.split(","):
        tag = tag.strip()
        if tag == "*":
            return int(getattr(instance, VERSION_FIELD))
        tag = tag.removeprefix("W/").strip('"')
        pk, _, version = tag.rpartition("-")
        if pk == str(instance.pk) and version.isdigit():
            return int(version)
    return None
