"""How people's names are shown: Vietnamese order, family name first.

A Vietnamese name is họ (family name), tên đệm (middle name) and tên (given name): "Huỳnh Văn
Tâm". Django's User keeps two fields and its get_full_name() says "first last"; here last_name
holds họ and đệm ("Huỳnh Văn"), first_name the tên ("Tâm"), and the full name is last + first.
"""

from __future__ import annotations

from typing import Any

# AuditEvent.actor_name (and Django's username) are at most this long.
ACTOR_NAME_MAX = 150


def display_name(user: Any) -> str:
    """ "Huỳnh Văn Tâm" for last_name "Huỳnh Văn", first_name "Tâm"; the username if no name."""
    if user is None:
        return ""
    last = " ".join(str(getattr(user, "last_name", "") or "").split())
    first = " ".join(str(getattr(user, "first_name", "") or "").split())
    full = " ".join(part for part in (last, first) if part)
    return full or str(getattr(user, "username", "") or "")


def actor_label(user: Any, max_length: int = ACTOR_NAME_MAX) -> str:
    """The name the audit trail keeps for who acted: "Huỳnh Văn Tâm (truongthon.anphu)".

    The username is always kept whole (it is what identifies the account); a name too long for
    `max_length` is shortened with "…". Without a name: just the username.
    """
    username = str(getattr(user, "username", "") or "")
    name = display_name(user)
    if not username:
        return name[:max_length]
    if name == username:
        return username[:max_length]
    suffix = f" ({username})"
    room = max_length - len(suffix)
    if room < 2:  # not even one letter and "…": the username alone
        return username[:max_length]
    if len(name) > room:
        name = name[: room - 1].rstrip() + "…"
    return f"{name}{suffix}"
