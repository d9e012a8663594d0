"""The files people fill in: the village's XLSX template and the XLSForm for ODK/KoboToolbox.

Both use the facts catalogue, so a fact a province adds to the catalogue appears in the template
and the survey without code changes, with the same Vietnamese labels the importer recognises.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.validators import RegexValidator
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from smartvillage.accounts.permissions import Action, can
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.core.errors import DomainError
from smartvillage.registry.facts import Fact, facts_for
from smartvillage.registry.models import Household, Person, Relationship, Sex
from smartvillage.transfer.safe_xlsx import set_cell
from smartvillage.units.models import AdminUnit, Level

YES, NO = "Có", "Không"
TEMPLATE_ROWS = 2000  # drop-downs cover this many data rows
HEADER_ROW = 3

HOUSEHOLD_CORE = [
    ("STT", 6, None),
    ("Mã hộ", 12, None),
    ("Họ và tên chủ hộ", 28, None),
    ("Địa chỉ", 24, None),
    ("Số nhà", 10, None),
    ("Số điện thoại", 16, "phone"),
    ("Mã địa chỉ số", 16, None),
]
PERSON_CORE = [
    ("STT", 6, None),
    ("Mã hộ", 12, None),
    ("Họ và tên", 28, None),
    ("Ngày sinh", 13, "date"),
    ("Giới tính", 10, "sex"),
    ("Quan hệ với chủ hộ", 18, "relationship"),
    ("Số CCCD", 16, "identity"),
]


def _bold(size: float = 12) -> Font:
    return Font(name="Times New Roman", size=size, bold=True)


def _sheet(
    wb: Workbook,
    title: str,
    heading: str,
    core: list,
    facts: list,
    rows: list[list[object]] | None = None,
) -> None:
    ws = wb.create_sheet(title)
    columns = [*core, *[(f.label_vi, 18, "bool") for f in facts], ("Ghi chú", 24, None)]
    set_cell(ws, 1, 1, heading, font=_bold(14))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=min(len(columns), 10))
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(horizontal="center", vertical="center", wrap_text=True)
    validations = {
        "bool": DataValidation(
            type="list",
            formula1=f'"{YES},{NO}"',
            allow_blank=True,
            error="Chọn Có hoặc Không (để trống là Không)",
            errorTitle="Giá trị không hợp lệ",
            showErrorMessage=True,
        ),
        "sex": DataValidation(
            type="list",
            formula1=f'"{Sex.MALE.label},{Sex.FEMALE.label}"',
            allow_blank=True,
            error="Chọn Nam hoặc Nữ",
            errorTitle="Giới tính",
            showErrorMessage=True,
        ),
        "relationship": DataValidation(
            type="list",
            formula1='"' + ",".join(str(r.label) for r in Relationship) + '"',
            allow_blank=True,
            error="Chọn trong danh sách",
            errorTitle="Quan hệ với chủ hộ",
            showErrorMessage=True,
        ),
    }
    for dv in validations.values():
        ws.add_data_validation(dv)
    rows = rows or []
    # Room to add rows below the village's own (the drop-downs and formats reach that far).
    span = max(TEMPLATE_ROWS, len(rows) + 500)
    last = HEADER_ROW + span
    for index, (header, width, kind) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        set_cell(ws, HEADER_ROW, index, header, font=_bold(), alignment=wrap, fill=fill)
        ws.column_dimensions[letter].width = width
        area = f"{letter}{HEADER_ROW + 1}:{letter}{last}"
        if kind in validations:
            validations[kind].add(area)
        if kind == "date":
            for row in range(HEADER_ROW + 1, last + 1):
                ws.cell(row, index).number_format = "dd/mm/yyyy"
        if kind in ("identity", "phone"):
            # Text, or Excel drops the leading zero of a CCCD or a phone number.
            for row in range(HEADER_ROW + 1, last + 1):
                ws.cell(row, index).number_format = "@"
    for offset, values in enumerate(rows, start=1):
        for index, value in enumerate(values, start=1):
            # Through set_cell: names are untrusted text (never a formula); formats stay.
            cell = ws.cell(HEADER_ROW + offset, index)
            number_format = cell.number_format
            if isinstance(value, int) and number_format == "dd/mm/yyyy":
                number_format = "0"  # a birth year alone, not day 1990 after 1900
            set_cell(ws, HEADER_ROW + offset, index, value).number_format = number_format
    ws.row_dimensions[HEADER_ROW].height = 48
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 3)


INSTRUCTIONS = [
    "HƯỚNG DẪN NHẬP DỮ LIỆU",
    "",
    "1. Trang “Hộ gia đình”: mỗi hộ một dòng. “Mã hộ” là duy nhất trong thôn (vd. H001) và không đổi giữa các lần nhập.",
    "2. Trang “Nhân khẩu”: mỗi người một dòng, ghi “Mã hộ” của hộ mình. Người đứng tên chủ hộ ghi quan hệ “Chủ hộ”.",
    "3. Các cột có/không: chọn “Có” hoặc “Không” trong danh sách (cũng nhận x, 1, có; để trống là Không).",
    "4. Ngày sinh: dd/mm/yyyy (vd. 05/03/1985); nếu chỉ biết năm sinh thì ghi năm (vd. 1985).",
    "5. Giới tính: Nam hoặc Nữ. Số CCCD: 12 chữ số. Số điện thoại liên hệ (mỗi hộ một số): ghi cả số 0 ở đầu, vd. 0912 345 678 (hai cột này để dạng văn bản để giữ số 0 ở đầu).",
    "6. Không thêm, xóa hoặc đổi tên cột tiêu đề (dòng 3). Có thể xóa các dòng trống thừa.",
    "7. Nhập lại cùng tệp sẽ cập nhật đúng hộ, đúng người (theo mã hộ; họ tên + ngày sinh trong hộ), không tạo bản trùng.",
    "8. Trước khi ghi, hệ thống kiểm tra toàn bộ tệp và báo lỗi theo trang, dòng, cột; có lỗi thì không ghi gì.",
    "",
    "Dữ liệu cá nhân được bảo vệ theo Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15: chỉ ghi những thông tin trong mẫu.",
]


def _fact_value(obj: Household | Person, fact: Fact) -> object:
    value = getattr(obj, fact.key, None) if fact.storage == "column" else obj.extra.get(fact.key)
    if fact.type == "bool":
        return YES if value else NO
    return value


def _registry_rows(village: AdminUnit) -> tuple[list[list[object]], list[list[object]]]:
    """The village's households and persons as template rows (two queries, streamed)."""
    household_facts, person_facts = facts_for("household"), facts_for("person")
    households = [
        [
            index,
            h.code,
            h.head_name,
            h.address,
            h.house_number,
            h.phone,
            h.digital_address_code,
            *(_fact_value(h, f) for f in household_facts),
            h.note,
        ]
        for index, h in enumerate(
            Household.objects.filter(village=village).order_by("code").iterator(), start=1
        )
    ]
    persons = []
    people = (
        Person.objects.filter(village=village)
        .select_related("household")
        .order_by("household__code", "id")
    )
    for index, p in enumerate(people.iterator(), start=1):
        birth: object = None
        if p.birth_date is not None:
            birth = p.birth_date.year if p.birth_year_only else p.birth_date
        persons.append(
            [
                index,
                p.household.code,
                p.full_name,
                birth,
                p.get_sex_display() if p.sex else "",
                p.get_relationship_display(),
                p.identity_number,
                *(_fact_value(p, f) for f in person_facts),
                p.note,
            ]
        )
    return households, persons


def template_xlsx(village: AdminUnit, with_registry: bool = False) -> bytes:
    """The import template of a village: instructions, households and persons sheets.

    `with_registry=True` fills it with the village's current households and persons, so the list
    can be corrected in Excel and imported back (an update in place: same codes, same people).
    It then holds personal data in full: the caller checks the right and audits the export.
    """
    commune = village.ancestor_of_level(Level.COMMUNE)
    where = village.full_name + (f" - {commune.full_name}" if commune else "")
    wb = Workbook()
    guide = wb.active
    guide.title = "Hướng dẫn"
    for row, line in enumerate(INSTRUCTIONS, start=1):
        set_cell(
            guide,
            row,
            1,
            line,
            font=_bold(14) if row == 1 else Font(name="Times New Roman", size=12),
        )
    set_cell(
        guide,
        len(INSTRUCTIONS) + 2,
        1,
        f"Thôn: {where}. Mẫu tạo ngày {timezone.localdate():%d/%m/%Y}.",
        font=Font(name="Times New Roman", size=12, italic=True),
    )
    guide.column_dimensions["A"].width = 120
    households, persons = _registry_rows(village) if with_registry else ([], [])
    if with_registry:
        set_cell(
            guide,
            len(INSTRUCTIONS) + 3,
            1,
            f"Tệp gồm {len(households)} hộ, {len(persons)} nhân khẩu hiện có của thôn: dữ liệu cá "
            "nhân, chỉ dùng để rà soát, sửa rồi nhập lại; không gửi ra ngoài.",
            font=Font(name="Times New Roman", size=12, bold=True),
        )
    _sheet(
        wb,
        "Hộ gia đình",
        f"DANH SÁCH HỘ GIA ĐÌNH {where.upper()}",
        HOUSEHOLD_CORE,
        facts_for("household"),
        households,
    )
    _sheet(
        wb,
        "Nhân khẩu",
        f"DANH SÁCH NHÂN KHẨU {where.upper()}",
        PERSON_CORE,
        facts_for("person"),
        persons,
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def export_registry(user: Any, village: AdminUnit) -> bytes:
    """The template filled with the village's registry: for the right to export personal data
    (checked when a user is given; the CLI may run as the system), recorded as one export."""
    if user is not None and not can(user, Action.EXPORT_PERSONAL, village):
        raise PermissionDenied(f"export_personal on {village}")
    if village.level != Level.VILLAGE:
        raise DomainError(f"“{village.full_name}” không phải thôn.", "not_a_village")
    content = template_xlsx(village, with_registry=True)
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        unit=village,
        object_type="registry",
        object_repr=f"Danh sách hộ, nhân khẩu {village.full_name}"[:200],
        note="Tải danh sách hiện có để sửa và nhập lại (.xlsx)",
        count=Person.objects.filter(village=village).count(),
    )
    return content


# ---- XLSForm ----------------------------------------------------------------------------------

LABEL_VI = "label::Tiếng Việt (vi)"
LABEL_EN = "label::English (en)"
FORM_ID = "smartvillage_household"


def _phone_rule() -> RegexValidator:
    field = Household._meta.get_field("phone")
    return next(v for v in field.validators if isinstance(v, RegexValidator))


def xlsform_rows() -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    """(survey, choices, settings) rows of the door-to-door household survey."""
    survey_header = [
        "type",
        "name",
        LABEL_VI,
        LABEL_EN,
        "hint::Tiếng Việt (vi)",
        "required",
        "constraint",
        "constraint_message::Tiếng Việt (vi)",
        "appearance",
    ]
    survey: list[list[str]] = [survey_header]

    def q(
        type_: str,
        name: str,
        vi: str = "",
        en: str = "",
        hint: str = "",
        required: str = "",
        constraint: str = "",
        message: str = "",
        appearance: str = "",
    ) -> None:
        survey.append([type_, name, vi, en, hint, required, constraint, message, appearance])

    q("start", "start")
    q("end", "end")
    q("today", "today")
    q(
        "text",
        "household_code",
        "Mã hộ",
        "Household code",
        "Mã hộ trong sổ của thôn, vd. H001",
        "yes",
        "string-length(.) <= 40",
        "Mã hộ tối đa 40 ký tự",
    )
    q("text", "head_name", "Họ và tên chủ hộ", "Head of household", "", "yes")
    q("text", "address", "Địa chỉ", "Address")
    q(
        "text",
        "phone",
        "Số điện thoại",
        "Phone number",
        "Số liên hệ của hộ, vd. 0912 345 678; để trống nếu không có",
        "",
        # The household form's own rule (the model field's validator), not a second one.
        f"regex(., '{_phone_rule().regex.pattern}')",
        str(_phone_rule().message),
    )
    q("text", "digital_address_code", "Mã địa chỉ số", "Digital address code")
    q(
        "geopoint",
        "location",
        "Vị trí nhà",
        "House location",
        "Đứng trước cửa nhà rồi bấm lấy vị trí",
    )
    for fact in facts_for("household"):
        q("select_one yes_no", fact.key, fact.label_vi, fact.label_en, "", "yes")
    q("begin_repeat", "person", "Thành viên trong hộ", "Household members")
    q("text", "full_name", "Họ và tên", "Full name", "", "yes")
    q(
        "date",
        "birth_date",
        "Ngày sinh",
        "Date of birth",
        "Chỉ biết năm sinh thì chọn ngày 01/01 của năm đó",
        "",
        ". <= today()",
        "Ngày sinh không được ở tương lai",
    )
    q("select_one sex", "sex", "Giới tính", "Sex", "", "yes", "", "", "horizontal")
    q(
        "select_one relationship",
        "relationship",
        "Quan hệ với chủ hộ",
        "Relationship to the head",
        "",
        "yes",
    )
    q(
        "text",
        "identity_number",
        "Số CCCD",
        "Citizen ID number",
        "12 chữ số; để trống nếu không có",
        "",
        "regex(., '^([0-9]{9}|[0-9]{12})$')",
        "Số CCCD gồm 12 chữ số (CMND cũ 9 chữ số)",
        "numbers",
    )
    for fact in facts_for("person"):
        q(
            "select_one yes_no",
            fact.key,
            fact.label_vi,
            fact.label_en,
            "",
            "yes",
            "",
            "",
            "horizontal",
        )
    q("end_repeat", "person")
    q("text", "note", "Ghi chú", "Note", "", "", "", "", "multiline")

    choices: list[list[str]] = [["list_name", "name", LABEL_VI, LABEL_EN]]
    choices += [["yes_no", "yes", "Có", "Yes"], ["yes_no", "no", "Không", "No"]]
    choices += [["sex", Sex.MALE.value, "Nam", "Male"], ["sex", Sex.FEMALE.value, "Nữ", "Female"]]
    english = {
        "head": "Head",
        "spouse": "Spouse",
        "child": "Child",
        "parent": "Parent",
        "grandchild": "Grandchild",
        "sibling": "Sibling",
        "in_law": "Child-in-law",
        "other": "Other",
    }
    choices += [
        ["relationship", r.value, str(r.label), english.get(r.value, r.value)] for r in Relationship
    ]

    settings = [
        ["form_title", "form_id", "version", "default_language", "instance_name"],
        [
            "Khảo sát hộ gia đình - thôn thông minh",
            FORM_ID,
            "2024030501",
            "Tiếng Việt (vi)",
            "concat(${household_code}, ' - ', ${head_name})",
        ],
    ]
    return survey, choices, settings


def xlsform_xlsx() -> bytes:
    wb = Workbook()
    for index, (title, rows) in enumerate(
        zip(("survey", "choices", "settings"), xlsform_rows(), strict=True)
    ):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = title
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value != "":
                    set_cell(ws, r, c, value)
        for c in range(1, len(rows[0]) + 1):
            ws.column_dimensions[get_column_letter(c)].width = 24
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
