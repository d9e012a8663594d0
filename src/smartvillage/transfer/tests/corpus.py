"""A corpus of village lists as village heads and commune officers write them, with the truth.

`village_files(n, seed)` draws n files (XLSX and CSV), deterministically from the seed, out of a
table of real-world header spellings and abbreviations (SPELLINGS, more than 150) and layouts: one
sheet or two (households + persons), merged group headers over sub-headers, 2-3 header rows (a
numbering row "(1) (2) …" under them), titles above, "Tổng cộng" rows and signature blocks below,
digital address codes in an address column, birth years under "Năm sinh / Nam | Nữ", sex marked
with x under "Giới tính / Nam | Nữ", yes/no written as x, "Có", 1 or ✓.

Each `VillageFile` carries its truth: the field every column holds (`columns`: (sheet, letter) ->
field key, None for a column no field is about) and the counts the criteria must read after the
import (`expected`: Phú Thọ 1.1-1.5 and Thanh Hóa 4-6 as (numerator, denominator)), computed
from the generated people themselves, not through the importer. Ages are drawn clear of every
working-age boundary (25-50 or under 12 / over 75 at `AT`) so the truth needs no age rule.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

AT = dt.date(2025, 6, 30)  # inside Phú Thọ 1491 (1.5 from 2024) and Thanh Hóa 35
PHUTHO = "phutho-khu-dan-cu-thong-minh-1491"
THANHHOA = "thanhhoa-thon-thong-minh-35"
CRITERIA = [(PHUTHO, c) for c in ("1.1", "1.2", "1.3", "1.4", "1.5")] + [
    (THANHHOA, c) for c in ("4", "5", "6")
]

# Header spellings seen in village lists, by the field they mean (None: no field is about it).
SPELLINGS: dict[str | None, list[str]] = {
    "household_code": [
        "Mã hộ",
        "Mã HGĐ",
        "Mã số hộ",
        "Số hộ",
        "Mã hộ gia đình",
        "MÃ HỘ",
        "Mã hộ (*)",
        "Mã số HGĐ",
        "Mã hộ GĐ",
        "Mã HGD",
    ],
    "head_name": [
        "Họ và tên chủ hộ",
        "Tên chủ hộ",
        "Họ tên chủ hộ",
        "Chủ hộ",
        "Họ tên CH",
        "HỌ VÀ TÊN CHỦ HỘ",
        "Tên CH",
        "Họ và tên chủ hộ gia đình",
        "Chủ hộ (họ tên)",
        "Tên chủ HGĐ",
    ],
    "full_name": [
        "Họ và tên",
        "Họ tên",
        "HỌ VÀ TÊN",
        "Họ và tên thành viên",
        "Họ và tên nhân khẩu",
        "Họ, tên",
        "Tên thành viên",
        "H.tên",
        "Họ và tên người trong hộ",
        "Ho va ten",
        "Họ & tên",
        "HỌ TÊN NHÂN KHẨU",
    ],
    "birth_date": [
        "Ngày sinh",
        "Ngày tháng năm sinh",
        "NTNS",
        "Ngày, tháng, năm sinh",
        "Ngày/tháng/năm sinh",
        "Sinh ngày",
        "NS",
        "N.sinh",
        "Ngày sinh (dd/mm/yyyy)",
        "Năm sinh",
        "NGÀY THÁNG NĂM SINH",
        "Ngay sinh",
        "Ngày\nsinh",
        "Ngày sinh\n(ngày/tháng/năm)",
    ],
    "sex": [
        "Giới tính",
        "GT",
        "Nam/Nữ",
        "G.tính",
        "Phái",
        "GIỚI TÍNH",
        "Giới tính (Nam/Nữ)",
        "Gioi tinh",
        "Giới",
    ],
    "relationship": [
        "Quan hệ với chủ hộ",
        "QH với chủ hộ",
        "Quan hệ",
        "QHVCH",
        "QH với CH",
        "Q.hệ với chủ hộ",
        "Mối quan hệ với chủ hộ",
        "Quan hệ với CH",
        "QUAN HỆ VỚI CHỦ HỘ",
        "Quan hẹ với chủ hộ",
        "Q/hệ với CH",
    ],
    "identity_number": [
        "Số CCCD",
        "CCCD",
        "Số CCCD/CMND",
        "CMND/CCCD",
        "Số định danh cá nhân",
        "Số ĐDCN",
        "Mã định danh",
        "Số căn cước",
        "Số CCCD/ĐDCN",
        "CCCD/ĐDCN",
        "Số CMT/CCCD",
    ],
    "address": ["Địa chỉ", "Nơi ở hiện nay", "Địa chỉ thường trú", "Chỗ ở hiện tại", "ĐỊA CHỈ"],
    "digital_address_code": [
        "Mã địa chỉ số",
        "Mã ĐCS",
        "Địa chỉ số",
        "Mã địa chỉ",
        "Mã địa chỉ bưu chính",
        "Địa chỉ số (mã)",
        "Mã VPostcode",
        "MÃ ĐỊA CHỈ SỐ",
        "Mã địa chỉ (bản đồ số)",
        "Địa chỉ số (VPostcode)",
    ],
    "fibre_internet": [
        "Cáp quang",
        "Internet cáp quang",
        "Có Internet cáp quang",
        "FTTH",
        "Internet băng rộng cáp quang",
        "Hộ có cáp quang",
        "Mạng cáp quang",
        "Internet (FTTH)",
        "Lắp đặt Internet cáp quang",
        "Internet băng thông rộng cáp quang",
        "Cáp quang FTTH",
        "Mạng Internet cáp quang (FTTH)",
    ],
    "digital_address_notified": [
        "Được thông báo địa chỉ số",
        "Thông báo ĐCS",
        "Đã thông báo địa chỉ số",
        "Hộ được thông báo địa chỉ số",
        "Được TB địa chỉ số",
        "Đã được thông báo ĐCS",
    ],
    "digital_address": [
        "Gắn mã địa chỉ",
        "Nhà được gắn mã địa chỉ",
        "Có mã địa chỉ trên bản đồ số",
        "Gắn mã địa chỉ trên bản đồ số",
    ],
    "smartphone": [
        "ĐTTM",
        "Điện thoại thông minh",
        "Sử dụng ĐTTM",
        "Có ĐTTM",
        "Dùng điện thoại thông minh",
        "SD ĐTTM",
        "Smartphone",
        "Đ.thoại thông minh",
        "Sử dụng điện thoại thông minh (x)",
        "Có sử dụng ĐTTM",
        "ĐT thông minh",
        "Dien thoai thong minh",
        "Sử dụng smartphone",
    ],
    "epayment_account": [
        "TKTT",
        "Tài khoản thanh toán",
        "Có TK thanh toán",
        "TK thanh toán điện tử",
        "Tài khoản ngân hàng",
        "Có tài khoản TTĐT",
        "TKTTĐT",
        "Có TKTT",
        "Tài khoản thanh toán điện tử",
        "TK ngân hàng",
        "Có TK NH hoặc ví điện tử",
        "Ví điện tử/TK ngân hàng",
        "TK",
    ],
    "digital_skills_trained": [
        "Kỹ năng số",
        "KNS",
        "KNS & ATTT",
        "Được phổ biến KNS",
        "Phổ biến kỹ năng số, ATTT",
        "Tập huấn kỹ năng số",
        "Kỹ năng số và an toàn thông tin",
        "Được phổ biến KNS và ATTT",
        "KNS, ATTT",
        "Kĩ năng số",
        "Được tập huấn KNS, ATTT",
    ],
    "online_public_services": [
        "DVCTT",
        "Dịch vụ công trực tuyến",
        "Sử dụng DVC",
        "Sử dụng DVCTT",
        "DVC trực tuyến",
        "Đã dùng DVCTT",
        "Dịch vụ công",
        "Sử dụng dịch vụ công trực tuyến",
        "Dịch vụ công TT",
        "Nộp hồ sơ trực tuyến",
    ],
    "essential_digital_services": [
        "Dịch vụ số thiết yếu",
        "DV số thiết yếu",
        "Sử dụng dịch vụ số thiết yếu",
        "DVS thiết yếu",
        "Dùng dịch vụ số thiết yếu",
        "DV số thiết yếu (y tế, giáo dục…)",
    ],
    "note": ["Ghi chú", "GHI CHÚ", "Ghi chú (nếu có)"],
    "stt": ["STT", "TT", "Số TT", "S.T.T"],
    "phone": [
        "Số điện thoại",
        "SĐT",
        "Điện thoại",
        "ĐT liên hệ",
        "SĐT chủ hộ",
        "Số ĐT",
        "Điện thoại liên hệ",
        "SĐT/Zalo",
        "Số điện thoại liên hệ",
        "SỐ ĐIỆN THOẠI",
        "Số ĐTDĐ",
        "ĐT",
    ],
    None: [
        "Dân tộc",
        "Tôn giáo",
        "Nghề nghiệp",
        "Trình độ văn hóa",
        "Hộ nghèo",
        "Hộ cận nghèo",
        "BHYT",
        "Nơi làm việc",
        "Đảng viên",
        "Trình độ chuyên môn",
        "Quê quán",
    ],
}
# The other columns of a list as the generator draws them: a phone column in 2 of 13 draws
# (positions kept from when phones were a column no field is about, so the same seed still draws
# the same files).
_OTHER_DRAWS: list[str | None] = [*SPELLINGS[None][:4], "phone", "phone", *SPELLINGS[None][4:]]
HOUSEHOLD_FACTS = ("fibre_internet", "digital_address_notified", "digital_address")
PERSON_FACTS = (
    "smartphone",
    "epayment_account",
    "digital_skills_trained",
    "online_public_services",
    "essential_digital_services",
)
CORE = ("household_code", "head_name", "full_name", "birth_date", "sex", "relationship")
GROUPS = {
    "person": ["Thông tin nhân khẩu", "Thông tin thành viên", "THÔNG TIN CÁ NHÂN"],
    "household": ["Thông tin hộ", "Thông tin hộ gia đình"],
    "facts": [
        "Chỉ tiêu chuyển đổi số",
        "Tiêu chí khu dân cư thông minh",
        "Ứng dụng công nghệ số",
        "Chuyển đổi số",
    ],
}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hà", "Đinh"]
MIDDLES = ["Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Thanh", "Hữu"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Hà", "Hạnh", "Lan", "Long", "Mai", "Nam", "Phúc", "Sơn"]
YES_NO = [("x", ""), ("Có", "Không"), ("1", "0"), ("✓", ""), ("X", "")]


@dataclass
class PersonTruth:
    name: str
    birth: dt.date
    sex: str  # M | F
    relationship: str
    facts: dict[str, bool]
    identity: str

    @property
    def working_age(self) -> bool:
        return 25 <= AT.year - self.birth.year <= 50


@dataclass
class HouseholdTruth:
    code: str
    address: str
    digital_code: str
    facts: dict[str, bool]
    persons: list[PersonTruth]


@dataclass
class VillageFile:
    path: Path
    layout: str
    columns: dict[tuple[str, str], str | None] = field(default_factory=dict)
    households: list[HouseholdTruth] = field(default_factory=list)
    fields_present: set[str] = field(default_factory=set)
    # The contact phone each household must end with (households with one, in no order): its
    # households-sheet cell, else the first number on its persons' rows (the head is first).
    phones: list[str] = field(default_factory=list)
    expected: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)


def _name(rng: random.Random, surname: str | None = None) -> str:
    return f"{surname or rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"


def _birth(rng: random.Random, working: bool) -> dt.date:
    age = rng.randint(25, 50) if working else rng.choice([rng.randint(2, 11), rng.randint(76, 88)])
    return dt.date(AT.year - age, rng.randint(1, 12), rng.randint(1, 28))


def _households(rng: random.Random, village: int) -> list[HouseholdTruth]:
    out = []
    used: set[tuple[str, dt.date]] = set()
    for h in range(rng.randint(5, 12)):
        surname = rng.choice(SURNAMES)
        persons = []
        for p in range(rng.randint(1, 6)):
            relationship = "Chủ hộ" if p == 0 else rng.choice(["Vợ", "Chồng", "Con", "Cháu", "Mẹ"])
            working = rng.random() < (0.9 if p < 2 else 0.4)
            sex = rng.choice("MF")
            while True:
                person = PersonTruth(
                    _name(rng, surname),
                    _birth(rng, working),
                    sex,
                    relationship,
                    {k: rng.random() < 0.7 for k in PERSON_FACTS},
                    f"0{rng.randint(1, 96):02d}{rng.randint(0, 999999999):09d}",
                )
                if (person.name, person.birth) not in used:
                    used.add((person.name, person.birth))
                    break
            persons.append(person)
        has_code = rng.random() < 0.7
        out.append(
            HouseholdTruth(
                code=f"V{village:02d}H{h + 1:03d}",
                address=rng.choice(["Xóm Trên", "Xóm Giữa", "Xóm Dưới", "Đội 3"]),
                digital_code=(
                    "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))
                    + str(rng.randint(0, 9))
                    if has_code
                    else ""
                ),
                facts={k: rng.random() < 0.6 for k in HOUSEHOLD_FACTS},
                persons=persons,
            )
        )
    return out


@dataclass
class _Col:
    """A column of a generated sheet: its header cells (one per header row) and its truth."""

    truth: str | None
    header: str
    group: str = ""  # a merged group header above (2-3 header rows)
    sub: str = ""  # for "Năm sinh / Nam" and "Giới tính / Nam": the sub-header
    drawn: bool = True  # False: added without a draw, its values written by rule (phones)


def _spell(rng: random.Random, key: str | None) -> str:
    return rng.choice(SPELLINGS[key])


def _add_phone(cols: list[_Col], number: int, after: str) -> None:
    """Every third file also has a phone column after the name (no draw: the rest of the file is
    what the seed drew before phones were read), spelled the corpus's ways in turn."""
    if number % 3 or any(c.truth == "phone" for c in cols):
        return
    spellings = SPELLINGS["phone"]
    place = next(i for i, c in enumerate(cols) if c.truth == after) + 1
    cols.insert(place, _Col("phone", spellings[(number // 3) % len(spellings)], drawn=False))


def _other_column(rng: random.Random, cols: list[_Col]) -> _Col:
    """A column no criterion is about ("Dân tộc", "Hộ nghèo") or the contact phone.

    One draw, as before phones were read: the phone's spelling follows from the columns already
    there, so every spelling of SPELLINGS["phone"] turns up across the corpus."""
    drawn = rng.choice(_OTHER_DRAWS)
    if drawn != "phone":
        return _Col(None, drawn)
    spellings = SPELLINGS["phone"]
    return _Col("phone", spellings[sum(len(c.header) for c in cols) % len(spellings)])


def _phone(p: PersonTruth) -> str:
    """A person's mobile number (10 digits, from the identity number: distinct per person)."""
    return "0" + "35789"[int(p.identity[-1]) % 5] + p.identity[-8:]


# How phones are written (one draw): spaced, plain, a number cell that lost its 0 (a CSV saved
# from Excel keeps it lost), dotted, blank, +84, plain.
def _phone_cell(phone: str, style: int, xlsx: bool) -> object:
    if style == 0:
        return f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    if style == 2:
        return int(phone) if xlsx else phone[1:]
    if style == 3:
        return f"{phone[:4]}.{phone[4:7]}.{phone[7:]}"
    if style == 4:
        return None
    if style == 5:
        return f"+84 {phone[1:4]} {phone[4:7]} {phone[7:]}"
    return phone


def _person_columns(rng: random.Random, one_sheet: bool, with_code: bool) -> list[_Col]:
    cols = [_Col("stt", _spell(rng, "stt"))]
    if with_code:
        cols.append(_Col("household_code", _spell(rng, "household_code")))
    cols.append(_Col("full_name", _spell(rng, "full_name")))
    birth_style = rng.choice(["date", "date", "year_by_sex"])
    if birth_style == "year_by_sex":
        cols.append(_Col("birth_male", "Năm sinh", sub="Nam"))
        cols.append(_Col("birth_female", "Năm sinh", sub="Nữ"))
    else:
        cols.append(_Col("birth_date", _spell(rng, "birth_date")))
        if rng.random() < 0.3:
            cols.append(_Col("sex_male", "Giới tính", sub="Nam"))
            cols.append(_Col("sex_female", "Giới tính", sub="Nữ"))
        else:
            cols.append(_Col("sex", _spell(rng, "sex")))
    cols.append(_Col("relationship", _spell(rng, "relationship")))
    if rng.random() < 0.5:
        cols.append(_Col("identity_number", _spell(rng, "identity_number")))
    if one_sheet:
        cols.extend(_household_fact_columns(rng))
    facts = list(PERSON_FACTS)
    rng.shuffle(facts)
    for key in facts[: rng.randint(3, len(facts))]:
        cols.append(_Col(key, _spell(rng, key)))
    for _ in range(rng.randint(0, 2)):
        # Never between the two halves of "Năm sinh / Nam | Nữ".
        places = [i for i in range(3, len(cols) + 1) if i == len(cols) or not cols[i].sub]
        place = rng.choice(places)
        cols.insert(place, _other_column(rng, cols))
    if rng.random() < 0.5:
        cols.append(_Col("note", _spell(rng, "note")))
    return cols


def _household_fact_columns(rng: random.Random) -> list[_Col]:
    cols = []
    if rng.random() < 0.6:
        cols.append(_Col("address", _spell(rng, "address")))
    place = rng.random()
    if place < 0.5:
        cols.append(_Col("digital_address_code", _spell(rng, "digital_address_code")))
    elif place < 0.8:
        cols.append(_Col("digital_address_notified", _spell(rng, "digital_address_notified")))
    else:
        cols.append(_Col("digital_address", _spell(rng, "digital_address")))
    cols.append(_Col("fibre_internet", _spell(rng, "fibre_internet")))
    return cols


def _group(cols: list[_Col], rng: random.Random) -> None:
    """Merged group headers over runs of columns (the sub-header names each column)."""
    person = rng.choice(GROUPS["person"])
    household = rng.choice(GROUPS["household"])
    facts = rng.choice(GROUPS["facts"])
    for col in cols:
        if col.sub:
            continue
        if col.truth in PERSON_FACTS or col.truth in HOUSEHOLD_FACTS:
            col.group = facts
        elif col.truth in ("full_name", "birth_date", "sex", "relationship", "identity_number"):
            col.group = person
        elif col.truth in ("household_code", "address", "digital_address_code"):
            col.group = household


def _header_rows(cols: list[_Col], grouped: bool) -> list[list[str]]:
    """1 header row, or 2: group (or the header merged down) over sub-headers."""
    two = grouped or any(c.sub for c in cols)
    if not two:
        return [[c.header for c in cols]]
    top, bottom = [], []
    for c in cols:
        if c.sub:
            top.append(c.header)
            bottom.append(c.sub)
        elif grouped and c.group:
            top.append(c.group)
            bottom.append(c.header)
        else:
            top.append(c.header)
            bottom.append(c.header)  # merged down in XLSX; repeated/blank in CSV
    return [top, bottom]


def _bool(rng: random.Random, style: tuple[str, str], value: bool) -> str:
    return style[0] if value else style[1]


def _person_row(
    cols: list[_Col],
    h: HouseholdTruth,
    p: PersonTruth,
    number: int,
    head: bool,
    style: tuple[str, str],
    date_style: str,
    rng: random.Random,
    xlsx: bool,
) -> list[object]:
    row: list[object] = []
    for c in cols:
        t = c.truth
        if t == "stt":
            row.append(number)
        elif t == "household_code":
            row.append(h.code)
        elif t == "full_name":
            row.append(p.name)
        elif t == "birth_date":
            if date_style == "year":
                row.append(p.birth.year)
            elif date_style == "excel" and xlsx:
                row.append(dt.datetime(p.birth.year, p.birth.month, p.birth.day))
            else:
                row.append(p.birth.strftime("%d/%m/%Y"))
        elif t in ("birth_male", "birth_female"):
            row.append(p.birth.year if (t == "birth_male") == (p.sex == "M") else None)
        elif t == "sex":
            row.append("Nam" if p.sex == "M" else "Nữ")
        elif t in ("sex_male", "sex_female"):
            row.append("x" if (t == "sex_male") == (p.sex == "M") else None)
        elif t == "relationship":
            row.append(p.relationship)
        elif t == "identity_number":
            row.append(p.identity)
        elif t in PERSON_FACTS:
            row.append(_bool(rng, style, p.facts[t]))
        elif t == "address":
            row.append(h.address if head else None)
        elif t == "digital_address_code":
            row.append(h.digital_code or None if head else None)
        elif t in HOUSEHOLD_FACTS:
            row.append(_bool(rng, style, h.facts[t]) if head else None)
        elif t == "note":
            row.append(rng.choice(["", "", "tạm vắng", "chuyển đến 2024"]))
        elif t == "phone":
            how = rng.randrange(7) if c.drawn else (number + len(p.name)) % 7
            row.append(_phone_cell(_phone(p), how, xlsx))
        elif t is None:
            row.append(rng.choice(["Kinh", "Không", "Làm ruộng", "12/12", "", "x", "Công nhân"]))
        else:
            row.append(None)
    return row


def _household_row(
    cols: list[_Col],
    h: HouseholdTruth,
    number: int,
    style: tuple[str, str],
    rng: random.Random,
    xlsx: bool = True,
) -> list[object]:
    row: list[object] = []
    for c in cols:
        t = c.truth
        if t == "stt":
            row.append(number)
        elif t == "household_code":
            row.append(h.code)
        elif t == "head_name":
            row.append(h.persons[0].name)
        elif t == "address":
            row.append(h.address)
        elif t == "digital_address_code":
            row.append(h.digital_code or None)
        elif t in HOUSEHOLD_FACTS:
            row.append(_bool(rng, style, h.facts[t]))
        elif t == "note":
            row.append("")
        elif t == "phone":
            # The head's number; one in four households without one (style 4: blank).
            how = rng.randrange(4) if c.drawn else number % 4
            row.append(_phone_cell(_phone(h.persons[0]), (0, 1, 2, 4)[how], xlsx))
        else:
            row.append(rng.choice(["Kinh", "", "x", "Hộ khá"]))
    return row


@dataclass
class _SheetSpec:
    name: str
    cols: list[_Col]
    header: list[list[str]]
    rows: list[list[object]]
    titles: int
    numbering: bool
    footer: list[list[object]]


def _footer(rng: random.Random, households: int, persons: int, width: int) -> list[list[object]]:
    rows: list[list[object]] = []
    kind = rng.random()
    if kind < 0.4:
        rows.append([f"Tổng cộng: {households:02d} hộ, {persons:02d} nhân khẩu"])
    elif kind < 0.6:
        rows.append(["Cộng", None, f"{persons} người"])
    elif kind < 0.7:
        rows.append([None, "Tổng số", f"{households} hộ"])
    if rng.random() < 0.8:
        rows.append([])
        rows.append([None, None, f"Xã Thử, ngày {rng.randint(1, 28)} tháng 3 năm 2025"])
        rows.append([None, "NGƯỜI LẬP BIỂU", None, None, "TRƯỞNG THÔN"])
        rows.append([None, "(Ký, ghi rõ họ tên)", None, None, "(Ký, ghi rõ họ tên)"])
        rows.append([])
        rows.append([None, _name(rng), None, None, _name(rng)])
        if rng.random() < 0.4:
            rows.append([None, None, "XÁC NHẬN CỦA UBND XÃ"])
    return [r[:width] if len(r) > width else r for r in rows]


def _write_xlsx(path: Path, sheets: list[_SheetSpec], rng: random.Random) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        width = len(spec.cols)
        for t in range(spec.titles):
            ws.append(
                [
                    "DANH SÁCH HỘ GIA ĐÌNH, NHÂN KHẨU THÔN"
                    if t == 0
                    else "(Kèm theo báo cáo số …/BC-UBND)"
                ]
            )
            ws.merge_cells(start_row=t + 1, start_column=1, end_row=t + 1, end_column=width)
        if spec.titles:
            ws.append([])
        first = spec.titles + (1 if spec.titles else 0) + 1  # (max_row is 1 on an empty sheet)
        for row in spec.header:
            ws.append(row)
        if len(spec.header) == 2:
            top, bottom = spec.header
            j = 0
            while j < width:
                k = j
                while k + 1 < width and top[k + 1] == top[j] and bottom[k + 1] != top[k + 1]:
                    k += 1
                if top[j] == bottom[j]:
                    ws.merge_cells(
                        start_row=first, start_column=j + 1, end_row=first + 1, end_column=j + 1
                    )
                elif k > j:
                    # merge_cells() empties the covered cells, as Excel does.
                    ws.merge_cells(
                        start_row=first, start_column=j + 1, end_row=first, end_column=k + 1
                    )
                j = k + 1
        if spec.numbering:
            ws.append([f"({j + 1})" for j in range(width)])
        for row in spec.rows:
            ws.append(row)
        for row in spec.footer:
            ws.append(row)
    wb.save(path)


def _write_csv(path: Path, spec: _SheetSpec) -> None:
    width = len(spec.cols)
    lines: list[list[object]] = []
    for t in range(spec.titles):
        lines.append(["DANH SÁCH HỘ GIA ĐÌNH, NHÂN KHẨU THÔN" if t == 0 else "(Kèm theo báo cáo)"])
    if spec.titles:
        lines.append([])
    if len(spec.header) == 2:
        top, bottom = spec.header
        # CSV has no merges: a group's text in its first column, the rest blank; a single
        # header is in the lower row with the upper cell blank (as Excel saves merged cells).
        upper, lower = [], []
        for j in range(width):
            if top[j] == bottom[j]:
                # Merged down: Excel writes the text in the upper row, the lower one blank.
                upper.append(top[j])
                lower.append("")
            elif j > 0 and top[j - 1] == top[j] and bottom[j - 1] != top[j - 1]:
                upper.append("")
                lower.append(bottom[j])
            else:
                upper.append(top[j])
                lower.append(bottom[j])
        lines.append(upper)
        lines.append(lower)
    else:
        lines.extend(spec.header)
    if spec.numbering:
        lines.append([f"({j + 1})" for j in range(width)])
    lines.extend(spec.rows)
    lines.extend(spec.footer)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for line in lines:
            writer.writerow(["" if v is None else v for v in line])


def _truth_columns(spec: _SheetSpec) -> dict[tuple[str, str], str | None]:
    return {(spec.name, get_column_letter(j + 1)): c.truth for j, c in enumerate(spec.cols)}


def village_file(directory: Path, number: int, seed: int = 2025) -> VillageFile:
    """The `number`-th file of the corpus drawn from `seed`."""
    rng = random.Random(f"{seed}-{number}")
    households = _households(rng, number)
    xlsx = rng.random() < 0.65
    two_sheets = xlsx and rng.random() < 0.35
    grouped = rng.random() < 0.4
    style = rng.choice(YES_NO)
    date_style = rng.choice(["text", "excel", "year", "text"])
    titles = rng.choice([0, 1, 2])
    numbering = rng.random() < 0.3
    sheets: list[_SheetSpec] = []
    if two_sheets:
        hcols = [
            _Col("stt", _spell(rng, "stt")),
            _Col("household_code", _spell(rng, "household_code")),
        ]
        hcols.append(_Col("head_name", _spell(rng, "head_name")))
        hcols.extend(_household_fact_columns(rng))
        if rng.random() < 0.4:
            hcols.append(_other_column(rng, hcols))
        if grouped:
            _group(hcols, rng)
        _add_phone(hcols, number, "head_name")
        hrows = [_household_row(hcols, h, i + 1, style, rng) for i, h in enumerate(households)]
        sheets.append(
            _SheetSpec(
                rng.choice(["Hộ gia đình", "HGĐ", "Danh sách hộ"]),
                hcols,
                _header_rows(hcols, grouped),
                hrows,
                titles,
                numbering,
                _footer(rng, len(households), 0, len(hcols))[:1],
            )
        )
    with_code = two_sheets or rng.random() < 0.8
    pcols = _person_columns(rng, one_sheet=not two_sheets, with_code=with_code)
    if grouped:
        _group(pcols, rng)
    _add_phone(pcols, number, "full_name")
    prows = []
    number_in_list = 0
    for h in households:
        for i, p in enumerate(h.persons):
            number_in_list += 1
            prows.append(
                _person_row(pcols, h, p, number_in_list, i == 0, style, date_style, rng, xlsx)
            )
    persons = sum(len(h.persons) for h in households)
    sheets.append(
        _SheetSpec(
            rng.choice(["Nhân khẩu", "DS nhân khẩu", "Sheet1", "Thôn"]) if two_sheets else "DS",
            pcols,
            _header_rows(pcols, grouped),
            prows,
            titles,
            numbering,
            _footer(rng, len(households), persons, len(pcols)),
        )
    )
    layout = (
        ("2 trang" if two_sheets else "1 trang")
        + (", tiêu đề nhóm" if grouped else "")
        + (", dòng số thứ tự cột" if numbering else "")
    )
    if xlsx:
        path = directory / f"thon-{number:02d}.xlsx"
        _write_xlsx(path, sheets, rng)
    else:
        path = directory / f"thon-{number:02d}.csv"
        sheets[0].name = path.stem
        _write_csv(path, sheets[0])
    out = VillageFile(path, layout, households=households)
    for spec in sheets:
        out.columns.update(_truth_columns(spec))
        out.fields_present.update(c.truth for c in spec.cols if c.truth)
    out.expected = expected_counts(households, out.fields_present)
    hrows_by_household = hrows if two_sheets else [[] for _ in households]
    out.phones = _expected_phones(
        households, hcols if two_sheets else [], hrows_by_household, pcols, prows
    )
    return out


def _phone_written(cell: object) -> str:
    """The number a phone cell stands for: a number cell, or a CSV's 9 digits, lost their 0."""
    if cell is None or cell == "":
        return ""
    if isinstance(cell, int):
        return f"0{cell}"
    text = str(cell)
    return f"0{text}" if text.isdigit() and len(text) == 9 else text


def _expected_phones(
    households: list[HouseholdTruth],
    hcols: list[_Col],
    hrows: list[list[object]],
    pcols: list[_Col],
    prows: list[list[object]],
) -> list[str]:
    hj = next((j for j, c in enumerate(hcols) if c.truth == "phone"), None)
    pj = next((j for j, c in enumerate(pcols) if c.truth == "phone"), None)
    out = []
    rows = iter(prows)
    for h, hrow in zip(households, hrows, strict=True):
        own = _phone_written(hrow[hj]) if hj is not None else ""
        members = [_phone_written(next(rows)[pj]) if pj is not None else "" for _ in h.persons]
        phone = own or next((m for m in members if m), "")
        if phone:
            out.append(phone)
    return sorted(out)


def expected_counts(
    households: list[HouseholdTruth], present: set[str]
) -> dict[tuple[str, str], tuple[int, int]]:
    """(numerator, denominator) per criterion, from the generated people and what the file holds."""
    workers = [p for h in households for p in h.persons if p.working_age]
    has_code = "digital_address_code" in present

    def fact(h: HouseholdTruth, key: str) -> bool:
        return key in present and h.facts[key]

    def person(p: PersonTruth, key: str) -> bool:
        return key in present and p.facts[key]

    n = len(households)
    return {
        (PHUTHO, "1.1"): (sum(fact(h, "fibre_internet") for h in households), n),
        (PHUTHO, "1.2"): (sum(person(p, "smartphone") for p in workers), len(workers)),
        (PHUTHO, "1.3"): (sum(person(p, "epayment_account") for p in workers), len(workers)),
        (PHUTHO, "1.4"): (sum(person(p, "digital_skills_trained") for p in workers), len(workers)),
        (PHUTHO, "1.5"): (
            sum(
                fact(h, "digital_address_notified") or (has_code and bool(h.digital_code))
                for h in households
            ),
            n,
        ),
        (THANHHOA, "4"): (
            sum(
                person(p, "online_public_services") and person(p, "essential_digital_services")
                for p in workers
            ),
            len(workers),
        ),
        (THANHHOA, "5"): (sum(person(p, "epayment_account") for p in workers), len(workers)),
        (THANHHOA, "6"): (
            sum(
                fact(h, "digital_address") or (has_code and bool(h.digital_code))
                for h in households
            ),
            n,
        ),
    }


def village_files(directory: Path, count: int = 60, seed: int = 2025) -> list[VillageFile]:
    directory.mkdir(parents=True, exist_ok=True)
    return [village_file(directory, number, seed) for number in range(1, count + 1)]


def spelling_count() -> int:
    return sum(len(v) for v in SPELLINGS.values())


# ---- judging the importer's reading against the truth -------------------------------------------

SAME = {"note": {"note", "household_note"}}
MUST_NOT_SKIP = (
    set(CORE)
    | set(PERSON_FACTS)
    | set(HOUSEHOLD_FACTS)
    | {
        "digital_address_code",
        "birth_male",
        "birth_female",
        "sex_male",
        "sex_female",
        "phone",
    }
)


@dataclass
class Outcome:
    sheet: str
    letter: str
    header: str
    truth: str | None
    got: str  # the field the importer chose ("" none)
    verdict: str  # automatic | proposed | asked | skipped | wrong | proposed_wrong | ignored_ok


def judge(report, vf: VillageFile) -> list[Outcome]:
    """What the importer did with every column of the file, against the truth."""
    out = []
    for layout in report.layouts:
        if layout.role == "ignored":
            continue
        mapped = {c.letter: c for c in layout.columns}
        asked = {q["column"]: q for q in layout.questions}
        for j, header in enumerate(layout.headers):
            letter = get_column_letter(j + 1)
            if (layout.name, letter) not in vf.columns:
                continue
            truth = vf.columns[(layout.name, letter)]
            right = SAME.get(truth or "", {truth})
            if letter in mapped:
                column = mapped[letter]
                got = column.field.key
                ok = got in right
                if column.state == "proposed":
                    verdict = "proposed" if ok else "proposed_wrong"
                else:
                    verdict = "automatic" if ok else "wrong"
            elif letter in asked:
                got, verdict = "", "asked"
            else:
                got = ""
                verdict = "skipped" if truth in MUST_NOT_SKIP else "ignored_ok"
            out.append(Outcome(layout.name, letter, header, truth, got, verdict))
    return out


def answers(outcomes: list[Outcome]) -> dict[str, str]:
    """The mapping a person who knows the file gives: each asked or proposed column's truth."""
    mapping = {}
    for o in outcomes:
        if o.verdict in ("asked", "proposed", "proposed_wrong", "wrong"):
            truth = o.truth if o.truth not in (None, "stt") else ""
            mapping[f"{o.sheet}!{o.letter}"] = truth
    return mapping
