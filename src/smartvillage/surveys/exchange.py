"""Survey files: answers as XLSX, the survey as an XLSForm for KoboToolbox/ODK, Kobo's XLSX
export read back as paper-like answers.

The XLSForm names questions q1, q2, … and choices c1, c2, … (XML names), with the Vietnamese
texts as labels; Kobo's export has either those names or the labels as headers, and choice
values as names (or labels), so the reader accepts both. A column it does not know, a row it
cannot place, or a value that is not a choice refuses the whole file, with the row and column.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from smartvillage.core.errors import DomainError
from smartvillage.registry.models import Household, Person
from smartvillage.surveys import services
from smartvillage.surveys.models import Answer, Channel, Question, QuestionKind, Response, Survey
from smartvillage.transfer.safe_xlsx import set_cell

HOUSEHOLD_FIELD = "household_code"
DIGITS_FIELD = "check_digits"
# Columns KoboToolbox and ODK add to every export.
_META = {"start", "end", "today", "deviceid", "__version__", "meta/instanceid", "instanceid"}


def _qname(q: Question) -> str:
    return f"q{q.order}"


def _cname(index: int) -> str:
    return f"c{index + 1}"


def answers_xlsx(survey: Survey) -> bytes:
    """One row per response (no household code or name: the answers, channel and date)."""
    questions = list(survey.questions.all())
    wb = Workbook()
    ws = wb.active
    ws.title = "Phiếu trả lời"
    header = ["STT", "Ngày trả lời", "Cách trả lời", *[q.text for q in questions]]
    for c, text in enumerate(header, start=1):
        set_cell(ws, 1, c, text, font=Font(bold=True))
        ws.column_dimensions[get_column_letter(c)].width = 16 if c <= 3 else 30
    answers: dict[int, dict[int, Any]] = {}
    for response_id, question_id, value in Answer.objects.filter(
        response__survey=survey
    ).values_list("response_id", "question_id", "value"):
        answers.setdefault(response_id, {})[question_id] = value
    responses = Response.objects.filter(survey=survey).order_by("created_at", "id")
    labels = dict(Channel.choices)
    for row, response in enumerate(responses, start=2):
        set_cell(ws, row, 1, row - 1)
        set_cell(ws, row, 2, response.created_at.strftime("%d/%m/%Y"))
        set_cell(ws, row, 3, str(labels[response.channel]))
        for c, q in enumerate(questions, start=4):
            value = answers.get(response.pk, {}).get(q.pk)
            if isinstance(value, list):
                value = "; ".join(str(v) for v in value)
            set_cell(ws, row, c, value if value is not None else "")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsform_xlsx(survey: Survey) -> bytes:
    """The survey as an XLSForm (survey, choices, settings) for KoboToolbox or ODK Collect."""
    label = "label::Tiếng Việt (vi)"
    survey_rows: list[list[str]] = [["type", "name", label, "required", "constraint"]]
    survey_rows.append(["text", HOUSEHOLD_FIELD, "Mã hộ", "yes", "string-length(.) <= 40"])
    survey_rows.append(
        [
            "text",
            DIGITS_FIELD,
            "4 số cuối CCCD của một thành viên trong hộ",
            "no",
            "regex(., '^[0-9]{4}$')",
        ]
    )
    choices: list[list[str]] = [["list_name", "name", label]]
    for q in survey.questions.all():
        name = _qname(q)
        required = "yes" if q.required else "no"
        if q.kind == QuestionKind.TEXT:
            survey_rows.append(["text", name, q.text, required, ""])
            continue
        list_name = f"l{q.order}"
        kind = "select_multiple" if q.kind == QuestionKind.MULTIPLE else "select_one"
        survey_rows.append([f"{kind} {list_name}", name, q.text, required, ""])
        choices += [[list_name, _cname(i), text] for i, text in enumerate(q.choices)]
    settings_rows = [
        ["form_title", "form_id", "version", "default_language"],
        [survey.title, f"smartvillage_survey_{survey.pk}", "1", "Tiếng Việt (vi)"],
    ]
    wb = Workbook()
    for index, (title, rows) in enumerate(
        (("survey", survey_rows), ("choices", choices), ("settings", settings_rows))
    ):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = title
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value != "":
                    set_cell(ws, r, c, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@dataclass
class KoboReport:
    imported: int = 0
    skipped: list[str] = field(default_factory=list)  # already answered, with row
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _fold(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def _columns(survey: Survey, header: list[Any]) -> tuple[dict[int, Any], list[str]]:
    """Column index → HOUSEHOLD_FIELD / DIGITS_FIELD / Question; unknown headers as errors."""
    questions = list(survey.questions.all())
    by_name: dict[str, Any] = {HOUSEHOLD_FIELD: HOUSEHOLD_FIELD, DIGITS_FIELD: DIGITS_FIELD}
    by_name[_fold("Mã hộ")] = HOUSEHOLD_FIELD
    for q in questions:
        by_name[_qname(q)] = q
        by_name[_fold(q.text)] = q
    out: dict[int, Any] = {}
    errors: list[str] = []
    for index, text in enumerate(header):
        key = _fold(text)
        if not key:
            continue
        # Kobo groups prefix names ("group_x/q1"); its own columns start with "_".
        short = key.rsplit("/", 1)[-1]
        if key.startswith("_") or short in _META or key in _META:
            continue
        target = by_name.get(key) or by_name.get(short)
        if target is None:
            # "q2/c1": Kobo's 0/1 column per option of a multiple choice repeats "q2".
            if "/" in key and by_name.get(key.split("/")[-2]) is not None:
                continue
            errors.append(
                f"Cột {get_column_letter(index + 1)} (“{text}”): không phải câu hỏi của cuộc khảo "
                "sát này."
            )
            continue
        out[index] = target
    if HOUSEHOLD_FIELD not in out.values():
        errors.append("Tệp không có cột “household_code” (Mã hộ).")
    return out, errors


def _choice(q: Question, raw: str) -> str | None:
    raw = raw.strip()
    for i, text in enumerate(q.choices):
        if raw == _cname(i) or _fold(raw) == _fold(text):
            return text
    return None


def import_kobo(user: Any, survey: Survey, data: bytes, file_name: str = "") -> KoboReport:
    """Read a KoboToolbox/ODK XLSX export; all rows are recorded or none (errors listed)."""
    if not services.can_enter_paper(user, survey.village):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise DomainError(
            f"Không đọc được tệp “{file_name}”: cần tệp Excel (.xlsx) xuất từ KoboToolbox/ODK.",
            "unreadable",
        ) from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True, max_col=200)
    header = list(next(rows, []) or [])
    columns, errors = _columns(survey, header)
    report = KoboReport(errors=errors)
    if errors:
        return report
    planned: list[tuple[int, services.Proof, dict[int, Any]]] = []
    seen: set[int] = set()
    households = {h.code.casefold(): h for h in Household.objects.filter(village=survey.village)}
    answered = set(Response.objects.filter(survey=survey).values_list("household_id", flat=True))
    # The members' identity numbers, read once for the file (not a query per row).
    numbers: dict[int, list[str]] = {}
    for household_id, number in (
        Person.objects.filter(village=survey.village)
        .exclude(identity_number="")
        .values_list("household_id", "identity_number")
    ):
        numbers.setdefault(household_id, []).append(number)
    for row_number, row in enumerate(rows, start=2):
        if row_number > 10_000:
            report.errors.append("Tệp có quá 10.000 dòng.")
            break
        values = {i: ("" if row[i] is None else str(row[i])) for i in columns if i < len(row)}
        if not any(v.strip() for v in values.values()):
            continue
        raw: dict[int, Any] = {}
        code = digits = ""
        row_errors: list[str] = []
        for index, target in columns.items():
            value = values.get(index, "").strip()
            where = f"Dòng {row_number}, cột {get_column_letter(index + 1)}"
            if target == HOUSEHOLD_FIELD:
                code = value
            elif target == DIGITS_FIELD:
                digits = value
            elif target.kind == QuestionKind.TEXT:
                raw[target.pk] = value
            elif target.kind == QuestionKind.MULTIPLE:
                picked = []
                for part in value.split():
                    choice = _choice(target, part)
                    if choice is None:
                        row_errors.append(f"{where}: “{part}” không phải một lựa chọn.")
                    else:
                        picked.append(choice)
                raw[target.pk] = picked
            elif value:
                choice = _choice(target, value)
                if choice is None:
                    row_errors.append(f"{where}: “{value}” không phải một lựa chọn.")
                raw[target.pk] = choice or ""
        household = households.get(code.casefold())
        if household is None:
            row_errors.append(f"Dòng {row_number}: mã hộ “{code}” không có trong thôn.")
        elif (
            digits
            and not any(number.endswith(digits) for number in numbers.get(household.pk, []))
            and not services.phone_matches(household, digits)
        ):
            row_errors.append(f"Dòng {row_number}: 4 số cuối không khớp thành viên nào của hộ.")
        if row_errors:
            report.errors += row_errors
            continue
        assert household is not None
        if household.pk in answered:
            report.skipped.append(f"Dòng {row_number}: hộ này đã trả lời trước đó (bỏ qua).")
            continue
        if household.pk in seen:
            report.errors.append(f"Dòng {row_number}: hộ này có hai phiếu trong tệp.")
            continue
        seen.add(household.pk)
        try:
            services.clean_answers(survey, raw)
        except DomainError as exc:
            report.errors.append(f"Dòng {row_number}: {exc.message}")
            continue
        planned.append((row_number, services.Proof(household, Channel.KOBO), raw))
    if report.errors:
        return report
    with transaction.atomic():
        for _row, proof, raw in planned:
            services.do_answer(survey, proof, raw, entered_by=user)
    report.imported = len(planned)
    return report
