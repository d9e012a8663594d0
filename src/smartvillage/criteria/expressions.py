"""A small, safe condition language over facts, compiled to Django Q objects.

    smartphone and digital_skills_trained
    not (is_business or household.fibre_internet)
    sex == "F" and age >= 18
    digital_address_code is set

It is tokenised and parsed here (never eval'ed) into a tiny AST. The same AST is compiled to a
database condition (for registry members) or interpreted in Python against a dict (for unit
attributes in threshold rules), like pretix's jsonlogic helper. Negations are pushed down to the
leaves before compiling, because a missing JSON key is SQL NULL and NOT NULL is not true: a leaf
knows how to say "not met" including "missing".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from smartvillage.core.errors import DomainError

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>-?\d+(?:\.\d+)?)
      | (?P<str>"[^"]*"|'[^']*')
      | (?P<op>==|!=|>=|<=|>|<|\(|\))
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "is", "set", "true", "false"}
_COMPARATORS = {"==", "!=", ">=", "<=", ">", "<"}


class ExpressionError(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, "bad_expression")


# ---- AST -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Compare:
    name: str
    op: str  # one of _COMPARATORS, or "set" / "unset"
    value: Any = None


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Const:
    value: bool


Node = Name | Compare | Not | And | Or | Const


# ---- parsing ---------------------------------------------------------------------------------


def _tokenise(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ExpressionError(
                f"không hiểu ký tự “{text[pos : pos + 10]}” ở vị trí {pos + 1} trong “{text}”"
            )
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "name" and value in _KEYWORDS or kind == "op" and value in "()":
            kind = value
        tokens.append((kind, value))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenise(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, kind: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (kind is not None and token[0] != kind):
            expected = kind or "một giá trị"
            got = token[1] if token else "hết biểu thức"
            raise ExpressionError(f"cần “{expected}” nhưng gặp “{got}” trong “{self.text}”")
        self.pos += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise ExpressionError("biểu thức rỗng")
        node = self.or_expr()
        if self.peek() is not None:
            raise ExpressionError(f"thừa “{self.peek()[1]}” trong “{self.text}”")  # type: ignore[index]
        return node

    def or_expr(self) -> Node:
        operands = [self.and_expr()]
        while self.peek() and self.peek()[0] == "or":  # type: ignore[index]
            self.take()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self) -> Node:
        operands = [self.not_expr()]
        while self.peek() and self.peek()[0] == "and":  # type: ignore[index]
            self.take()
            operands.append(self.not_expr())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_expr(self) -> Node:
        if self.peek() and self.peek()[0] == "not":  # type: ignore[index]
            self.take()
            return Not(self.not_expr())
        return self.comparison()

    def comparison(self) -> Node:
        token = self.peek()
        if token is None:
            raise ExpressionError(f"biểu thức kết thúc đột ngột: “{self.text}”")
        if token[0] == "(":
            self.take()
            node = self.or_expr()
            self.take(")")
            return node
        if token[0] in {"true", "false"}:
            self.take()
            return Const(token[0] == "true")
        name = self.take("name")[1]
        nxt = self.peek()
        if nxt and nxt[0] == "op" and nxt[1] in _COMPARATORS:
            op = self.take()[1]
            return Compare(name, op, self.literal())
        if nxt and nxt[0] == "is":
            self.take()
            negated = bool(self.peek() and self.peek()[0] == "not")  # type: ignore[index]
            if negated:
                self.take()
            self.take("set")
            return Compare(name, "unset" if negated else "set")
        return Name(name)

    def literal(self) -> Any:
        kind, value = self.take()
        if kind == "num":
            return float(value) if "." in value else int(value)
        if kind == "str":
            return value[1:-1]
        if kind in {"true", "false"}:
            return kind == "true"
        raise ExpressionError(
            f"cần một giá trị (số, chuỗi, true/false) nhưng gặp “{value}” trong “{self.text}”"
        )


def parse(text: str) -> Node:
    return _Parser(str(text)).parse()


def names(node: Node) -> set[str]:
    match node:
        case Name(name) | Compare(name, _, _):
            return {name}
        case Not(operand):
            return names(operand)
        case And(operands) | Or(operands):
            return set().union(*(names(o) for o in operands))
    return set()


def to_nnf(node: Node, negate: bool = False) -> Node:
    """Push negations down to the leaves (De Morgan)."""
    match node:
        case Not(operand):
            return to_nnf(operand, not negate)
        case And(operands):
            parts = tuple(to_nnf(o, negate) for o in operands)
            return Or(parts) if negate else And(parts)
        case Or(operands):
            parts = tuple(to_nnf(o, negate) for o in operands)
            return And(parts) if negate else Or(parts)
        case Const(value):
            return Const(not value if negate else value)
    return Not(node) if negate else node


# ---- Python interpretation (unit attributes) -------------------------------------------------


def evaluate_python(node: Node, values: dict[str, Any]) -> bool:
    match node:
        case Const(value):
            return value
        case Name(name):
            return bool(values.get(name))
        case Not(operand):
            return not evaluate_python(operand, values)
        case And(operands):
            return all(evaluate_python(o, values) for o in operands)
        case Or(operands):
            return any(evaluate_python(o, values) for o in operands)
        case Compare(name, op, value):
            current = values.get(name)
            if op == "set":
                return current not in (None, "")
            if op == "unset":
                return current in (None, "")
            if current is None:
                return False
            return _compare(current, op, value)
    raise ExpressionError(f"nút không hợp lệ: {node!r}")


def _compare(left: Any, op: str, right: Any) -> bool:
    try:
        return {
            "==": left == right,
            "!=": left != right,
            ">=": left >= right,
            "<=": left <= right,
            ">": left > right,
            "<": left < right,
        }[op]
    except TypeError:
        return False


# ---- compilation to the database -------------------------------------------------------------

# Plain model fields a condition may name besides the facts catalogue.
HOUSEHOLD_FIELDS = {"digital_address_code": "text", "address": "text", "code": "text"}
PERSON_FIELDS = {"sex": "text", "relationship": "text", "identity_number": "text"}


@dataclass(frozen=True)
class Field:
    lookup: str  # ORM path from the population's model
    type: str  # bool | int | text | date
    json: bool  # stored in a JSON column (a missing key is NULL)


def resolve_name(name: str, level: str) -> Field:
    """Map an identifier to an ORM path, relative to Household (level household) or Person."""
    from smartvillage.registry.facts import catalogue

    prefix = ""
    target_level = level
    key = name
    if "." in name:
        head, key = name.split(".", 1)
        if head != "household" or level != "person":
            raise ExpressionError(
                f"“{name}”: chỉ dùng được tiền tố “household.” trong tập nhân khẩu"
            )
        prefix, target_level = "household__", "household"
    fields = HOUSEHOLD_FIELDS if target_level == "household" else PERSON_FIELDS
    if key in fields:
        return Field(prefix + key, fields[key], json=False)
    fact = catalogue().get(key)
    if fact is None:
        raise ExpressionError(f"“{key}” không có trong danh mục chỉ tiêu dữ liệu (facts.yaml)")
    if fact.level != target_level:
        hint = (
            f" (dùng “household.{key}”)" if fact.level == "household" and level == "person" else ""
        )
        raise ExpressionError(
            f"“{key}” là chỉ tiêu cấp {fact.level}, không dùng được ở tập cấp {level}{hint}"
        )
    return Field(prefix + fact.lookup, fact.type, json=fact.storage == "extra")


# Conditions computed from the registry rather than recorded: {name: the level it applies to}.
# first_in_dwelling: the household is the first (lowest id) of its house number in its village,
# so that a house shared by several households counts once (Thanh Hóa 6: "Tỷ lệ nhà ở"); a
# household without a house number is a dwelling of its own.
DERIVED = {"first_in_dwelling": "household"}


def validate(text: str, level: str) -> Node:
    node = parse(text)
    for name in names(node):
        if name == "age":
            if level != "person":
                raise ExpressionError("“age” chỉ dùng được trong tập nhân khẩu")
            continue
        if name in DERIVED:
            if level != DERIVED[name]:
                raise ExpressionError(f"“{name}” chỉ dùng được trong tập hộ gia đình")
            continue
        resolve_name(name, level)
    return node


def _first_in_dwelling_q(negate: bool) -> Q:
    from django.db.models import Exists, OuterRef

    from smartvillage.registry.models import Household

    earlier = Household.objects.filter(
        village=OuterRef("village"), house_number=OuterRef("house_number"), pk__lt=OuterRef("pk")
    ).exclude(house_number="")
    return Q(Exists(earlier)) if negate else ~Q(Exists(earlier))


def _years_before(at: dt.date, years: int) -> dt.date:
    try:
        return at.replace(year=at.year - years)
    except ValueError:  # 29 February in a non-leap year
        return at.replace(year=at.year - years, day=28)


def _age_q(op: str, years: int, at: dt.date) -> Q:
    """age >= n  <=>  born on or before the date n years before `at` (an index range, no per-row math)."""
    born_by = _years_before(at, years)  # age >= years
    born_after = _years_before(at, years + 1)  # age <= years  <=>  born after this date
    match op:
        case ">=":
            return Q(birth_date__lte=born_by)
        case ">":
            return Q(birth_date__lte=_years_before(at, years + 1))
        case "<":
            return Q(birth_date__gt=born_by)
        case "<=":
            return Q(birth_date__gt=born_after)
        case "==":
            return Q(birth_date__gt=born_after, birth_date__lte=born_by)
        case "!=":
            return Q(birth_date__lte=born_after) | Q(birth_date__gt=born_by)
    raise ExpressionError(f"phép so sánh “{op}” không dùng được với age")


def _leaf(node: Node, level: str, at: dt.date, negate: bool) -> Q:
    if isinstance(node, Compare) and node.name == "age":
        if not isinstance(node.value, int):
            raise ExpressionError("age phải so với một số nguyên")
        q = _age_q(node.op, node.value, at)
        # Unknown birth date: neither "age >= 18" nor its negation is met.
        return (~q & Q(birth_date__isnull=False)) if negate else q
    name = node.name if isinstance(node, Name | Compare) else ""
    if name in DERIVED:
        if not isinstance(node, Name):
            raise ExpressionError(f"“{name}” là điều kiện đúng/sai, không so sánh được")
        return _first_in_dwelling_q(negate)
    field = resolve_name(name, level)
    if isinstance(node, Name):
        if field.type == "bool":
            positive = Q(**{field.lookup: True})
        elif field.type == "text":
            positive = ~Q(**{field.lookup: ""}) & Q(**{f"{field.lookup}__isnull": False})
        else:
            positive = Q(**{f"{field.lookup}__isnull": False})
    else:
        assert isinstance(node, Compare)
        if node.op in {"set", "unset"}:
            positive = Q(**{f"{field.lookup}__isnull": False})
            if field.type == "text":
                positive &= ~Q(**{field.lookup: ""})
            if node.op == "unset":
                return positive if negate else ~positive
        else:
            suffix = {"==": "", "!=": "", ">=": "__gte", "<=": "__lte", ">": "__gt", "<": "__lt"}[
                node.op
            ]
            positive = Q(**{f"{field.lookup}{suffix}": node.value})
            if node.op == "!=":
                positive = ~positive & Q(**{f"{field.lookup}__isnull": False})
    if not negate:
        return positive
    if field.json:
        # A missing key means "not recorded" = not met, so its negation is met.
        return ~positive | Q(**{f"{field.lookup}__isnull": True})
    return ~positive


def compile_q(node: Node, level: str, at: dt.date) -> Q:
    """The condition as a Q over Household (level "household") or Person (level "person")."""

    def walk(n: Node) -> Q:
        match n:
            case Const(value):
                return Q() if value else Q(pk__in=[])
            case And(operands):
                q = Q()
                for o in operands:
                    q &= walk(o)
                return q
            case Or(operands):
                q = walk(operands[0])
                for o in operands[1:]:
                    q |= walk(o)
                return q
            case Not(operand):
                return _leaf(operand, level, at, negate=True)
        return _leaf(n, level, at, negate=False)

    return walk(to_nnf(node))
