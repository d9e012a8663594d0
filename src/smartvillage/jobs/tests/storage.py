"""Test helpers: media files in memory (InMemoryStorage), so that a leftover use of a local
path (MEDIA_ROOT, `.path`, `open()` on a media file) fails instead of passing by luck."""

from __future__ import annotations

from pathlib import Path
from typing import Any

MEMORY = {"BACKEND": "django.core.files.storage.InMemoryStorage"}


def use_memory_media(settings: Any) -> Path:
    """Switch the default storage to memory; returns MEDIA_ROOT, which must stay absent."""
    settings.STORAGES = {**settings.STORAGES, "default": MEMORY}
    return Path(settings.MEDIA_ROOT)
