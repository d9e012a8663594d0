"""The evidence type list (evidence/data/evidence_types.yaml), kept as data."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

_PATH = Path(__file__).parent / "data" / "evidence_types.yaml"


@functools.cache
def categories() -> dict[str, dict]:
    return yaml.safe_load(_PATH.read_text(encoding="utf-8"))["categories"]


@functools.cache  # static data; the engine asks for the same labels for every village
def type_label(category: str, type_: str) -> str:
    return categories().get(category, {}).get("types", {}).get(type_, type_)


def category_label(category: str) -> str:
    return categories().get(category, {}).get("label_vi", category)


def is_known(category: str, type_: str) -> bool:
    return type_ in categories().get(category, {}).get("types", {})
