"""Which spreadsheet header means which field: core fields here, facts from the catalogue.

Headers are compared folded (case- and diacritic-insensitive, registry.facts.fold), first as
written, then without a parenthesised hint ("Ngày sinh (dd/mm/yyyy)"), then without punctuation,
then, for ODK/Kobo exports, the last part of a group path ("household/household_code").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from smartvillage.registry.facts import Fact, catalogue, fold

# Field kinds the importer knows how to parse.
TEXT, DATE, SEX, REL, BOOL, DECIMAL, IDNUM, PHONE, SKIP, KEY = (
    "text",
    "date",
    "sex",
    "relationship",
    "bool",
    "decimal",
    "identity",
    "phone",
    "skip",
    "key",
)


@dataclass(frozen=True)
class Field:
    key: str
    level: str  # "household" | "person" | "link" (household code, ODK keys) | "skip"
    kind: str
    label: str


# Core fields of Household / Person (facts come from the catalogue). Synonyms are what people
# actually write in village lists; keep them lower-case with diacritics, they are folded on load.
CORE: dict[str, tuple[Field, tuple[str, ...]]] = {
    "household_code": (
        Field("household_code", "link", TEXT, "Mã hộ"),
        (
            "mã hộ",
            "mã hộ gia đình",
            "mã số hộ",
            "số hộ",
            "ma ho",
            "hộ số",
            "mã hgđ",
            "household code",
            "household_code",
            "sổ hộ khẩu",
            "số sổ hộ khẩu",
        ),
    ),
    "head_name": (
        Field("head_name", "household", TEXT, "Họ và tên chủ hộ"),
        (
            "họ và tên chủ hộ",
            "họ tên chủ hộ",
            "tên chủ hộ",
            "chủ hộ",
            "họ và tên (chủ hộ)",
            "head_name",
            "head name",
        ),
    ),
    "address": (
        Field("address", "household", TEXT, "Địa chỉ"),
        ("địa chỉ", "nơi ở", "nơi ở hiện nay", "địa chỉ thường trú", "chỗ ở", "xóm", "address"),
    ),
    "house_number": (
        Field("house_number", "household", TEXT, "Số nhà"),
        ("số nhà", "nhà số", "số nhà hẻm", "số nhà ngõ", "số nhà đường", "house number"),
    ),
    # The household's contact phone. In a list of persons each person's row may carry a number:
    # the household keeps the head's, else the first member's (importing/plan.py). "Điện thoại
    # thông minh" / "ĐTTM" is the smartphone fact (x/blank), not this: values decide (layout.py).
    "phone": (
        Field("phone", "household", PHONE, "Số điện thoại"),
        (
            "số điện thoại",
            "điện thoại",
            "sđt",
            "số đt",
            "đt",
            "đt liên hệ",
            "sđt liên hệ",
            "điện thoại liên hệ",
            "số điện thoại liên hệ",
            "số điện thoại liên lạc",
            "sđt liên lạc",
            "sđt chủ hộ",
            "số điện thoại chủ hộ",
            "điện thoại chủ hộ",
            "đt chủ hộ",
            "số điện thoại di động",
            "số đtdđ",
            "sđt/zalo",
            "số điện thoại/zalo",
            "phone",
            "phone number",
            "số máy",
        ),
    ),
    "digital_address_code": (
        Field("digital_address_code", "household", TEXT, "Mã địa chỉ số"),
        (
            "mã địa chỉ số",
            "mã đcs",
            "mã địa chỉ bưu chính",
            "mã vpostcode",
            "vpostcode",
            "digital_address_code",
        ),
    ),
    "latitude": (
        Field("latitude", "household", DECIMAL, "Vĩ độ"),
        ("vĩ độ", "latitude", "lat", "_location_latitude", "_vi_tri_latitude"),
    ),
    "longitude": (
        Field("longitude", "household", DECIMAL, "Kinh độ"),
        ("kinh độ", "longitude", "lon", "lng", "_location_longitude", "_vi_tri_longitude"),
    ),
    "full_name": (
        Field("full_name", "person", TEXT, "Họ và tên"),
        (
            "họ và tên",
            "họ tên",
            "họ và tên người",
            "tên",
            "họ và tên thành viên",
            "họ tên thành viên",
            "full_name",
            "full name",
            "name",
        ),
    ),
    "birth_date": (
        Field("birth_date", "person", DATE, "Ngày sinh"),
        (
            "ngày sinh",
            "ngày tháng năm sinh",
            "ngày, tháng, năm sinh",
            "ngày/tháng/năm sinh",
            "năm sinh",
            "sinh ngày",
            "ns",
            "birth_date",
            "date of birth",
            "dob",
        ),
    ),
    "birth_male": (
        Field("birth_male", "person", DATE, "Năm sinh (Nam)"),
        ("nam", "năm sinh nam", "ngày sinh nam"),
    ),
    "birth_female": (
        Field("birth_female", "person", DATE, "Năm sinh (Nữ)"),
        ("nữ", "năm sinh nữ", "ngày sinh nữ"),
    ),
    "sex_male": (
        Field("sex_male", "person", BOOL, "Giới tính: Nam"),
        ("giới tính nam", "gt nam", "nam giới", "giới tính (nam)"),
    ),
    "sex_female": (
        Field("sex_female", "person", BOOL, "Giới tính: Nữ"),
        ("giới tính nữ", "gt nữ", "nữ giới", "giới tính (nữ)"),
    ),
    "sex": (
        Field("sex", "person", SEX, "Giới tính"),
        ("giới tính", "gt", "phái", "nam/nữ", "nam nữ", "sex", "gender"),
    ),
    "relationship": (
        Field("relationship", "person", REL, "Quan hệ với chủ hộ"),
        (
            "quan hệ với chủ hộ",
            "quan hệ chủ hộ",
            "quan hệ",
            "qh với chủ hộ",
            "qhvch",
            "qh",
            "relationship",
        ),
    ),
    "identity_number": (
        Field("identity_number", "person", IDNUM, "Số CCCD"),
        (
            "số cccd",
            "cccd",
            "số căn cước",
            "căn cước công dân",
            "số căn cước công dân",
            "cmnd",
            "số cmnd",
            "cmnd/cccd",
            "cccd/cmnd",
            "số cmnd/cccd",
            "số định danh",
            "số định danh cá nhân",
            "mã định danh",
            "identity_number",
        ),
    ),
    "note": (
        Field("note", "person", TEXT, "Ghi chú"),
        ("ghi chú", "note", "ghi chu"),
    ),
    # Rows of numbered lists and the ODK/Kobo bookkeeping columns.
    "stt": (Field("stt", "skip", SKIP, "STT"), ("stt", "tt", "số tt", "số thứ tự", "no", "no.")),
    "row_key": (Field("row_key", "link", KEY, "_index"), ("_index", "key", "_uuid_key")),
    "parent_key": (
        Field("parent_key", "link", KEY, "_parent_index"),
        ("_parent_index", "parent_key"),
    ),
}
# Kobo/ODK metadata columns that are expected and silently ignored.
IGNORED = {
    fold(h)
    for h in (
        "_id",
        "_uuid",
        "_submission_time",
        "_validation_status",
        "_notes",
        "_status",
        "_submitted_by",
        "__version__",
        "_tags",
        "_parent_table_name",
        "_submission__id",
        "_submission__uuid",
        "_submission__submission_time",
        "_submission__validation_status",
        "_submission__notes",
        "_submission__status",
        "_submission__submitted_by",
        "_submission___version__",
        "_submission__tags",
        "start",
        "end",
        "today",
        "deviceid",
        "meta/instanceid",
        "instanceid",
        "submissiondate",
        "submitterid",
        "submittername",
        "attachmentspresent",
        "attachmentsexpected",
        "status",
        "reviewstate",
        "deviceid",
        "edits",
        "formversion",
        "_location",
        "_location_altitude",
        "_location_precision",
        "location",
        "vi_tri",
        "meta/instancename",
        "persons_count",
        "person_count",
        # ODK Central CSV exports
        "meta instanceid",
        "meta instancename",
        "location altitude",
        "location accuracy",
        "person count",
        "submission date",
        "submitter id",
        "submitter name",
        "review state",
        "device id",
        "form version",
        # the error column of a rejected-rows file written by a partial import
        "lỗi",
        "loi",
    )
}

_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_PUNCT = re.compile(r"[^\w/ ]+")


def variants(header: str) -> list[str]:
    """The folded forms a header is looked up by, most literal first."""
    folded = fold(header.replace("\n", " "))
    out = [folded]
    no_paren = " ".join(_PAREN.sub(" ", folded).split())
    if no_paren and no_paren not in out:
        out.append(no_paren)
    for base in (folded, no_paren):
        stripped = " ".join(_PUNCT.sub(" ", base).split()).strip()
        if stripped and stripped not in out:
            out.append(stripped)
    for inner in re.findall(r"\(([^)]*)\)", folded):
        # "Đ.thoại thông minh (ĐTTM)": the abbreviation in brackets names the column too.
        inner = " ".join(inner.split())
        if inner and inner not in out:
            out.append(inner)
    if "/" in folded:
        # ODK/Kobo group paths: "household/household_code" -> "household_code".
        tail = folded.rsplit("/", 1)[1].strip()
        if tail and tail not in out:
            out.append(tail)
    return out


def _fact_field(fact: Fact) -> Field:
    kind = BOOL if fact.type == "bool" else {"int": DECIMAL, "date": DATE}.get(fact.type, TEXT)
    return Field(fact.key, fact.level, kind, fact.label_vi)


def lookup_table() -> dict[str, Field]:
    """Folded header -> field, for the core fields and every fact of the catalogue.

    Core synonyms win over fact headers: "mã địa chỉ số" is the code (text) here; the importer
    switches it to the boolean fact when the column only holds yes/no values.
    """
    table: dict[str, Field] = {}
    for fact in catalogue().values():
        field = _fact_field(fact)
        for name in (fact.key, fact.label_vi, fact.label_en, *fact.headers):
            for form in variants(name)[:1]:
                table.setdefault(form, field)
    for field, synonyms in CORE.values():
        for name in synonyms:
            table[fold(name)] = field
    return table


def all_fields() -> dict[str, Field]:
    """Every field a user may map a column to (for the mapping step and --map)."""
    fields = {field.key: field for field, _ in CORE.values() if field.level != "skip"}
    for fact in catalogue().values():
        fields[fact.key] = _fact_field(fact)
    return fields


# Kobo splits a geopoint question into "_<question>_latitude", "_longitude", "_altitude" and
# "_precision"; in a label export the question is its label: "_Vị trí nhà_latitude".
_GEOPOINT = re.compile(r"^_(.+)_(latitude|longitude|altitude|precision)$", re.IGNORECASE)


def geopoint_base(header: str) -> str | None:
    """The folded question of a Kobo geopoint part ("_Vị trí nhà_latitude" -> "vi tri nha")."""
    found = _GEOPOINT.match(header.strip())
    return fold(found.group(1)) if found else None


def match(header: str, table: dict[str, Field] | None = None) -> Field | None:
    table = table if table is not None else lookup_table()
    for form in variants(header):
        if form in table:
            return table[form]
    found = _GEOPOINT.match(header.strip())
    if found and found.group(2).lower() in ("latitude", "longitude"):
        return CORE[found.group(2).lower()][0]
    return None


def is_ignored(header: str) -> bool:
    if any(form in IGNORED for form in variants(header)):
        return True
    found = _GEOPOINT.match(header.strip())
    return bool(found and found.group(2).lower() in ("altitude", "precision"))


# ---- the fuzzy header matcher ------------------------------------------------------------------

_ABBREVIATIONS_FILE = Path(__file__).parent / "data" / "abbreviations.yaml"
_WORD = re.compile(r"[a-z0-9]+")
# Scores (0-100): at or above HIGH with a clear lead the column is mapped; at or above MEDIUM it
# is proposed for confirmation; below, it is asked about when it may hold a field that matters.
HIGH, MEDIUM, LOW = 90.0, 78.0, 50.0
LEAD = 6.0  # points the best field must lead the next one by to be taken without asking
# A header that holds all the words of one field's name ("Họ và tên thành viên") is taken from
# MEDIUM on when no other field comes within CLEAR_LEAD points.
CLEAR_LEAD = 15.0
ASK = 50.0  # a fitting candidate this good that matters makes an unclear column a question


@functools.cache
def _abbreviation_table() -> tuple[dict[tuple[str, ...], tuple[str, ...]], int]:
    data = yaml.safe_load(_ABBREVIATIONS_FILE.read_text(encoding="utf-8")) or {}
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for short, long in (data.get("abbreviations") or {}).items():
        table[tuple(_WORD.findall(fold(str(short))))] = tuple(_WORD.findall(fold(str(long))))
    for word in data.get("stopwords") or ():
        key = tuple(_WORD.findall(fold(str(word))))
        if key:
            table.setdefault(key, ())
    return table, max((len(k) for k in table), default=1)


def normalise(header: str) -> str:
    """Folded words of a header with abbreviations expanded and filler words dropped.

    "Có TK thanh toán?" -> "tai khoan thanh toan"; "NTNS" -> "ngay thang nam sinh". The longest
    run of words listed in the abbreviations file wins ("tk tt dt" before "tk").
    """
    table, longest = _abbreviation_table()
    words = _WORD.findall(fold(header.replace("\n", " ")))
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            key = tuple(words[i : i + size])
            if key in table:
                out.extend(table[key])
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


@dataclass(frozen=True)
class Candidate:
    field: Field
    score: float  # 0-100 (a fraction more for a group header's exact reading)
    exact: bool = False
    covered: bool = False  # every word of one of the field's names is in the header

    def shown(self) -> int:
        return min(100, round(self.score))


class Matcher:
    """Scores a header against every field's label and synonyms (rapidfuzz), abbreviations expanded.

    A score mixes token-set similarity (a header that contains a synonym's words: "Hộ có Internet
    cáp quang" ~ "internet cáp quang") with token-sort similarity (which penalises extra words, so
    the synonym closest in length wins over a shorter one it contains).
    """

    def __init__(self) -> None:
        names: dict[str, Field] = {}
        ambiguous: set[str] = set()

        def add(text: str, field: Field, override: bool = False) -> None:
            form = normalise(text)
            if not form:
                return
            if form in names and names[form].key != field.key and not override:
                ambiguous.add(form)
                return
            names[form] = field

        for fact in catalogue().values():
            field = _fact_field(fact)
            for name in (fact.key.replace("_", " "), fact.label_vi, *fact.headers):
                add(name, field)
        for field, synonyms in CORE.values():
            for name in (field.label, *synonyms):
                # Core synonyms win over fact headers ("mã địa chỉ số" is the code here; the
                # importer switches it to the yes/no fact when the column holds x/blank).
                add(name, field, override=True)
                ambiguous.discard(normalise(name))
        self.exact = {form: field for form, field in names.items() if form not in ambiguous}
        self.choices = list(names)
        self.fields = [names[form] for form in self.choices]

    def rank(self, header: str, context: str = "", limit: int = 3) -> list[Candidate]:
        """The best fields for a header (best first, one entry per field).

        Scores may exceed 100 by a fraction (a group header's exact reading wins over the
        sub-header's alone); `Candidate.score` is for ordering, `shown()` for people.
        """
        best: dict[str, Candidate] = {}
        name = normalise(header)
        if context:
            # A header under a group header is read with its group first ("Giới tính / Nam").
            self._score(best, normalise(f"{context} {header}"), bonus=0.5)
        self._score(best, name)
        parts = [p for p in (normalise(part) for part in re.split(r"[/;,]", header)) if p]
        if len(parts) > 1:
            # "CCCD/CMND", "Số ĐT/Zalo": alternatives that name one field count as that field.
            per_part = [self._best(part) for part in parts]
            keys = {c.field.key for c in per_part if c is not None}
            if len(keys) == 1 and all(c is not None for c in per_part):
                top = max(per_part, key=lambda c: c.score)
                self._keep(best, Candidate(top.field, top.score - 0.1, top.exact, top.covered))
        ranked = sorted(best.values(), key=lambda c: (-c.score, c.field.key))
        return ranked[:limit]

    def _best(self, form: str) -> Candidate | None:
        found: dict[str, Candidate] = {}
        self._score(found, form)
        return max(found.values(), key=lambda c: c.score, default=None)

    def _score(self, best: dict[str, Candidate], form: str, bonus: float = 0.0) -> None:
        if not form:
            return
        exact = self.exact.get(form)
        if exact is not None:
            self._keep(best, Candidate(exact, 100.0 + bonus, exact=True, covered=True))
        words = form.split()
        for _choice, set_score, index in process.extract(
            form, self.choices, scorer=fuzz.token_set_ratio, limit=None, score_cutoff=LOW
        ):
            choice = self.choices[index]
            sort_score = fuzz.token_sort_ratio(form, choice)
            # Words of the synonym missing from the header weigh: "số điện thoại" shares two
            # words with "điện thoại thông minh" and is not it.
            wanted = choice.split()
            found = sum(1 for w in wanted if any(fuzz.ratio(w, h) >= 85 for h in words))
            coverage = found / len(wanted)
            score = min(99.0, (0.6 * set_score + 0.4 * sort_score) * coverage**0.5) + bonus
            if score >= LOW:
                self._keep(best, Candidate(self.fields[index], score, covered=coverage == 1))

    @staticmethod
    def _keep(best: dict[str, Candidate], candidate: Candidate) -> None:
        old = best.get(candidate.field.key)
        if old is None:
            best[candidate.field.key] = candidate
        elif candidate.score > old.score or (candidate.covered and not old.covered):
            best[candidate.field.key] = Candidate(
                old.field,
                max(old.score, candidate.score),
                old.exact or candidate.exact,
                old.covered or candidate.covered,
            )


def matcher() -> Matcher:
    return Matcher()
