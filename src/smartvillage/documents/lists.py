"""The official lists (Biểu 01–04 of the Phú Thọ guidance and the like): one context and one
template (bieu.docx), used for the annex of Mẫu số 01 and for the standalone list, so that the two
are the same page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from smartvillage.core.formats import format_date, format_number
from smartvillage.documents import rendering
from smartvillage.documents.wording import in_sentence


def list_context(
    *,
    code: str,
    title: str,
    village_name: str,
    commune_name: str,
    at: dt.date,
    households: bool,
    rows: Iterable[tuple[str, str]],
) -> dict[str, Any]:
    """`rows`: (name, note) of the members meeting the criterion, in order."""
    numbered = [
        {"index": format_number(i), "name": name, "note": note or ""}
        for i, (name, note) in enumerate(rows, start=1)
    ]
    where = ", ".join(
        part for part in (village_name, in_sentence(commune_name) if commune_name else "") if part
    )
    return {
        "code": code,
        "title": title.rstrip(". "),
        "subtitle": f"{where} – số liệu ngày {format_date(at)}",
        # The seed's header: "Họ và Tên(chủ hộ)" for households, "Họ và Tên" for persons.
        "name_header": "Họ và Tên (chủ hộ)" if households else "Họ và Tên",
        "rows": numbered,
        "total": f"{format_number(len(numbered))} {'hộ' if households else 'người'}",
        "commune_signer": "",
        "village_signer": "",
    }


def render_list_docx(context: dict[str, Any], fixed_time: dt.datetime | None = None) -> bytes:
    return rendering.render_docx(
        "bieu.docx", {"l": context}, fixed_time=fixed_time, title=context["title"]
    )
