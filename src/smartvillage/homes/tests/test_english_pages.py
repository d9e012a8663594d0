"""English pages carry no Vietnamese interface strings: every msgid of the catalogue (Vietnamese
is the source language) of three or more words must not appear, untranslated, on the pages each
role uses. Data (unit names, criteria titles, people) is Vietnamese and is not checked."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from smartvillage.assessments import services
from smartvillage.assessments.tests.conftest import AT, PHUTHO, populate

VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]")


def _msgids(po: str) -> list[str]:
    """The msgids of a .po file (obsolete "#~" entries are comments and are skipped)."""
    out: list[str] = []
    current: list[str] | None = None
    for line in po.splitlines():
        if line.startswith("msgid "):
            current = [line[6:]]
            out.append("")
        elif line.startswith('"') and current is not None:
            current.append(line)
        else:
            if current is not None:
                out[-1] = "".join(ast.literal_eval(part) for part in current)
            current = None
    return [text for text in out if text]


def _interface_strings() -> set[str]:
    """Vietnamese msgids of 3+ words without placeholders, from every catalogue we ship."""
    out: set[str] = set()
    roots = [Path(p) for p in settings.LOCALE_PATHS] + list(
        Path(settings.PACKAGE_DIR).glob("*/locale")
    )
    for root in roots:
        po_file = root / "en" / "LC_MESSAGES" / "django.po"
        if not po_file.exists():
            continue
        for text in _msgids(po_file.read_text(encoding="utf-8")):
            text = text.strip()
            if "%" in text or "{" in text or len(text.split()) < 3:
                continue
            if VIETNAMESE.search(text.lower()):
                out.add(text)
    return out


def _visible_text(page: str) -> str:
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


@pytest.fixture
def pages(world):
    populate(world.village1)
    a = services.do_create(world.alice, world.village1, PHUTHO, AT)
    services.do_submit(world.alice, a)
    services.do_confirm(world.dave, a)
    v, c = world.village1.pk, world.commune.pk
    return {
        "alice": [
            reverse("core:home"),
            reverse("core:unit", args=[v]),
            reverse("core:unit_map", args=[v]),
            reverse("core:unit_trend", args=[v]),
            reverse("criteria:worklist", args=[v, PHUTHO, "1.1"]),
        ],
        "dave": [
            reverse("core:home"),
            reverse("core:unit", args=[c]),
            reverse("assessments:list", args=[c]),
            reverse("core:all_units"),
        ],
        "carol": [
            reverse("core:unit_map", args=[c]),
            reverse("core:village_position", args=[v]),
        ],
        "erin": [reverse("core:home"), reverse("assessments:detail", args=[a.pk])],
        "root": [reverse("core:home")],
    }


def _data_texts() -> str:
    """Criteria sets' own words (titles, requirements): data in Vietnamese, not interface."""
    from smartvillage.criteria.loader import all_sets

    parts = []
    for cset in all_sets():
        parts.append(cset.title)
        for c in cset.criteria:
            parts += [c.title, c.requirement or ""] + [p.title for p in c.also]
    return "\n".join(parts)


def test_english_pages_have_no_vietnamese_interface_strings(client, world, pages):
    data = _data_texts()
    strings = {s for s in _interface_strings() if s not in data}
    assert len(strings) > 100  # the catalogue was read
    found: dict[str, list[str]] = {}
    for username, urls in pages.items():
        client.force_login(getattr(world, username))
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = _visible_text(response.content.decode())
            left = sorted(s for s in strings if s in text)
            if left:
                found[f"{username} {url}"] = left
        client.logout()
    assert not found, found


def test_counting_words_in_english(world, client):
    """ "38 người short" was a Vietnamese leftover: the engine's counting words are translated."""
    from django.utils import translation

    from smartvillage.core.templatetags.core_tags import count_word

    with translation.override("en"):
        words = [count_word(w) for w in ("hộ", "người", "thôn", "xã", "minh chứng")]
    assert not [w for w in words if VIETNAMESE.search(w)], words
