"""Criteria sets: YAML files validated by a schema and turned into typed objects.

Errors always name the file, the criterion code and the field, and say what was expected
(docs/criteria-format.md).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from django.conf import settings

from smartvillage.core.errors import DomainError
from smartvillage.criteria import expressions
from smartvillage.evidence import catalogue as evidence_catalogue
from smartvillage.units import attributes as unit_attributes

SETS_DIR = Path(__file__).parent / "sets"
KINDS = ("ratio", "count", "evidence", "aggregate", "prerequisite", "reported")
POPULATIONS = {
    "households": "household",
    "persons": "person",
    "working_age": "person",
    "adults": "person",
}


class CriteriaFormatError(DomainError):
    def __init__(
        self, message: str, code: str = "", field_name: str = "", line: int | None = None
    ) -> None:
        super().__init__(message, "bad_criteria_file")
        # Where: the criterion, the field, and (when the text is known) the line in the file.
        self.criterion_code = code
        self.field_name = field_name
        self.line = line
        self.reason = message
        self.filename = ""


_DATE = {"type": "string", "format": "date"}
_REQ = {
    "type": "object",
    "required": ["category", "type"],
    "properties": {
        "category": {"type": "string"},
        "type": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}, "minItems": 1},
            ]
        },
        "fields": {
            "type": "array",
            "items": {
                "enum": [
                    "number",
                    "issued_date",
                    "issuer",
                    "link",
                    "file",
                    "location",
                    "description",
                ]
            },
        },
        "where": {"type": "object"},
    },
    "additionalProperties": False,
}
_THRESHOLD = {"type": "number", "minimum": 0, "maximum": 1}
_CRITERION_PROPS: dict[str, Any] = {
    "code": {"type": "string", "minLength": 1},
    "title": {"type": "string", "minLength": 1},
    "requirement": {"type": "string"},
    "note": {"type": "string"},
    "kind": {"enum": list(KINDS)},
    "applies_from": _DATE,
    "list_title": {"type": "string"},
    "list_code": {"type": "string"},
    "population": {"enum": list(POPULATIONS)},
    "population_filter": {"type": "string"},
    "numerator": {"type": "string"},
    # An explicit `threshold: null` says the document names the figure without a level (Đồng Tháp
    # 1.1, 2.12); leaving the key out is still an error, so a forgotten level is caught.
    "threshold": {"anyOf": [_THRESHOLD, {"type": "null"}]},
    "threshold_rules": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["when", "threshold"],
            "properties": {"when": {"type": "string"}, "threshold": _THRESHOLD},
            "additionalProperties": False,
        },
    },
    # One requirement, or several whose records all count ("…": the named kinds, or another one
    # described: Kon Tum commune 10).
    "count": {"anyOf": [_REQ, {"type": "array", "items": _REQ, "minItems": 1}]},
    "where": {"type": "object"},
    "minimum": {"type": "integer", "minimum": 0},
    "requires": {"type": "array", "items": _REQ},
    "any_of": {"type": "array", "items": _REQ},
    "statistic": {"type": "string"},
    "over": {"enum": ["villages"]},
    "criteria_set": {"type": "string"},
    "criterion": {"type": "string"},
    "of": {"type": "object"},
    "also": {"type": "array", "items": {"type": "object"}, "minItems": 1},
    # Reported figures shown beside the criterion without deciding it (Đồng Tháp 2.13: the share of
    # residents decides; the share of dossiers filed online is the plan's own figure, kept).
    "figures": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    # A ratio over an empty population: "no data" (the default) or "not applicable" when the
    # document's population may simply not exist (An Thanh 9: the area's businesses).
    "when_empty": {"enum": ["no_data", "not_applicable"]},
}
_KIND_REQUIRED = {
    "ratio": ["population", "numerator", "threshold"],
    "count": ["count", "minimum"],
    "evidence": [],
    "prerequisite": ["requires"],
    "reported": ["statistic", "threshold"],
    "aggregate": ["over", "threshold"],
}
CRITERION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["code", "title", "kind"],
    "properties": _CRITERION_PROPS,
    "additionalProperties": False,
    "allOf": [
        {
            "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
            "then": {"required": required},
        }
        for kind, required in _KIND_REQUIRED.items()
    ],
}
SET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["slug", "version", "title", "level", "legal_basis", "valid_from", "groups"],
    "properties": {
        "slug": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
        "version": {"type": "integer", "minimum": 1},
        "title": {"type": "string", "minLength": 1},
        "province": {"type": "string"},
        "level": {"enum": ["village", "commune"]},
        "legal_basis": {
            "type": "object",
            "required": ["number", "date", "issuer"],
            "properties": {
                "number": {"type": "string"},
                "date": _DATE,
                "issuer": {"type": "string"},
                "title": {"type": "string"},
            },
            "additionalProperties": False,
        },
        # The provincial guidance the set is applied by (Phú Thọ: Hướng dẫn của Sở TT&TT, 07/2023),
        # cited in Mẫu số 01's legal-basis line after the decision.
        "guidance": {
            "type": "object",
            "required": ["issuer", "title"],
            "properties": {
                "number": {"type": "string"},
                "date": _DATE,
                "issuer": {"type": "string", "minLength": 1},
                "title": {"type": "string", "minLength": 1},
            },
            "additionalProperties": False,
        },
        # "Nơi nhận" of the documents made under this set; without it the province's setting or
        # the post-2025 default applies (documents.wording.recipients).
        "recipients": {"type": "array", "items": {"type": "string", "minLength": 1}},
        # The area by unit codes of each scheme (pre-2025 and 2025 provinces/communes), besides the
        # province's name: a set published for one province covers both of its codes.
        "area": {
            "type": "object",
            "properties": {
                "pre2025": {"type": "array", "items": {"type": "string"}},
                "2025": {"type": "array", "items": {"type": "string"}},
            },
            "additionalProperties": False,
        },
        "valid_from": _DATE,
        "valid_to": _DATE,
        "source": {"type": "string"},
        "description": {"type": "string"},
        "policy": {
            "type": "object",
            "properties": {
                "working_age": {"enum": ["decree135", "15plus"]},
                "adult_age": {"type": "integer", "minimum": 0, "maximum": 30},
            },
            "additionalProperties": False,
        },
        "groups": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["criteria"],
                "properties": {
                    "code": {"type": "string"},
                    "title": {"type": "string"},
                    "criteria": {"type": "array", "minItems": 1, "items": CRITERION_SCHEMA},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}


@dataclass(frozen=True)
class LegalBasis:
    number: str
    date: dt.date
    issuer: str
    title: str = ""

    def __str__(self) -> str:
        return f"{self.number} ngày {self.date:%d/%m/%Y} của {self.issuer}"


@dataclass(frozen=True)
class Guidance:
    issuer: str
    title: str
    number: str = ""
    date: dt.date | None = None

    def __str__(self) -> str:
        """As cited in a legal-basis line: "Hướng dẫn số 12/HD-STTTT ngày 01/07/2023 của …"."""
        text = self.title
        if self.number:
            text += f" số {self.number}"
        if self.date:
            text += f" ngày {self.date:%d/%m/%Y}"
        return f"{text} của {self.issuer}"


@dataclass
class Criterion:
    code: str
    title: str
    kind: str
    requirement: str = ""
    note: str = ""
    applies_from: dt.date | None = None
    list_title: str = ""
    list_code: str = ""
    population: str | None = None
    population_filter: str | None = None
    numerator: str | None = None
    threshold: Decimal | None = None
    threshold_rules: list[tuple[expressions.Node, Decimal, str]] = field(default_factory=list)
    count: dict | list[dict] | None = None
    where: dict | None = None
    minimum: int | None = None
    requires: list[dict] = field(default_factory=list)
    any_of: list[dict] = field(default_factory=list)
    statistic: str | None = None
    over: str | None = None
    criteria_set: str | None = None
    criterion: str | None = None
    of: Criterion | None = None
    # Further conditions of the same indicator that must all hold ("80 % of households …; 100 % of
    # residents …" is one criterion in the An Thanh notice).
    also: list[Criterion] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    when_empty: str = "no_data"
    group_code: str = ""
    # The set this criterion belongs to (slug, version), set by the loader.
    set_key: tuple[str, int] | None = None
    # Parsed conditions (set by the loader)
    population_filter_node: expressions.Node | None = None
    numerator_node: expressions.Node | None = None

    @property
    def level(self) -> str | None:
        return POPULATIONS.get(self.population or "")

    def threshold_for(self, attributes: dict[str, Any]) -> Decimal | None:
        for node, threshold, _text in self.threshold_rules:
            if expressions.evaluate_python(node, attributes):
                return threshold
        return self.threshold


@dataclass
class Group:
    code: str
    title: str
    criteria: list[Criterion]


@dataclass
class CriteriaSet:
    slug: str
    version: int
    title: str
    level: str
    legal_basis: LegalBasis
    valid_from: dt.date
    groups: list[Group]
    province: str = ""
    valid_to: dt.date | None = None
    source: str = ""
    description: str = ""
    working_age_policy: str = "decree135"
    adult_age: int = 18
    path: str = ""
    guidance: Guidance | None = None
    recipients: list[str] = field(default_factory=list)
    area: dict[str, list[str]] = field(default_factory=dict)

    @property
    def criteria(self) -> list[Criterion]:
        return [c for g in self.groups for c in g.criteria]

    def criterion(self, code: str) -> Criterion:
        """A criterion by code, or one of its `also` parts ("4+1"), which have worklists too."""
        for c in self.criteria:
            if c.code == code:
                return c
            for part in c.also:
                if part.code == code:
                    return part
        raise DomainError(
            f"Bộ tiêu chí “{self.slug}” không có tiêu chí “{code}”", "unknown_criterion"
        )

    @property
    def key(self) -> str:
        return f"{self.slug}@{self.version}"

    def is_valid_at(self, at: dt.date) -> bool:
        return self.valid_from <= at and (self.valid_to is None or at <= self.valid_to)

    def summary(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "version": self.version,
            "title": self.title,
            "province": self.province,
            "level": self.level,
            "legal_basis": {
                "number": self.legal_basis.number,
                "date": self.legal_basis.date.isoformat(),
                "issuer": self.legal_basis.issuer,
                "title": self.legal_basis.title,
            },
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "guidance": str(self.guidance) if self.guidance else None,
            "criteria_count": len(self.criteria),
        }


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _yaml_dates_to_str(value: Any) -> Any:
    """YAML turns 2023-07-20 into a date; the schema checks ISO strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _yaml_dates_to_str(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_yaml_dates_to_str(v) for v in value]
    return value


def _locate(data: dict, path: list[Any]) -> tuple[str, str]:
    """(criterion code or '', field path) for a jsonschema error path."""
    code = ""
    node: Any = data
    fields: list[str] = []
    for index, part in enumerate(path):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if (
            len(path) > 3
            and index == 3
            and path[0] == "groups"
            and path[2] == "criteria"
            and isinstance(node, dict)
        ):
            code = str(node.get("code", f"#{part + 1}"))
            fields = []
            continue
        fields.append(str(part))
    return code, ".".join(fields)


# Unit attributes a threshold may depend on (AdminUnit.attributes keys, units.attributes). A typo
# in a threshold rule would otherwise silently apply the default threshold.
UNIT_ATTRIBUTES: dict[str, str] = {key: a.label for key, a in unit_attributes.ATTRIBUTES.items()}


def _describe(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return f"thiếu trường bắt buộc ({error.message.split(' is a required')[0]})"
    if error.validator == "enum":
        return f"giá trị {error.instance!r} không hợp lệ; cần một trong {error.validator_value}"
    if error.validator in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
        field_name = str(error.absolute_path[-1]) if error.absolute_path else ""
        bound = "tối thiểu" if "inimum" in str(error.validator) else "tối đa"
        if field_name == "threshold":
            return (
                f"giá trị {error.instance!r} ngoài khoảng cho phép "
                "(ngưỡng là tỷ lệ từ 0 đến 1, ví dụ 0.8 = 80 %)"
            )
        return f"giá trị {error.instance!r} ngoài khoảng cho phép ({bound} {error.validator_value})"
    if error.validator == "minLength":
        return "không được để trống"
    if error.validator == "minItems":
        return f"cần ít nhất {error.validator_value} mục"
    if error.validator in {"oneOf", "anyOf"}:
        return f"giá trị {error.instance!r} không đúng dạng nào được chấp nhận ở trường này"
    if error.validator == "type":
        return f"cần kiểu {error.validator_value}, nhận được {error.instance!r}"
    if error.validator == "additionalProperties":
        extra = error.message.split("'")[1] if "'" in error.message else ""
        return f"trường “{extra}” không được hỗ trợ" if extra else "có trường không được hỗ trợ"
    if error.validator == "format":
        return f"cần ngày dạng YYYY-MM-DD, nhận được {error.instance!r}"
    if error.validator == "pattern":
        return f"giá trị {error.instance!r} không đúng dạng {error.validator_value}"
    # Any other schema rule: say so in Vietnamese, keep the validator's words for the expert.
    return f"giá trị không hợp lệ ({error.message})"


def _fail(
    filename: str, code: str, field_name: str, message: str, line: int | None = None
) -> CriteriaFormatError:
    where = filename
    if line:
        where += f", dòng {line}"
    if code:
        where += f", tiêu chí {code}"
    if field_name:
        where += f", trường “{field_name}”"
    error = CriteriaFormatError(f"{where}: {message}", code, field_name, line)
    error.reason = message
    error.filename = filename
    return error


def _node_value(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return v
    return None


def _line_of(text: str, code: str, field_name: str) -> int | None:
    """The 1-based line of a criterion's field (or of the criterion, or of a top-level key),
    from the YAML node marks, so that an error points into the file being edited."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return None
    if root is None:
        return None
    target: yaml.Node | None = None
    if code:
        groups = _node_value(root, "groups")
        for group in getattr(groups, "value", []) if groups is not None else []:
            criteria = _node_value(group, "criteria")
            for item in getattr(criteria, "value", []) if criteria is not None else []:
                code_node = _node_value(item, "code")
                if code_node is not None and str(code_node.value) == code:
                    target = item
                    break
            if target is not None:
                break
        if target is None:
            return None
    else:
        target = root
    line = target.start_mark.line + 1
    node = target
    for part in [p for p in field_name.split(".") if p]:
        name = part.split("[", 1)[0]
        child = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if getattr(k, "value", None) == name:
                    line, child = k.start_mark.line + 1, v
                    break
        elif isinstance(node, yaml.SequenceNode) and name.isdigit() and int(name) < len(node.value):
            child = node.value[int(name)]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


def _check_requirement(filename: str, code: str, field_name: str, req: dict) -> None:
    types = req["type"] if isinstance(req["type"], list) else [req["type"]]
    for t in types:
        if not evidence_catalogue.is_known(req["category"], t):
            raise _fail(
                filename,
                code,
                field_name,
                f"loại minh chứng “{req['category']}/{t}” không có trong evidence_types.yaml",
            )


def _build_criterion(filename: str, raw: dict, group_code: str, inline: bool = False) -> Criterion:
    code = raw.get("code", "") if not inline else raw.get("code", "(of)")
    c = Criterion(
        code=str(code),
        title=raw.get("title", ""),
        kind=raw["kind"],
        requirement=raw.get("requirement", ""),
        note=raw.get("note", ""),
        applies_from=_date(raw.get("applies_from")),
        list_title=raw.get("list_title", ""),
        list_code=raw.get("list_code", ""),
        population=raw.get("population"),
        population_filter=raw.get("population_filter"),
        numerator=raw.get("numerator"),
        threshold=Decimal(str(raw["threshold"])) if raw.get("threshold") is not None else None,
        count=raw.get("count"),
        where=raw.get("where"),
        minimum=raw.get("minimum"),
        requires=list(raw.get("requires") or []),
        any_of=list(raw.get("any_of") or []),
        statistic=raw.get("statistic"),
        over=raw.get("over"),
        criteria_set=raw.get("criteria_set"),
        criterion=raw.get("criterion"),
        group_code=group_code,
        figures=list(raw.get("figures") or []),
        when_empty=raw.get("when_empty", "no_data"),
    )
    try:
        if c.kind == "ratio":
            assert c.population and c.numerator is not None
            level = POPULATIONS[c.population]
            field_name = "numerator"
            c.numerator_node = expressions.validate(c.numerator, level)
            if c.population_filter:
                field_name = "population_filter"
                c.population_filter_node = expressions.validate(c.population_filter, level)
        field_name = "threshold_rules"
        for rule in raw.get("threshold_rules") or []:
            node = expressions.parse(rule["when"])
            unknown = expressions.names(node) - set(UNIT_ATTRIBUTES)
            if unknown:
                raise DomainError(
                    f"thuộc tính đơn vị “{', '.join(sorted(unknown))}” không có; các thuộc tính "
                    f"dùng được: {', '.join(sorted(UNIT_ATTRIBUTES))}"
                )
            c.threshold_rules.append((node, Decimal(str(rule["threshold"])), rule["when"]))
    except DomainError as exc:
        raise _fail(filename, c.code, field_name, exc.message) from None
    if c.kind == "count":
        for req in c.count if isinstance(c.count, list) else [c.count or {}]:
            _check_requirement(filename, c.code, "count", req)
    for name in ("requires", "any_of"):
        for req in getattr(c, name):
            _check_requirement(filename, c.code, name, req)
    if c.kind == "evidence" and not (c.requires or c.any_of):
        raise _fail(
            filename, c.code, "requires", "tiêu chí minh chứng cần “requires” hoặc “any_of”"
        )
    for figure in c.figures:
        if not evidence_catalogue.is_known("statistic", figure):
            raise _fail(
                filename,
                c.code,
                "figures",
                f"số liệu “{figure}” không có trong evidence_types.yaml (nhóm statistic)",
            )
    if c.kind == "reported" and not evidence_catalogue.is_known("statistic", c.statistic or ""):
        raise _fail(
            filename,
            c.code,
            "statistic",
            f"số liệu “{c.statistic}” không có trong evidence_types.yaml (nhóm statistic)",
        )
    if c.kind == "aggregate":
        if raw.get("of"):
            inner = dict(raw["of"])
            inner.setdefault("code", f"{c.code}/of")
            inner.setdefault("title", c.title)
            try:
                jsonschema.validate(inner, CRITERION_SCHEMA)
            except jsonschema.ValidationError as exc:
                raise _fail(
                    filename,
                    c.code,
                    "of." + ".".join(str(p) for p in exc.absolute_path),
                    _describe(exc),
                ) from None
            c.of = _build_criterion(filename, inner, group_code, inline=True)
        elif not c.criteria_set:
            raise _fail(
                filename,
                c.code,
                "criteria_set",
                "tiêu chí tổng hợp cần “criteria_set” (và “criterion”) hoặc “of”",
            )
    for index, part in enumerate(raw.get("also") or [], start=1):
        inner = dict(part)
        # Each part needs a code of its own: the engine keys its counts by code.
        inner.setdefault("code", f"{c.code}+{index}")
        inner.setdefault("title", c.title)
        try:
            jsonschema.validate(inner, CRITERION_SCHEMA)
        except jsonschema.ValidationError as exc:
            path = ".".join(str(p) for p in exc.absolute_path)
            field_name = f"also[{index}]" + (f".{path}" if path else "")
            raise _fail(filename, c.code, field_name, _describe(exc)) from None
        c.also.append(_build_criterion(filename, inner, group_code, inline=True))
    return c


def parse_set(data: Any, filename: str) -> CriteriaSet:
    if not isinstance(data, dict):
        raise _fail(filename, "", "", "tệp phải là một đối tượng YAML (slug, title, groups, …)")
    data = _yaml_dates_to_str(data)
    validator = jsonschema.Draft202012Validator(
        SET_SCHEMA, format_checker=jsonschema.FormatChecker()
    )
    errors = sorted(
        validator.iter_errors(data),
        key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))),
    )
    if errors:
        # The deepest error of the first failing branch is the most specific.
        error = jsonschema.exceptions.best_match(errors)
        code, field_name = _locate(data, list(error.absolute_path))
        if error.validator == "required" and not field_name:
            field_name = error.message.split("'")[1] if "'" in error.message else ""
        if error.validator == "additionalProperties" and "'" in error.message:
            # Point at the unknown key itself (its line), not at the object holding it.
            extra = error.message.split("'")[1]
            field_name = f"{field_name}.{extra}" if field_name else extra
        raise _fail(filename, code, field_name, _describe(error))
    groups: list[Group] = []
    seen: set[str] = set()
    for group in data["groups"]:
        criteria = []
        for raw in group["criteria"]:
            if raw["code"] in seen:
                raise _fail(filename, raw["code"], "code", "mã tiêu chí bị trùng trong bộ")
            seen.add(raw["code"])
            criteria.append(_build_criterion(filename, raw, group.get("code", "")))
        groups.append(
            Group(code=group.get("code", ""), title=group.get("title", ""), criteria=criteria)
        )
    for criterion in (c for g in groups for c in g.criteria):
        criterion.set_key = (data["slug"], data["version"])
    lb = data["legal_basis"]
    policy = data.get("policy") or {}
    return CriteriaSet(
        slug=data["slug"],
        version=data["version"],
        title=data["title"],
        level=data["level"],
        province=data.get("province", ""),
        legal_basis=LegalBasis(lb["number"], _date(lb["date"]), lb["issuer"], lb.get("title", "")),  # type: ignore[arg-type]
        valid_from=_date(data["valid_from"]),  # type: ignore[arg-type]
        valid_to=_date(data.get("valid_to")),
        source=data.get("source", ""),
        description=data.get("description", ""),
        working_age_policy=policy.get("working_age", "decree135"),
        adult_age=policy.get("adult_age", 18),
        groups=groups,
        path=filename,
        guidance=(
            Guidance(
                issuer=data["guidance"]["issuer"],
                title=data["guidance"]["title"],
                number=data["guidance"].get("number", ""),
                date=_date(data["guidance"].get("date")),
            )
            if data.get("guidance")
            else None
        ),
        recipients=list(data.get("recipients") or []),
        area={k: list(v) for k, v in (data.get("area") or {}).items()},
    )


def load_text(text: str, filename: str) -> CriteriaSet:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
        error = _fail(filename, "", "", f"YAML không hợp lệ{where}: {getattr(exc, 'problem', exc)}")
        error.line = mark.line + 1 if mark else None
        raise error from None
    try:
        return parse_set(data, filename)
    except CriteriaFormatError as exc:
        line = _line_of(text, exc.criterion_code, exc.field_name)
        if line is None:
            raise
        raise _fail(filename, exc.criterion_code, exc.field_name, exc.reason, line) from None


def load_file(path: str | Path) -> CriteriaSet:
    path = Path(path)
    return load_text(path.read_text(encoding="utf-8"), path.name)


def _files() -> list[Path]:
    paths = sorted(SETS_DIR.glob("*.yaml"))
    for directory in settings.SMARTVILLAGE_CRITERIA_DIRS:
        paths.extend(sorted(Path(directory).glob("*.yaml")))
    return paths


def check_references(cset: CriteriaSet, known: dict[tuple[str, int], CriteriaSet]) -> None:
    """Every aggregate naming another set's criterion must name one that exists."""
    latest: dict[str, CriteriaSet] = {}
    for (slug, _version), other in sorted(known.items()):
        latest[slug] = other
    latest.setdefault(cset.slug, cset)
    for c in cset.criteria:
        if c.kind != "aggregate" or c.of is not None or not c.criteria_set:
            continue
        other = latest.get(c.criteria_set)
        if other is None:
            raise _fail(
                cset.path or cset.slug,
                c.code,
                "criteria_set",
                f"không có bộ tiêu chí “{c.criteria_set}”",
            )
        if c.criterion and c.criterion not in {x.code for x in other.criteria}:
            raise _fail(
                cset.path or cset.slug,
                c.code,
                "criterion",
                f"bộ “{c.criteria_set}” không có tiêu chí “{c.criterion}”",
            )


# Web workers are separate processes: each re-reads the uploaded sets when the table changed,
# checked at most every few seconds (one small aggregate query), so an upload shows everywhere.
_REFRESH_SECONDS = 5.0
_cache: dict[str, Any] = {"sets": None, "stamp": None, "checked": 0.0}


def _upload_stamp() -> tuple[Any, ...]:
    from django.db import DatabaseError
    from django.db.models import Count, Max

    try:
        from smartvillage.criteria.models import UploadedCriteriaSet

        # Published rows only: a draft being edited changes nothing the workers load.
        row = UploadedCriteriaSet.objects.filter(status="published").aggregate(
            n=Count("id"), changed=Max("updated_at")
        )
        return (row["n"], row["changed"])
    except DatabaseError:
        return (None, None)


def _registry() -> dict[tuple[str, int], CriteriaSet]:
    now = time.monotonic()
    if _cache["sets"] is not None and now - _cache["checked"] < _REFRESH_SECONDS:
        return _cache["sets"]
    stamp = _upload_stamp()
    if _cache["sets"] is None or stamp != _cache["stamp"]:
        _cache["sets"] = _build_registry()
        _cache["stamp"] = stamp
    _cache["checked"] = now
    return _cache["sets"]


def _build_registry() -> dict[tuple[str, int], CriteriaSet]:
    sets: dict[tuple[str, int], CriteriaSet] = {}
    for path in _files():
        cset = load_file(path)
        key = (cset.slug, cset.version)
        if key in sets:
            raise _fail(
                path.name,
                "",
                "version",
                f"bộ “{cset.slug}” phiên bản {cset.version} đã có trong {sets[key].path}",
            )
        sets[key] = cset
    for cset in _uploaded_sets():
        sets.setdefault((cset.slug, cset.version), cset)
    for cset in sets.values():
        check_references(cset, sets)
    return sets


def _uploaded_sets() -> list[CriteriaSet]:
    from django.db import DatabaseError

    try:
        from smartvillage.criteria.models import UploadedCriteriaSet

        return [
            load_text(row.content, row.filename)
            for row in UploadedCriteriaSet.objects.filter(is_active=True, status="published")
        ]
    except DatabaseError:
        # Before migrations ran (e.g. `smartvillage migrate` itself) there is no table yet.
        return []


def registered_sets() -> dict[tuple[str, int], CriteriaSet]:
    """Every published set by (slug, version): what a draft's references are checked against."""
    return dict(_registry())


def reload() -> None:
    _cache["sets"] = None


def all_sets(latest_only: bool = True) -> list[CriteriaSet]:
    sets = sorted(_registry().values(), key=lambda s: (s.slug, s.version))
    if not latest_only:
        return sets
    latest: dict[str, CriteriaSet] = {}
    for s in sets:
        latest[s.slug] = s
    return list(latest.values())


def get_set(slug: str, version: int | None = None) -> CriteriaSet:
    registry = _registry()
    if version is not None:
        try:
            return registry[(slug, version)]
        except KeyError:
            raise DomainError(
                f"Không có bộ tiêu chí “{slug}” phiên bản {version}", "unknown_criteria_set"
            ) from None
    versions = [s for (sl, _v), s in registry.items() if sl == slug]
    if not versions:
        known = ", ".join(sorted({s for s, _ in registry}))
        raise DomainError(
            f"Không có bộ tiêu chí “{slug}”. Các bộ hiện có: {known}", "unknown_criteria_set"
        )
    return max(versions, key=lambda s: s.version)
