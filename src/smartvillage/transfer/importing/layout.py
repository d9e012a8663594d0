"""Find the header of a sheet and what each column holds (the sheet's layout).

The header is a band of 1 to 3 rows: the row that names the most known fields, with the rows of
group headers above it (a cell merged across several columns, "Chỉ tiêu chuyển đổi số") and the
sub-headers below (under a group: "Năm sinh" over "Nam" | "Nữ"). A merged group cell is context;
the lowest distinct text names the column ("Giới tính / Nam" is the sex mark, "Năm sinh / Nam" a
man's birth year).

Each column is scored against every field (headers.Matcher) and checked against what it holds
(dates, Nam/Nữ, x/blank, codes). High confidence: mapped. Medium: proposed, to be confirmed.
Low: unmapped; but a column that may hold a core field or a fact a criterion of the village's
province counts is never dropped quietly: it becomes a question (the import cannot be applied
until it is answered by a mapping or a skip).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import column_index_from_string

from smartvillage.registry.facts import catalogue, fold
from smartvillage.transfer import headers as H
from smartvillage.transfer import values as V
from smartvillage.transfer.importing.mapping import _Mapping, _split_mapping
from smartvillage.transfer.importing.parse import _signature_cell, _total_cell
from smartvillage.transfer.importing.report import Column, SheetLayout
from smartvillage.transfer.reader import Sheet, column_letter

MAX_HEADER_SCAN = 30
MAX_HEADER_ROWS = 3
SNIFF_ROWS = 200
FIT = 0.7  # share of a column's values that must fit a field's kind
# Fields a village list is about: never dropped without asking.
CORE_KEYS = frozenset(
    {
        "full_name",
        "head_name",
        "birth_date",
        "birth_male",
        "birth_female",
        "sex",
        "sex_male",
        "sex_female",
        "relationship",
        "household_code",
    }
)
_NAME_KEYS = frozenset({"full_name", "head_name", "household_code"})
_NUMBERING = re.compile(r"^\(?\d{1,3}\)?$|^\(?[a-z]\)?$")
# A digital address code: 8-16 letters and digits without spaces, with at least one digit.
_CODE = re.compile(r"^(?=[^\s]*\d)[A-Za-z0-9][A-Za-z0-9.\-_/]{7,15}$")
_SEX_WORDS = {"nam", "nu", "m", "f", "male", "female", "trai", "gai"}
_ADDRESS_KEYS = {"address", "digital_address", "digital_address_notified", "digital_address_code"}


@dataclass
class LayoutContext:
    """What layout detection needs, built once per preview."""

    mapping: _Mapping
    fields: dict[str, H.Field]
    important: frozenset[str] = CORE_KEYS
    table: dict[str, H.Field] = field(default_factory=H.lookup_table)
    matcher: H.Matcher = field(default_factory=H.Matcher)
    _cache: dict[str, Any] = field(default_factory=dict)

    def quick(self, text: str) -> H.Field | str | None:
        """A header cell's field when it is sure enough to find the header row (cached)."""
        hit = self._cache.get(text, 0)
        if hit != 0:
            return hit
        result: H.Field | str | None = None
        for form in H.variants(text):
            if form in self.mapping.header_keys:
                key = self.mapping.header_keys[form]
                result = self.fields[key] if key else "ignore"
                break
        else:
            found = H.match(text, self.table)
            if found is not None:
                result = found
            elif H.is_ignored(text):
                result = "ignore"
            elif len(text) <= 80 and any(ch.isalpha() for ch in text):
                ranked = self.matcher.rank(text, limit=2)
                if ranked and ranked[0].score >= H.MEDIUM:
                    result = ranked[0].field
        self._cache[text] = result
        return result


def _literal(header: str, table: dict[str, H.Field]) -> H.Field | None:
    """The field a header names literally: as written (folded), a Kobo/ODK group path
    ("household/household_code") or a Kobo geopoint part; not a header with its brackets
    dropped ("Internet (FTTH)" is not "Internet": the matcher reads the brackets too)."""
    forms = H.variants(header)
    if forms[0] in table:
        return table[forms[0]]
    if ("/" in header and " " not in header.strip()) or header.strip().startswith("_"):
        return H.match(header, table)
    return None


def _cell_text(value: object) -> str:
    return V.text(value)


def _row_score(values: list[object], ctx: LayoutContext) -> int:
    """How many known fields a row names (0 unless one is a name or a household code)."""
    keys = set()
    for value in values:
        if isinstance(value, str):
            found = ctx.quick(_cell_text(value))
            if isinstance(found, H.Field):
                keys.add(found.key)
    if not keys & _NAME_KEYS:
        return 0
    return len(keys)


def header_score(
    rows: list[tuple[int, list[object]]],
    table: dict | None = None,
    mapping: dict | None = None,
    fields: dict | None = None,
    ctx: LayoutContext | None = None,
) -> int:
    """How well the best header candidate among the first rows names known fields (CSV delimiter)."""
    if ctx is None:
        ctx = LayoutContext(_split_mapping(mapping), fields or H.all_fields())
    return max((_row_score(values, ctx) for _n, values in rows[:MAX_HEADER_SCAN]), default=0)


@dataclass
class _HeaderFound:
    index: int  # position of the header band's first row in sheet.rows
    end: int  # position of the first data row
    band: list[int]  # positions of the rows that hold header text


def _texts(values: list[object]) -> list[str]:
    return [_cell_text(v) for v in values]


def _is_numbering(values: list[object]) -> bool:
    texts = [t for t in _texts(values) if t]
    return bool(texts) and all(len(t) <= 5 and _NUMBERING.match(fold(t)) for t in texts)


def _looks_like_data(text: str) -> bool:
    if not text:
        return False
    if V.looks_bool(text) and fold(text) not in ("", "-"):
        return True
    try:
        V.parse_date(text)
        return True
    except ValueError:
        pass
    return bool(re.fullmatch(r"[\d.,/ \-]+", text))


def _grouped(texts: list[str], j: int) -> bool:
    return bool(texts[j]) and (
        (j > 0 and texts[j - 1] == texts[j]) or (j + 1 < len(texts) and texts[j + 1] == texts[j])
    )


def _is_title(texts: list[str], width: int) -> bool:
    """A title merged across (or written in the first cell of) the whole table."""
    filled = [t for t in texts if t]
    distinct = set(filled)
    if len(distinct) != 1:
        return False
    return len(filled) >= max(2, int(0.6 * width)) or (len(filled) == 1 and width > 3)


def _can_be_above(upper: list[object], lower: list[object], width: int) -> bool:
    """May `upper` be a group-header row over the header row `lower`?

    Not a title (one text across the table), not a blank row, not a row with data in it; and it
    must look like part of a header: a label over several columns (merged: repeated), a header
    merged down (the same text below), or, as a CSV keeps merged-down headers, a text over a blank
    cell of the header row. A subtitle line right above a full header row is none of these.
    """
    top, below = _texts(upper), _texts(lower)
    if _is_title(top, width) or not any(top):
        return False
    if any(_looks_like_data(text) for text in top if text):
        return False
    return any(
        _grouped(top, j) or (j < len(below) and (below[j] == text or not below[j]))
        for j, text in enumerate(top)
        if text
    )


def _carry_groups(upper: list[str], lower: list[str]) -> list[str]:
    """A CSV keeps a merged group label in its first column only: carry it right over the blank
    cells that have a sub-header under them."""
    upper = list(upper)
    for j in range(1, len(lower)):
        if j >= len(upper):
            upper.append("")
        if not upper[j] and lower[j] and upper[j - 1] and lower[j - 1] != upper[j - 1]:
            upper[j] = upper[j - 1]
    while upper and not upper[-1]:
        upper.pop()
    return upper


def _can_be_below(upper: list[object], lower: list[object]) -> bool:
    """May `lower` be a sub-header row under `upper`? (A data row is not: its cells are data.)"""
    below = _texts(lower)
    top = _carry_groups(_texts(upper), below)
    if not any(below):
        return False
    for j, text in enumerate(below):
        if not text:
            continue
        if _looks_like_data(text):
            return False
        above = top[j] if j < len(top) else ""
        if text != above and above and not _grouped(top, j):
            return False
    return True


def _find_header(sheet: Sheet, ctx: LayoutContext) -> _HeaderFound | None:
    rows = sheet.rows
    best: tuple[int, int] | None = None
    for i in range(min(MAX_HEADER_SCAN, len(rows))):
        score = _row_score(rows[i][1], ctx)
        if best is None or score > best[0]:
            best = (score, i)
    if best is None or best[0] < 2:
        return None
    h = best[1]
    width = max((len(v) for _, v in rows[h : h + 50]), default=0)
    band = [h]
    # Group rows above (consecutive rows only).
    while (
        len(band) < MAX_HEADER_ROWS
        and band[0] > 0
        and rows[band[0] - 1][0] == rows[band[0]][0] - 1
        and _can_be_above(rows[band[0] - 1][1], rows[band[0]][1], width)
    ):
        band.insert(0, band[0] - 1)
    end = h + 1
    while end < len(rows) and rows[end][0] == rows[end - 1][0] + 1:
        values = rows[end][1]
        if _is_numbering(values):
            end += 1
            continue
        if len(band) < MAX_HEADER_ROWS and _can_be_below(rows[band[-1]][1], values):
            band.append(end)
            end += 1
            continue
        break
    for position in band:
        for text in _texts(rows[position][1]):
            entry = ctx.mapping.header_entry(text) if text else None
            if entry is not None:
                entry.used = True
    return _HeaderFound(band[0], end, band)


@dataclass
class ColumnHeader:
    index: int
    parts: list[str]

    @property
    def name(self) -> str:
        return self.parts[-1] if self.parts else ""

    @property
    def context(self) -> str:
        return " ".join(self.parts[:-1])

    @property
    def display(self) -> str:
        return " / ".join(self.parts)


def _column_headers(sheet: Sheet, found: _HeaderFound, width: int) -> list[ColumnHeader]:
    band_rows = [_texts(sheet.rows[p][1]) for p in found.band]
    for i in range(len(band_rows) - 1):
        band_rows[i] = _carry_groups(band_rows[i], band_rows[i + 1])
    out = []
    for j in range(width):
        parts: list[str] = []
        for texts in band_rows:
            text = texts[j] if j < len(texts) else ""
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        out.append(ColumnHeader(j, parts))
    return out


@dataclass
class Sniff:
    """What a column's first values look like."""

    n: int = 0
    dates: int = 0
    sexes: int = 0
    bools: int = 0
    codes: int = 0
    digits: int = 0
    phones: int = 0  # phone numbers (values.looks_phone): 0 + 9-10 digits, +84, a lost 0
    relationships: int = 0
    samples: list[str] = field(default_factory=list)

    def share(self, count: int) -> float:
        return count / self.n if self.n else 0.0


def sniff(values: list[object]) -> Sniff:
    out = Sniff()
    for raw in values:
        text = _cell_text(raw)
        if not text:
            continue
        out.n += 1
        if len(out.samples) < 5 and text not in out.samples:
            out.samples.append(text)
        folded = fold(text)
        is_bool = V.looks_bool(raw)
        if is_bool:
            out.bools += 1
        if folded in _SEX_WORDS:
            out.sexes += 1
        if not is_bool or folded not in ("1", "0"):
            try:
                V.parse_date(raw)
                out.dates += 1
            except (ValueError, TypeError, OverflowError):
                pass
        compact = text.replace(" ", "").replace(".", "")
        if compact.isdigit():
            out.digits += 1
        if not is_bool and V.looks_phone(raw):
            out.phones += 1
        if (
            isinstance(raw, str)
            and _CODE.match(text)
            and not compact.isdigit()
            or isinstance(raw, str)
            and _CODE.match(text)
            and len(compact) not in (9, 12)
        ):
            out.codes += 1
        if V.parse_relationship(raw)[1] and folded:
            out.relationships += 1
    return out


def compatible(f: H.Field, s: Sniff) -> bool:
    """Do the column's values fit the field's kind? (An empty column fits anything.)"""
    if s.n == 0:
        return True
    if f.key in ("birth_male", "birth_female") and s.share(s.bools) >= FIT:
        return True  # an x under "Nam" | "Nữ": the sex marks (_fix_ambiguous)
    if f.kind == H.DATE:
        return s.share(s.dates) >= FIT
    if f.kind == H.SEX:
        return s.share(s.sexes) >= FIT
    if f.kind == H.BOOL:
        return s.share(s.bools) >= FIT
    if f.kind == H.PHONE:
        # "SĐT" holds phone numbers; an x/blank column ("Có ĐTTM") is the smartphone fact.
        return s.share(s.phones) >= FIT
    if f.kind == H.IDNUM:
        # A CCCD has 12 digits (a CMND 9); a column of 10-digit numbers starting with 0 is phones.
        return s.share(s.digits) >= FIT and s.share(s.phones) < 0.5
    if f.kind == H.REL:
        return s.share(s.relationships) >= FIT / 2
    if f.key in ("full_name", "head_name"):
        # Names are not dates, x marks, "Nam"/"Nữ", "Chủ hộ"/"Vợ"/"Con" or phone numbers.
        return all(
            s.share(count) < 0.5 for count in (s.dates, s.bools, s.sexes, s.relationships, s.phones)
        )
    return True


def refuses(f: H.Field, s: Sniff) -> bool:
    """Do the values rule out even a field the header names exactly? Between a phone number and
    the smartphone fact the header words are the same ("Điện thoại", "ĐT"): a column of x/blank
    is never the phone, a column of phone numbers never a yes/no fact."""
    if s.n == 0:
        return False
    if f.kind == H.PHONE:
        return s.share(s.phones) < FIT and s.share(s.bools) >= FIT
    if f.kind == H.BOOL:
        return s.share(s.phones) >= FIT
    return False


def _switch(f: H.Field, s: Sniff, fields: dict[str, H.Field]) -> H.Field:
    """Values decide between fields one header may name."""
    if f.key in _ADDRESS_KEYS and s.n and s.share(s.codes) >= FIT:
        # Codes under an address header: the household's digital address code.
        return fields["digital_address_code"]
    return f


def _label(f: H.Field) -> str:
    return f.label


def _candidate_dicts(cands: list[H.Candidate]) -> list[dict[str, Any]]:
    return [{"field": c.field.key, "label": _label(c.field), "score": c.shown()} for c in cands]


def _entry(
    sheet: Sheet, header: ColumnHeader, s: Sniff, cands: list[H.Candidate], reason: str
) -> dict[str, Any]:
    return {
        "sheet": sheet.name,
        "column": column_letter(header.index),
        "header": header.display,
        "samples": s.samples[:5],
        "candidates": _candidate_dicts(cands[:3]),
        "reason": reason,
    }


def _value_candidates(s: Sniff, header: ColumnHeader, fields: dict) -> list[H.Candidate]:
    """Fields a column's values suggest when its header says nothing clear."""
    out = []
    if s.n == 0:
        return out
    if s.share(s.dates) >= FIT and s.share(s.bools) < 0.5:
        out.append(H.Candidate(fields["birth_date"], 60.0))
    if s.share(s.sexes) >= FIT:
        out.append(H.Candidate(fields["sex"], 60.0))
    if s.share(s.relationships) >= FIT:
        out.append(H.Candidate(fields["relationship"], 60.0))
    if s.share(s.phones) >= FIT:
        out.append(H.Candidate(fields["phone"], 60.0))
    if s.share(s.codes) >= FIT and "dia chi" in fold(header.display):
        out.append(H.Candidate(fields["digital_address_code"], 70.0))
    return out


_PERSON_KEYS = {
    "birth_date",
    "birth_male",
    "birth_female",
    "sex",
    "sex_male",
    "sex_female",
    "relationship",
    "identity_number",
    "parent_key",
}


def _assemble(sheet: Sheet, found: _HeaderFound, ctx: LayoutContext) -> tuple[SheetLayout, int]:
    """The layout of a sheet from its header band, its values and the user's mappings."""
    rows = sheet.rows
    mapping, fields = ctx.mapping, ctx.fields
    start = found.end
    data = rows[start : start + SNIFF_ROWS]
    width = max(
        [len(values) for _, values in data] + [len(rows[p][1]) for p in found.band], default=0
    )
    layout = SheetLayout(sheet.name, "persons", header_row=rows[found.band[0]][0])
    layout.header_rows = [rows[p][0] for p in found.band]
    headers = _column_headers(sheet, found, width)
    layout.headers = [h.display for h in headers]
    sheet_key = fold(sheet.name)
    explicit: dict[int, Any] = {}
    for (sheet_name, index), entry in sorted(
        mapping.columns.items(), key=lambda item: item[0][0] is not None
    ):
        if sheet_name not in (None, sheet_key) or index >= width:
            continue
        entry.used = True
        explicit[index] = fields[entry.key] if entry.key else "ignore"
    geopoints = {H.geopoint_base(h.name) for h in headers} - {None}

    # Values are judged on the rows that may be people: not totals, not the signature block.
    sniff_rows = [
        values
        for _, values in data
        if _total_cell(values) is None and _signature_cell(values) is None
    ]
    # Every column's verdict: (state, field or None, candidates, sniff, reason).
    verdicts: dict[int, tuple[str, Any, list[H.Candidate], Sniff, str]] = {}
    for header in headers:
        j = header.index
        column_values = [values[j] for values in sniff_rows if j < len(values)]
        s = sniff(column_values)
        if j in explicit:
            what = explicit[j]
            verdicts[j] = ("ignored" if what == "ignore" else "explicit", what, [], s, "")
            continue
        if not header.parts:
            if s.n:
                cands = _value_candidates(s, header, fields)
                if cands:
                    verdicts[j] = ("question", None, cands, s, "cột không có tiêu đề")
                else:
                    verdicts[j] = ("unmatched", None, [], s, "")
            continue
        # The user's mapping by header text, then exact synonyms, then the fuzzy matcher.
        by_user = None
        for text in (header.display, header.name, *header.parts):
            entry = mapping.header_entry(text)
            if entry is not None:
                entry.used = True
                by_user = fields[entry.key] if entry.key else "ignore"
                break
        if by_user is not None:
            verdicts[j] = ("ignored" if by_user == "ignore" else "explicit", by_user, [], s, "")
            continue
        if H.is_ignored(header.name) or fold(header.name) in geopoints:
            verdicts[j] = ("ignored", "ignore", [], s, "")
            continue
        cands = ctx.matcher.rank(header.name, header.context)
        exact = _literal(header.name, ctx.table) if not header.context else None
        if exact is not None and not any(c.field.key == exact.key and c.exact for c in cands):
            cands = [H.Candidate(exact, 100.0, exact=True, covered=True), *cands]
        cands = [
            H.Candidate(_switch(c.field, s, fields), c.score, c.exact, c.covered) for c in cands
        ]
        deduped: dict[str, H.Candidate] = {}
        for c in cands:
            if c.field.key not in deduped or deduped[c.field.key].score < c.score:
                deduped[c.field.key] = c
        cands = sorted(deduped.values(), key=lambda c: (-c.score, c.field.key))
        # An exact header ("CCCD", "Năm sinh") keeps its field whatever the values (bad values
        # are errors of their rows); a fuzzy one must fit what the column holds.
        fitting = [
            c for c in cands if (c.exact and not refuses(c.field, s)) or compatible(c.field, s)
        ]
        best = fitting[0] if fitting else None
        if best is not None and best.field.level == "skip":
            verdicts[j] = ("ignored", "ignore", [], s, "")
            continue
        if best is not None:
            # What the column holds rules out fields whose kind does not fit ("Giới tính
            # (Nam/Nữ)" reads close to the x-mark "Giới tính: Nam", but holds Nam/Nữ).
            second = fitting[1] if len(fitting) > 1 else None
            lead = (
                second is None
                or best.score - second.score >= H.LEAD
                or (best.exact and (not second.exact or best.score > second.score))
            )
            clear = best.covered and (second is None or best.score - second.score >= H.CLEAR_LEAD)
            if (best.score >= H.HIGH and lead) or (best.score >= H.MEDIUM and clear):
                verdicts[j] = ("mapped", best.field, cands, s, "")
                continue
            if best.score >= H.MEDIUM:
                reason = (
                    f"tiêu đề gần giống “{best.field.label}”"
                    if lead
                    else "tiêu đề giống nhiều trường: "
                    + ", ".join(f"“{c.field.label}”" for c in cands[:3])
                )
                verdicts[j] = ("proposed", best.field, cands, s, reason)
                continue
        suggested = _value_candidates(s, header, fields)
        # Only fields the values fit are offered ("SĐT" holds phone numbers, not x/blank).
        suggested_keys = {x.field.key for x in suggested}
        shown = [*suggested, *[c for c in fitting if c.field.key not in suggested_keys]]
        if cands and cands[0] not in fitting and cands[0].score >= H.MEDIUM:
            shown.append(cands[0])  # the header says it, the values do not: the user decides
        if cands and cands[0] not in fitting and cands[0].score >= H.MEDIUM:
            reason = (
                f"tiêu đề giống “{cands[0].field.label}” nhưng giá trị trong cột không hợp "
                f"(vd. {', '.join(f'“{x}”' for x in s.samples[:3])})"
            )
        elif suggested:
            reason = "không nhận ra tiêu đề; giá trị trong cột giống " + ", ".join(
                f"“{c.field.label}”" for c in suggested
            )
        else:
            reason = "không chắc cột này là trường nào"
        if any(c.field.key in ctx.important for c in shown if c.score >= H.ASK):
            verdicts[j] = ("question", None, shown, s, reason)
        else:
            verdicts[j] = ("unmatched", None, shown, s, "")

    seen: dict[str, str] = {}
    chosen: dict[int, tuple[H.Field, str]] = {}
    # The user's own choices first: a column mapped explicitly wins over an automatic match.
    order = sorted(verdicts, key=lambda j: (verdicts[j][0] != "explicit", j))
    for j in order:
        state, what, cands, s, reason = verdicts[j]
        header = headers[j]
        letter = column_letter(j)
        if state == "ignored":
            layout.ignored.append((letter, header.display))
        elif state == "unmatched":
            layout.unmatched.append((letter, header.display))
        elif state == "question":
            layout.questions.append(_entry(sheet, header, s, cands, reason))
        elif what.key in seen:
            # Two columns for one field: keep the first, say so (a warning), let the user map
            # this one elsewhere.
            layout.unmatched.append((letter, header.display))
            layout.duplicates[letter] = (what.label, seen[what.key])
        else:
            seen[what.key] = letter
            chosen[j] = (what, state)
            if state == "proposed":
                entry = _entry(sheet, header, s, cands, reason)
                entry["field"] = what.key
                entry["label"] = what.label
                layout.proposed.append(entry)
    layout.columns = [
        Column(j, headers[j].display, chosen[j][0], chosen[j][1]) for j in sorted(chosen)
    ]
    layout.unmatched.sort(key=lambda item: column_index_from_string(item[0]))
    layout.ignored.sort(key=lambda item: column_index_from_string(item[0]))
    layout.questions.sort(key=lambda q: column_index_from_string(q["column"]))
    layout.proposed.sort(key=lambda q: column_index_from_string(q["column"]))
    person_facts = {f.key for f in catalogue().values() if f.level == "person"}
    _household_facts_on_a_households_sheet(layout, seen, verdicts, person_facts)
    _person_twins_on_a_persons_sheet(layout, seen, verdicts)
    person_keys = _PERSON_KEYS | person_facts
    if not (set(seen) & person_keys):
        layout.role = "households"
        # In a households sheet, "Họ và tên" is the head's name and "Ghi chú" the household's note.
        for column in layout.columns:
            if column.field.key == "full_name" and "head_name" not in seen:
                column.field = H.CORE["head_name"][0]
            elif column.field.key == "note":
                column.field = H.Field("household_note", "household", H.TEXT, "Ghi chú")
    return layout, start


def _household_facts_on_a_households_sheet(
    layout: SheetLayout, seen: dict[str, str], verdicts: dict, person_facts: set[str]
) -> None:
    """A households sheet ("Mã hộ", "Họ và tên chủ hộ", no person's name, birth date, sex or
    relationship) with a column read as a person's fact ("Thanh toán điện tử", "Dịch vụ công
    trực tuyến") means the household's fact, when the catalogue has one the header also reads as;
    otherwise the sheet stays a persons sheet, as before."""
    if "head_name" not in seen or "full_name" in seen or set(seen) & _PERSON_KEYS:
        return
    switches = {}
    for column in layout.columns:
        if column.field.key not in person_facts:
            continue
        if column.state == "explicit":
            return
        _state, _what, cands, _s, _reason = verdicts[column.index]
        alternative = next(
            (c.field for c in cands if c.field.level == "household" and c.score >= H.LOW), None
        )
        if alternative is None or alternative.key in seen:
            return
        switches[column.index] = alternative
    for column in layout.columns:
        if column.index in switches:
            del seen[column.field.key]
            column.field = switches[column.index]
            seen[column.field.key] = column.letter
    for item in layout.proposed:
        index = column_index_from_string(item["column"]) - 1
        if index in switches:
            item["field"], item["label"] = switches[index].key, switches[index].label


def _person_twins_on_a_persons_sheet(
    layout: SheetLayout, seen: dict[str, str], verdicts: dict
) -> None:
    """On a sheet of persons (a name with a birth date, sex or relationship), a column read as a
    household's fact with a person's twin close behind ("Nộp hồ sơ DVC trực tuyến": the household
    or the person uses online public services) is the person's fact."""
    if "full_name" not in seen or not set(seen) & _PERSON_KEYS:
        return
    facts = catalogue()
    for column in layout.columns:
        if column.state == "explicit" or column.field.level != "household":
            continue
        if column.field.key not in facts:
            continue  # a core field ("Số điện thoại": each person's row may carry the number)
        _state, _what, cands, s, _reason = verdicts[column.index]
        top = next((c for c in cands if c.field.key == column.field.key), None)
        if top is None or top.exact:
            continue  # "Hộ thanh toán điện tử" says whose fact it is
        twin = next(
            (
                c
                for c in cands
                if c.field.level == "person"
                and top is not None
                and top.score - c.score < H.LEAD
                and c.field.key not in seen
                and compatible(c.field, s)
                and not refuses(c.field, s)
            ),
            None,
        )
        if twin is None:
            continue
        del seen[column.field.key]
        column.field = twin.field
        seen[twin.field.key] = column.letter
        for item in layout.proposed:
            if item["column"] == column.letter:
                item["field"], item["label"] = twin.field.key, twin.field.label


def detect_layout(
    sheet: Sheet, table: dict, mapping: dict[str, str] | _Mapping, fields: dict
) -> tuple[SheetLayout, int]:
    """The sheet's header, its columns and its role; returns (layout, index of first data row)."""
    if not isinstance(mapping, _Mapping):
        mapping = _split_mapping(mapping)
    ctx = LayoutContext(mapping, fields, table=table)
    found = _find_header(sheet, ctx)
    if found is None:
        return SheetLayout(sheet.name, "ignored"), len(sheet.rows)
    return _assemble(sheet, found, ctx)


_SEX_MARKS = {
    "birth_male": H.CORE["sex_male"][0],
    "birth_female": H.CORE["sex_female"][0],
}


def _fix_ambiguous(
    sheet: Sheet, layout: SheetLayout, start: int, table: dict | None = None
) -> None:
    """Headers that name two things; decide by what the column holds.

    * "Mã địa chỉ số": the code (text) or the yes/no fact.
    * "Nam" | "Nữ" under a group header: the birth year by sex ("Năm sinh" over them, years in
      the cells) or the sex itself ("Giới tính" over them, an x in one of the two).
    """
    for column in layout.columns:
        key = column.field.key
        if key not in ("digital_address_code", "birth_male", "birth_female"):
            continue
        values = [
            row[column.index]
            for _, row in sheet.rows[start : start + SNIFF_ROWS]
            if column.index < len(row)
            and row[column.index] not in (None, "")
            and _total_cell(row) is None
            and _signature_cell(row) is None
        ]
        if not values or sum(V.looks_bool(v) for v in values) < FIT * len(values):
            continue
        if key == "digital_address_code":
            fact = catalogue()["digital_address"]
            column.field = H.Field(fact.key, fact.level, H.BOOL, fact.label_vi)
        else:
            column.field = _SEX_MARKS[key]


def layout_signature(layouts: list[SheetLayout]) -> str:
    """A stable hash of the folded header layout (each sheet's headers in order)."""
    import hashlib

    parts = []
    for layout in layouts:
        if layout.role == "ignored":
            continue
        parts.append(fold(layout.name) + "\x1f" + "\x1e".join(fold(h) for h in layout.headers))
    return hashlib.sha256("\x1d".join(parts).encode("utf-8")).hexdigest()[:32]
