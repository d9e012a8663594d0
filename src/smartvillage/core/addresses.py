"""Absolute addresses printed for residents (posters, QR codes, survey links)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def absolute(request: HttpRequest, path: str) -> str:
    """`path` on the site as residents reach it: PUBLIC_BASE_URL when the site sits behind a
    proxy that changes the host, else the address of this request."""
    base = settings.PUBLIC_BASE_URL or request.build_absolute_uri("/")[:-1]
    return base.rstrip("/") + path
