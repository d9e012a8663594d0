"""The facts catalogue, kept as data (registry/data/facts.yaml plus any SMARTVILLAGE_FACTS_DIRS).

Storage choice (docs/decisions/002-facts-storage.md): the seeds' facts are boolean columns, which
the database aggregates fastest; facts a province adds later live in a JSON "extra" column and are
queried through JSON key lookups, so a new fact needs a YAML entry, not a migration.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings

from smartvillage.core.errors import DomainError

LEVELS = ("household", "person")
TYPES = ("bool", "int", "text", "date")
STORAGES = ("column", "extra")
_BUILTIN = Path(__file__).parent / "data" / "facts.yaml"


@dataclass(frozen=True)
class Fact:
    key: str
    level: str
    type: str
    storage: str
    label_vi: str
    label_en: str
    headers: tuple[str, ...] = field(default_factory=tuple)
    # (field of the same record, condition): the fact is true when the condition holds there.
    derived_from: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def lookup(self) -> str:
        """The ORM path of this fact on its own model (Household or Person)."""
        return self.key if self.storage == "column" else f"extra__{self.key}"

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        return self.label_en if (get_language() or "vi").startswith("en") else self.label_vi


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form of a header ("ĐTTM" == "dttm")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().replace("_", " ").split())


def _parse(path: Path) -> list[Fact]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DomainError(f"{path}: YAML không hợp lệ: {exc}", "bad_facts_file") from exc
    facts: list[Fact] = []
    for index, raw in enumerate(data.get("facts", []), start=1):
        where = f"{path.name}, fact #{index} ({raw.get('key', '?')})"
        for required in ("key", "level", "type", "label_vi"):
            if not raw.get(required):
                raise DomainError(f"{where}: thiếu trường “{required}”", "bad_facts_file")
        if raw["level"] not in LEVELS:
            raise DomainError(f"{where}: level phải là một trong {LEVELS}", "bad_facts_file")
        if raw["type"] not in TYPES:
            raise DomainError(f"{where}: type phải là một trong {TYPES}", "bad_facts_file")
        storage = raw.get("storage", "extra")
        if storage not in STORAGES:
            raise DomainError(f"{where}: storage phải là một trong {STORAGES}", "bad_facts_file")
        facts.append(
            Fact(
                key=raw["key"],
                level=raw["level"],
                type=raw["type"],
                storage=storage,
                label_vi=raw["label_vi"],
                label_en=raw.get("label_en") or raw["label_vi"],
                headers=tuple(raw.get("headers") or ()),
                derived_from=_derivations(raw.get("derived_from"), where),
            )
        )
    return facts


DERIVATION_CONDITIONS = ("present",)


def _derivations(raw: object, where: str) -> tuple[tuple[str, str], ...]:
    out = []
    for item in raw or ():
        if not isinstance(item, dict) or not item.get("field"):
            raise DomainError(f"{where}: derived_from cần “field”", "bad_facts_file")
        when = item.get("when", "present")
        if when not in DERIVATION_CONDITIONS:
            raise DomainError(
                f"{where}: derived_from.when phải là một trong {DERIVATION_CONDITIONS}",
                "bad_facts_file",
            )
        out.append((str(item["field"]), when))
    return tuple(out)


@functools.cache
def catalogue() -> dict[str, Fact]:
    paths = [_BUILTIN]
    for directory in settings.SMARTVILLAGE_FACTS_DIRS:
        paths.extend(sorted(Path(directory).glob("*.yaml")))
    result: dict[str, Fact] = {}
    for path in paths:
        for fact in _parse(path):
            if fact.key in result and path != _BUILTIN:
                raise DomainError(
                    f"{path.name}: fact “{fact.key}” đã có trong danh mục", "bad_facts_file"
                )
            if fact.storage == "column" and path != _BUILTIN:
                # Columns need a migration; added facts always go to the JSON column.
                fact = Fact(**{**fact.__dict__, "storage": "extra"})
            result[fact.key] = fact
    return result


def get_fact(key: str) -> Fact:
    try:
        return catalogue()[key]
    except KeyError:
        raise DomainError(
            f"Không có chỉ tiêu dữ liệu (fact) “{key}” trong danh mục", "unknown_fact"
        ) from None


def facts_for(level: str) -> list[Fact]:
    return [f for f in catalogue().values() if f.level == level]


def column_facts(level: str) -> list[Fact]:
    return [f for f in facts_for(level) if f.storage == "column"]


def derived_from(key: str) -> tuple[tuple[str, str], ...]:
    """The fields a fact is derived from ((field, condition), …); empty for a plain fact."""
    fact = catalogue().get(key)
    return fact.derived_from if fact is not None else ()


def _holds(value: object, when: str) -> bool:
    if when == "present":
        return value not in (None, "", False)
    return False


def derive(level: str, values: dict[str, object]) -> dict[str, bool]:
    """The facts of `level` that `values` (a record's fields) make true by the catalogue's rules.

    A household with a digital address code has a digital address and was notified of it. Only
    facts that come out true are returned: a derivation adds to what the record says (OR), it
    never clears a fact the record states.
    """
    out: dict[str, bool] = {}
    for fact in facts_for(level):
        for source, when in fact.derived_from:
            if source in values and _holds(values[source], when):
                out[fact.key] = True
                break
    return out
