"""The demo world: the five seed villages under their real communes, filled with generated data.

`smartvillage demo` calls `build_demo()`. Everything here is deterministic (one random.Random
per village, seeded by the village's slug) and idempotent: units and villages are looked up
before they are created, a village that already has households is left alone, users, role
assignments and evidence records are get_or_create'd. Re-running adds nothing.

The figures follow the seeds: ấp An Phú has exactly 761 households and 2.420 people, about 92 %
of its working-age people use a smartphone and 87,9 % use online public services; the Phú Thọ
residential area sits near its thresholds (fibre ≥ 80 %, smartphone ≥ 85 %, e-payment ≥ 80 %,
skills ≥ 70 %) and a few villages are left a little below theirs, so that gaps and worklists show.
All names, birth dates and identity numbers are generated; none is a real person's.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from smartvillage.accounts.models import Role, RoleAssignment
from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.core.errors import DomainError
from smartvillage.criteria.working_age import is_working_age
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.registry.models import Household, Person, Relationship, Sex
from smartvillage.units import services as unit_services
from smartvillage.units.loader import load_units
from smartvillage.units.models import AdminUnit, Level, Scheme

# Ages and working-age status of the generated people are fixed at this date, so the data is the
# same whatever day the demo runs.
REF_DATE = dt.date(2025, 7, 1)
PASSWORD = "demo12345"


# --------------------------------------------------------------------------------------------
# Specification of the demo world
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VillageSpec:
    slug: str  # user names (truongthon.<slug>) and the random seed
    name: str
    village_type: str  # a label add_village understands ("xóm", "ấp", ...)
    code_prefix: str  # household codes "MN-001"
    households: int
    persons: int  # exact total; household sizes are adjusted to it
    address: str  # "xóm Mỹ Nam, thôn Thanh Kỳ"
    naming: str  # "north" | "south" | "bana"
    # Rates among the working-age population (older people get a fraction of them).
    person_rates: dict[str, float]
    household_rates: dict[str, float]
    worker_platform_gap: bool = False  # one part-time village worker does not use Zalo/Facebook


@dataclass(frozen=True)
class CommuneSpec:
    key: str
    province: str
    district: str
    commune: str
    province_code: str  # pre-2025 GSO code, for loading only the demo's provinces
    province_type: str
    district_type: str
    province_id_code: str  # first 3 digits of a citizen identity number (CCCD)
    center: tuple[float, float]
    villages: tuple[VillageSpec, ...]
    attributes: dict[str, Any] = field(default_factory=dict)


def _rates(
    smartphone: float,
    epay: float,
    skills: float,
    ops: float,
    essential: float,
    vneid: float,
    ehr: float,
) -> dict[str, float]:
    return {
        "smartphone": smartphone,
        "epayment_account": epay,
        "digital_skills_trained": skills,
        "online_public_services": ops,
        "essential_digital_services": essential,
        "vneid": vneid,
        "electronic_health_record": ehr,
    }


def _hrates(
    fibre: float,
    mobile: float,
    address: float,
    notified: float,
    ops: float,
    camera: float,
    waste: float,
    business: float,
    fire_business: float,
    fire_other: float,
    group: float,
    security: float,
    cultural: float,
) -> dict[str, float]:
    return {
        "fibre_internet": fibre,
        "mobile_broadband": mobile,
        "digital_address": address,
        "digital_address_notified": notified,
        "household_online_public_services": ops,
        "security_camera": camera,
        "waste_sorting": waste,
        "is_business": business,
        "fire_business": fire_business,
        "fire_other": fire_other,
        "community_group_member": group,
        "security_order_compliant": security,
        "cultural_family": cultural,
    }


# Data tables are kept one record per line to be read as tables.
# fmt: off
COMMUNES: tuple[CommuneSpec, ...] = (
    # 000: pilot "Khu dân cư thông minh" of xóm Mỹ Nam, thôn Thanh Kỳ (mostly "100 % of households").
    CommuneSpec(
        key="anthanh", province="Hải Dương", district="Tứ Kỳ", commune="An Thanh", province_code="30",
        province_type="tinh", district_type="huyen", province_id_code="030", center=(20.8186, 106.4370),
        villages=(
            VillageSpec(
                slug="mynam", name="Mỹ Nam (thôn Thanh Kỳ)", village_type="xóm", code_prefix="MN",
                households=128, persons=422, address="xóm Mỹ Nam, thôn Thanh Kỳ", naming="north",
                person_rates=_rates(0.93, 0.86, 0.80, 0.86, 0.88, 0.96, 0.75),
                household_rates=_hrates(0.82, 0.90, 0.96, 0.92, 0.90, 0.42, 0.97, 0.08, 1.0, 0.25, 0.94, 1.0, 0.93),
            ),
        ),
    ),
    # 001: thôn Chí Phúc, Hà Sơn (Thanh Hóa Decision 35/QĐ-UBND): addresses not done yet in 2022.
    CommuneSpec(
        key="hason", province="Thanh Hóa", district="Hà Trung", commune="Hà Sơn", province_code="38",
        province_type="tinh", district_type="huyen", province_id_code="038", center=(20.0233, 105.8467),
        villages=(
            VillageSpec(
                slug="chiphuc", name="Chí Phúc", village_type="thôn", code_prefix="CP",
                households=286, persons=975, address="thôn Chí Phúc", naming="north",
                person_rates=_rates(0.88, 0.62, 0.70, 0.79, 0.81, 0.85, 0.60),
                household_rates=_hrates(0.72, 0.94, 0.70, 0.60, 0.60, 0.30, 0.72, 0.06, 0.6, 0.10, 0.80, 0.99, 0.88),
            ),
        ),
    ),
    # 002: a residential area of a Phú Thọ model-NTM commune (Decision 1491/QĐ-UBND): near the
    # thresholds, e-payment and digital-address notification a little short.
    CommuneSpec(
        key="hycuong", province="Phú Thọ", district="Việt Trì", commune="Hy Cương", province_code="25",
        province_type="tinh", district_type="thanh_pho", province_id_code="025", center=(21.3620, 105.3560),
        villages=(
            VillageSpec(
                slug="khu3", name="Khu dân cư số 3", village_type="khu dân cư", code_prefix="K3",
                households=214, persons=706, address="Khu 3", naming="north",
                person_rates=_rates(0.88, 0.75, 0.71, 0.75, 0.78, 0.90, 0.70),
                household_rates=_hrates(0.83, 0.93, 0.98, 0.96, 0.70, 0.36, 0.82, 0.07, 0.85, 0.15, 0.88, 0.99, 0.90),
            ),
        ),
    ),
    # 003: ấp An Phú, An Nhơn (Đồng Tháp, Decision 384/QĐ-UBND-HC): 251,3 ha, 2.420 people, 761 households.
    CommuneSpec(
        key="annhon", province="Đồng Tháp", district="Châu Thành", commune="An Nhơn", province_code="87",
        province_type="tinh", district_type="huyen", province_id_code="087", center=(10.2610, 105.8610),
        villages=(
            VillageSpec(
                slug="anphu", name="An Phú", village_type="ấp", code_prefix="AP",
                households=761, persons=2420, address="ấp An Phú", naming="south",
                person_rates=_rates(0.92, 0.80, 0.74, 0.88, 0.85, 0.90, 0.902),
                household_rates=_hrates(0.78, 0.93, 0.88, 0.85, 0.76, 0.32, 0.76, 0.09, 0.85, 0.20, 0.90, 0.99, 0.91),
            ),
        ),
    ),
    # 004: Kon Tum (official letter 2431/UBND-NNTN): an ethnic-minority and mountainous commune
    # already recognised as advanced NTM, with three villages; Kon Rơ Bàng 2 falls a little short.
    CommuneSpec(
        key="vinhquang", province="Kon Tum", district="Kon Tum", commune="Vinh Quang", province_code="62",
        province_type="tinh", district_type="thanh_pho", province_id_code="062", center=(14.3790, 107.9830),
        attributes={"ethnic_minority_mountainous": True},
        villages=(
            VillageSpec(
                slug="konrobang1", name="Kon Rơ Bàng 1", village_type="thôn", code_prefix="KRB1",
                households=132, persons=488, address="làng Kon Rơ Bàng 1", naming="bana",
                person_rates=_rates(0.90, 0.64, 0.89, 0.62, 0.66, 0.80, 0.55),
                household_rates=_hrates(0.42, 0.90, 0.80, 0.70, 0.45, 0.12, 0.65, 0.05, 0.6, 0.05, 0.82, 0.99, 0.86),
            ),
            VillageSpec(
                slug="konrobang2", name="Kon Rơ Bàng 2", village_type="thôn", code_prefix="KRB2",
                households=104, persons=372, address="làng Kon Rơ Bàng 2", naming="bana",
                person_rates=_rates(0.72, 0.43, 0.70, 0.50, 0.55, 0.75, 0.50),
                household_rates=_hrates(0.30, 0.86, 0.70, 0.60, 0.38, 0.08, 0.60, 0.04, 0.5, 0.05, 0.75, 0.98, 0.84),
                worker_platform_gap=True,
            ),
            VillageSpec(
                slug="vinhquang3", name="Thôn 3", village_type="thôn", code_prefix="VQ3",
                households=118, persons=401, address="thôn 3", naming="north",
                person_rates=_rates(0.90, 0.72, 0.87, 0.72, 0.76, 0.86, 0.62),
                household_rates=_hrates(0.66, 0.94, 0.90, 0.85, 0.62, 0.25, 0.80, 0.08, 0.8, 0.12, 0.88, 0.99, 0.90),
            ),
        ),
    ),
)
# fmt: on


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

# Data tables are kept one record per line to be read as tables.
# fmt: off
_SURNAMES = {
    "north": [("Nguyễn", 34), ("Trần", 10), ("Lê", 8), ("Phạm", 8), ("Hoàng", 5), ("Vũ", 5), ("Đỗ", 4), ("Bùi", 4), ("Đặng", 3), ("Ngô", 3), ("Phan", 2), ("Đinh", 2), ("Trịnh", 2), ("Đào", 2), ("Dương", 2), ("Lương", 1), ("Phùng", 1), ("Nghiêm", 1), ("Tạ", 1), ("Mai", 1), ("Cao", 1), ("Hà", 1)],
    "south": [("Nguyễn", 36), ("Trần", 11), ("Lê", 9), ("Huỳnh", 6), ("Võ", 6), ("Phạm", 5), ("Phan", 4), ("Trương", 3), ("Đặng", 2), ("Lâm", 2), ("Bùi", 2), ("Dương", 2), ("Đỗ", 2), ("Ngô", 2), ("Hồ", 2), ("Lý", 1), ("Châu", 1), ("Tô", 1), ("Thái", 1)],
}
_MIDDLE_MALE_OLD = ["Văn"] * 8 + ["Đức", "Hữu", "Công", "Xuân", "Ngọc", "Quang", "Đình", "Thế"]
_MIDDLE_MALE_NEW = ["Văn", "Văn", "Minh", "Đức", "Quang", "Hoàng", "Gia", "Anh", "Tuấn", "Duy", "Quốc", "Thành", "Trọng", "Bảo", "Đăng", "Hữu", "Mạnh", "Nhật"]
_MIDDLE_FEMALE_NEW = ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Hồng", "Bảo", "Khánh", "Mai", "Kim", "Quỳnh", "Thùy", "Diệu", "Hải", "Gia", "Tuệ", "Yến"]
_GIVEN_MALE_OLD = ["Hùng", "Dũng", "Thắng", "Cường", "Bình", "Sơn", "Hải", "Minh", "Tiến", "Quang", "Hòa", "Toàn", "Thành", "Long", "Lợi", "Phúc", "Tâm", "Tài", "Thịnh", "Hưng", "Nghĩa", "Chiến", "Lâm", "Trung", "Vinh", "Định", "Khang", "Tuấn", "Nam", "Việt"]
_GIVEN_MALE_NEW = ["Nam", "Long", "Minh", "Huy", "Khoa", "Đạt", "Phúc", "Quân", "Hiếu", "Tùng", "Kiên", "Hoàng", "Phong", "Khánh", "Bảo", "An", "Duy", "Thái", "Lộc", "Vũ", "Trí", "Nhân", "Khôi", "Đăng", "Tuấn", "Anh", "Sơn", "Hải", "Hưng", "Quang"]
_GIVEN_FEMALE_OLD = ["Lan", "Hương", "Hoa", "Mai", "Hằng", "Hạnh", "Nga", "Phương", "Thủy", "Dung", "Yến", "Nhung", "Liên", "Hà", "Vân", "Loan", "Thu", "Hiền", "Oanh", "Tuyết", "Xuân", "Cúc", "Đào", "Lụa", "Tâm", "Huệ", "Nhàn", "Thơm", "Lý", "Sen"]
_GIVEN_FEMALE_NEW = ["Linh", "Trang", "Thảo", "Ngọc", "Huyền", "Anh", "Chi", "Vy", "My", "Nhi", "Ngân", "Trâm", "Thư", "Hân", "An", "Diệp", "Quyên", "Giang", "Hà", "Uyên", "Ly", "Yến", "Nhung", "Phương", "Hương", "Mai", "Vân", "Khánh", "Ánh", "Tú"]
# Southern elders are often called by their birth order.
_GIVEN_SOUTH_OLD = ["Hai", "Ba", "Tư", "Năm", "Sáu", "Bảy", "Tám", "Chín", "Mười", "Út", "Bé"]
# Ba Na names (Kon Tum): no family name; "A" before a man's name, "Y" before a woman's.
_BANA_MALE = ["Thút", "Blông", "Hyin", "Nhôr", "Khiêm", "Ngơr", "Bơi", "Phan", "Đươi", "Hmun", "Jơr", "Sang", "Rin", "Tuân", "Kông", "Djun", "Pứt", "Glơng", "Lương", "Hưng", "Bloh", "Dưn", "Kim", "Tơ", "Hrek", "Đe", "Byưh", "Nhuk", "Hyoai", "Sư"]
_BANA_FEMALE = ["Blin", "Hên", "Nhi", "Hiên", "Lôi", "Bia", "Kơr", "Thanh", "Xuân", "Hoa", "Nguyệt", "Yin", "Phi", "Mai", "Gưi", "Rít", "Hyai", "Brun", "Ngưn", "Dun", "Hơ", "Lan", "Tuyết", "Hiếu", "Chiên", "Klơ", "Vin", "Ngọc", "Hrui", "Bích"]
# fmt: on


class _Namer:
    def __init__(self, rng: random.Random, naming: str) -> None:
        self.rng = rng
        self.naming = naming
        pool = _SURNAMES["south" if naming == "south" else "north"]
        self._surnames = [s for s, _ in pool]
        self._weights = [w for _, w in pool]
        self.bana = naming == "bana"

    def start_household(self) -> None:
        """In a Ba Na village most households use Ba Na names, a few are Kinh families."""
        if self.naming == "bana":
            self.bana = self.rng.random() < 0.85

    def surname(self) -> str:
        return self.rng.choices(self._surnames, self._weights)[0]

    def full_name(self, surname: str, sex: str, birth_year: int) -> str:
        rng = self.rng
        if self.bana:
            return (
                f"A {rng.choice(_BANA_MALE)}"
                if sex == Sex.MALE
                else f"Y {rng.choice(_BANA_FEMALE)}"
            )
        old = birth_year < 1980
        if sex == Sex.MALE:
            middle = rng.choice(_MIDDLE_MALE_OLD if old else _MIDDLE_MALE_NEW)
            if self.naming == "south" and birth_year < 1965 and rng.random() < 0.25:
                given = rng.choice(_GIVEN_SOUTH_OLD[:-1])
            else:
                given = rng.choice(_GIVEN_MALE_OLD if old else _GIVEN_MALE_NEW)
        else:
            thi_share = 0.9 if birth_year < 1975 else 0.55 if birth_year < 1995 else 0.2
            middle = "Thị" if rng.random() < thi_share else rng.choice(_MIDDLE_FEMALE_NEW[1:])
            if self.naming == "south" and birth_year < 1965 and rng.random() < 0.25:
                given = rng.choice(_GIVEN_SOUTH_OLD)
            else:
                given = rng.choice(_GIVEN_FEMALE_OLD if old else _GIVEN_FEMALE_NEW)
        if middle == given:
            middle = "Văn" if sex == Sex.MALE else "Thị"
        return f"{surname} {middle} {given}"


# --------------------------------------------------------------------------------------------
# Households and persons
# --------------------------------------------------------------------------------------------

# Household sizes in rural Vietnam (1 to 7 persons); the mean is about 3,3 before adjustment.
_SIZE_WEIGHTS = {1: 10, 2: 20, 3: 24, 4: 27, 5: 12, 6: 5, 7: 2}


def household_sizes(rng: random.Random, households: int, persons: int) -> list[int]:
    """`households` sizes from the usual distribution, nudged so that they sum to `persons`."""
    if not households <= persons <= households * 7:
        raise DomainError(
            f"{persons} người không chia được cho {households} hộ (1–7 người/hộ).", "bad_demo_spec"
        )
    sizes = rng.choices(list(_SIZE_WEIGHTS), list(_SIZE_WEIGHTS.values()), k=households)
    diff = persons - sum(sizes)
    while diff != 0:
        i = rng.randrange(households)
        if diff > 0 and sizes[i] < 7:
            sizes[i] += 1
            diff -= 1
        elif diff < 0 and sizes[i] > 1:
            sizes[i] -= 1
            diff += 1
    return sizes


@dataclass
class _Member:
    relationship: str
    sex: str
    age: int
    surname: str


def _children(rng: random.Random, count: int, oldest_max: int) -> list[int]:
    """Ages of `count` siblings, oldest first, 1–5 years apart, the youngest at least 0."""
    if count == 0:
        return []
    gaps = [rng.randint(1, 5) for _ in range(count - 1)]
    span = sum(gaps)
    oldest = rng.randint(span, max(span, oldest_max))
    ages = [oldest]
    for gap in gaps:
        ages.append(ages[-1] - gap)
    return ages


def compose_household(rng: random.Random, namer: _Namer, size: int) -> list[_Member]:
    """Members of a household of `size`, the head first, with plausible ages and relationships."""
    namer.start_household()
    family = namer.surname()
    other = namer.surname
    male, female = Sex.MALE, Sex.FEMALE
    rel = Relationship
    if size == 1:
        if rng.random() < 0.65:
            sex = female if rng.random() < 0.72 else male
            return [_Member(rel.HEAD, sex, rng.randint(62, 92), family)]
        return [
            _Member(rel.HEAD, male if rng.random() < 0.6 else female, rng.randint(22, 58), family)
        ]
    if size == 2:
        roll = rng.random()
        if roll < 0.4:
            age = rng.randint(48, 86)
            return [
                _Member(rel.HEAD, male, age, family),
                _Member(rel.SPOUSE, female, max(44, age - rng.randint(0, 6)), other()),
            ]
        if roll < 0.65:
            age = rng.randint(22, 34)
            return [
                _Member(rel.HEAD, male, age, family),
                _Member(rel.SPOUSE, female, max(19, age - rng.randint(0, 5)), other()),
            ]
        mother = rng.randint(32, 78)
        child = max(0, mother - rng.randint(21, 36))
        return [
            _Member(rel.HEAD, female, mother, other()),
            _Member(rel.CHILD, male if rng.random() < 0.5 else female, child, family),
        ]
    nuclear_share = {3: 0.72, 4: 0.68, 5: 0.35}.get(size, 0.12)
    if rng.random() < nuclear_share:
        if size == 3 and rng.random() < 0.12:
            # A single mother and two children.
            kids = _children(rng, 2, 20)
            mother = kids[0] + rng.randint(20, 32)
            members = [_Member(rel.HEAD, female, mother, other())]
            return members + [
                _Member(rel.CHILD, rng.choice((male, female)), a, family) for a in kids
            ]
        kids = _children(rng, size - 2, 30)
        mother = kids[0] + rng.randint(19, 31)
        father = mother + rng.randint(0, 6)
        members = [
            _Member(rel.HEAD, male, father, family),
            _Member(rel.SPOUSE, female, mother, other()),
        ]
        return members + [_Member(rel.CHILD, rng.choice((male, female)), a, family) for a in kids]
    # Three generations: one or two grandparents, the couple (or a single parent), their children.
    grandparents = 2 if size >= 5 and rng.random() < 0.6 else 1
    middle = 1 if size == 3 and rng.random() < 0.3 else 2
    kid_count = size - grandparents - middle
    if kid_count < 0:
        middle, kid_count = 1, size - grandparents - 1
    kids = _children(rng, kid_count, 18)
    wife = (kids[0] if kids else rng.randint(0, 6)) + rng.randint(21, 30)
    son = wife + rng.randint(0, 6)
    grandfather = son + rng.randint(23, 34)
    grandmother = grandfather - rng.randint(0, 6)
    elder_head = grandparents == 2 and rng.random() < 0.5
    members: list[_Member] = []
    if grandparents == 2:
        elder_rel = rel.HEAD if elder_head else rel.PARENT
        members += [
            _Member(elder_rel, male, grandfather, family),
            _Member(rel.SPOUSE if elder_head else rel.PARENT, female, grandmother, other()),
        ]
    else:
        members.append(
            _Member(rel.PARENT, female, grandmother, other())
            if rng.random() < 0.75
            else _Member(rel.PARENT, male, grandfather, family)
        )
    if elder_head:
        members.append(_Member(rel.CHILD, male, son, family))
        if middle == 2:
            members.append(_Member(rel.IN_LAW, female, wife, other()))
        kids_rel = rel.GRANDCHILD
    else:
        members.insert(0, _Member(rel.HEAD, male, son, family))
        if middle == 2:
            members.insert(1, _Member(rel.SPOUSE, female, wife, other()))
        kids_rel = rel.CHILD
    members += [_Member(kids_rel, rng.choice((male, female)), a, family) for a in kids]
    return members


def _birth_date(rng: random.Random, age: int) -> dt.date:
    """A birth date giving `age` whole years at REF_DATE."""
    latest = dt.date(REF_DATE.year - age, REF_DATE.month, REF_DATE.day)
    return latest - dt.timedelta(days=rng.randint(0, 364))


def _identity_number(
    rng: random.Random, province: str, sex: str, birth: dt.date, used: set[str]
) -> str:
    """A 12-digit CCCD: province (3), century and sex (1), year (2), then 6 random digits."""
    century = 0 if birth.year < 2000 else 2
    prefix = f"{province}{century + (0 if sex == Sex.MALE else 1)}{birth.year % 100:02d}"
    while True:
        number = f"{prefix}{rng.randrange(1_000_000):06d}"
        if number not in used:
            used.add(number)
            return number


def _older_factor(age: int) -> float:
    """How much of the working-age rate of digital use people past working age reach."""
    if age < 65:
        return 0.75
    if age < 70:
        return 0.55
    if age < 80:
        return 0.3
    return 0.1


_DIGITAL = (
    "smartphone",
    "epayment_account",
    "digital_skills_trained",
    "online_public_services",
    "essential_digital_services",
)


def _person_facts(
    rng: random.Random, rates: dict[str, float], age: int, working_age: bool
) -> dict[str, bool]:
    facts = dict.fromkeys(rates, False)
    if working_age:
        factor = 1.0
    elif age >= 15:
        factor = _older_factor(age)
    elif age >= 10:
        facts["smartphone"] = rng.random() < 0.4
        facts["vneid"] = age >= 14 and rng.random() < 0.5
        facts["electronic_health_record"] = rng.random() < rates["electronic_health_record"]
        return facts
    else:
        facts["electronic_health_record"] = rng.random() < rates["electronic_health_record"]
        return facts
    # One "digital propensity" per person drives most of the facts, so that the people who pay
    # online are mostly those with a smartphone, as in a real village.
    propensity = rng.random()
    for key in _DIGITAL:
        draw = propensity if rng.random() < 0.8 else rng.random()
        facts[key] = draw < rates[key] * factor
    facts["vneid"] = rng.random() < rates["vneid"] * (1.0 if age < 70 else 0.5)
    facts["electronic_health_record"] = rng.random() < rates["electronic_health_record"]
    return facts


@dataclass
class VillageData:
    households: list[Household]
    persons: list[list[Person]]  # per household, same order


def generate_village(
    village: AdminUnit, spec: VillageSpec, commune: CommuneSpec, used_ids: set[str] | None = None
) -> VillageData:
    """Households and persons of one village (unsaved), the same for the same spec."""
    rng = random.Random(zlib.crc32(f"smartvillage-demo:{spec.slug}".encode()))
    namer = _Namer(rng, spec.naming)
    hr = spec.household_rates
    # Identity numbers already given (villages of one province share the province prefix).
    used_ids = set() if used_ids is None else used_ids
    households: list[Household] = []
    persons: list[list[Person]] = []
    lat0, lon0 = commune.center
    for index, size in enumerate(household_sizes(rng, spec.households, spec.persons), start=1):
        members = compose_household(rng, namer, size)
        people: list[Person] = []
        for m in members:
            birth = _birth_date(rng, m.age)
            year_only = m.age >= 60 and rng.random() < 0.11
            if year_only:
                birth = dt.date(birth.year, 1, 1)
            name = namer.full_name(m.surname, m.sex, birth.year)
            facts = _person_facts(
                rng, spec.person_rates, m.age, is_working_age(birth, m.sex, REF_DATE)
            )
            identity = ""
            if m.age >= 18 or (m.age >= 14 and rng.random() < 0.8):
                identity = _identity_number(rng, commune.province_id_code, m.sex, birth, used_ids)
            people.append(
                Person(
                    village_id=village.pk,
                    full_name=name,
                    birth_date=birth,
                    birth_year_only=year_only,
                    sex=m.sex,
                    relationship=m.relationship,
                    identity_number=identity,
                    **facts,
                )
            )
        fibre = rng.random() < hr["fibre_internet"]
        mobile = rng.random() < hr["mobile_broadband"]
        has_address = rng.random() < hr["digital_address"]
        business = rng.random() < hr["is_business"]
        # A household pays online / files online when one of its members does; most of those
        # households count (about 93 % of them have a member who files online).
        any_ops = any(p.online_public_services for p in people)
        ops_share = min(1.0, hr["household_online_public_services"] / 0.93)
        household = Household(
            village_id=village.pk,
            code=f"{spec.code_prefix}-{index:03d}",
            head_name=people[0].full_name,
            address=f"Số {index}, {spec.address}",
            internet=fibre or mobile,
            fibre_internet=fibre,
            mobile_broadband=mobile,
            household_epayment=any(p.epayment_account for p in people),
            digital_address=has_address,
            digital_address_notified=has_address
            and rng.random() < hr["digital_address_notified"] / hr["digital_address"],
            household_online_public_services=any_ops and rng.random() < ops_share,
            security_camera=rng.random() < hr["security_camera"],
            waste_sorting=rng.random() < hr["waste_sorting"],
            is_business=business,
            fire_extinguisher=rng.random()
            < (hr["fire_business"] if business else hr["fire_other"]),
            community_group_member=rng.random() < hr["community_group_member"],
            security_order_compliant=rng.random() < hr["security_order_compliant"],
            cultural_family=rng.random() < hr["cultural_family"],
        )
        if has_address:
            household.digital_address_code = (
                f"VN{commune.province_id_code}-{spec.code_prefix}-{index:04d}"
            )
            household.latitude = Decimal(f"{lat0 + rng.uniform(-0.006, 0.006):.6f}")
            household.longitude = Decimal(f"{lon0 + rng.uniform(-0.006, 0.006):.6f}")
        households.append(household)
        persons.append(people)
    _assign_village_roles(rng, spec, persons)
    return VillageData(households, persons)


def _assign_village_roles(
    rng: random.Random, spec: VillageSpec, persons: list[list[Person]]
) -> None:
    """Four part-time village workers and a six-member tổ công nghệ số cộng đồng."""
    flat = [p for people in persons for p in people]
    age = {id(p): _age(p.birth_date) for p in flat}
    workers = rng.sample([p for p in flat if 28 <= age[id(p)] <= 58], 4)
    for p in workers:
        p.village_worker = True
        p.smartphone = True
        p.uses_digital_platforms = True
    if spec.worker_platform_gap:
        workers[-1].uses_digital_platforms = False
    team = (
        rng.sample([p for p in flat if 18 <= age[id(p)] <= 50 and not p.village_worker], 5)
        + workers[:1]
    )
    for p in team:
        p.digital_team_member = True
        p.smartphone = True
        p.digital_skills_trained = True


def _age(birth: dt.date) -> int:
    return REF_DATE.year - birth.year - ((REF_DATE.month, REF_DATE.day) < (birth.month, birth.day))


def save_village_data(village: AdminUnit, data: VillageData) -> tuple[int, int]:
    """Write the generated rows in bulk (a few statements, not one per row)."""
    Household.objects.bulk_create(data.households, batch_size=500)
    if any(h.pk is None for h in data.households):  # a backend without RETURNING
        by_code = dict(Household.objects.filter(village=village).values_list("code", "pk"))
        for h in data.households:
            h.pk = by_code[h.code]
    rows: list[Person] = []
    for household, people in zip(data.households, data.persons, strict=True):
        for person in people:
            person.household_id = household.pk
            rows.append(person)
    Person.objects.bulk_create(rows, batch_size=1000)
    from smartvillage.results.services import recount_villages

    recount_villages([village.pk])  # the results store, if it already counts this village
    return len(data.households), len(rows)


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------


def demo_province_codes() -> list[str]:
    return [c.province_code for c in COMMUNES]


def ensure_units(scope: str) -> None:
    """Load the official unit list (the code behind `smartvillage units load`): "all" of it,
    only the "demo" provinces (fast, for tests), or "none" (already loaded)."""
    if scope != "none":
        load_units(None if scope == "all" else demo_province_codes())


def find_commune(spec: CommuneSpec) -> AdminUnit:
    """The seed's commune in the official pre-2025 list (the seeds predate the 2025 reform)."""
    return unit_services.find_commune(
        spec.province, spec.district, spec.commune, scheme=Scheme.PRE_2025
    )


# --------------------------------------------------------------------------------------------
# Evidence
# --------------------------------------------------------------------------------------------


def _ev(category: str, type_: str, title: str, **fields: Any) -> dict[str, Any]:
    return {"category": category, "type": type_, "title": title, **fields}


def _d(day: int, month: int, year: int) -> dt.date:
    return dt.date(year, month, day)


# Data tables are kept one record per line to be read as tables.
# fmt: off
# (commune key, village slug or None for the commune itself) -> records
EVIDENCE: dict[tuple[str, str | None], list[dict[str, Any]]] = {
    ("anthanh", "mynam"): [
        _ev("document", "programme_plan", "Thông báo về việc xây dựng thí điểm “Khu dân cư thông minh” xóm Mỹ Nam, thôn Thanh Kỳ", issuer="UBND xã An Thanh", issued_date=_d(15, 8, 2023)),
        _ev("document", "decision_digital_team", "Quyết định thành lập tổ công nghệ số cộng đồng xóm Mỹ Nam", number="86/QĐ-UBND", issued_date=_d(21, 8, 2023), issuer="UBND xã An Thanh"),
        _ev("facility", "wifi_public", "Điểm wifi miễn phí tại nhà văn hóa thôn Thanh Kỳ", location="Nhà văn hóa thôn Thanh Kỳ", since=_d(1, 10, 2023)),
        _ev("facility", "security_camera", "Camera giám sát an ninh tại các điểm thiết yếu của xóm", quantity=4, location="Đầu xóm, ngã ba, nhà văn hóa, cổng chùa", since=_d(15, 10, 2023), attributes={"connected_to_police": True}),
        _ev("channel", "zalo_group", "Nhóm Zalo “Khu dân cư thông minh xóm Mỹ Nam”", since=_d(25, 8, 2023), attributes={"members": 118}),
        _ev("facility", "smart_loudspeaker", "Cụm loa truyền thanh thông minh xóm Mỹ Nam", quantity=2, since=_d(1, 11, 2023), attributes={"connected_to_commune_radio": True}),
        _ev("facility", "solar_light", "Đèn chiếu sáng năng lượng mặt trời trên trục đường xóm", quantity=24, since=_d(1, 11, 2023)),
        _ev("facility", "sports_ground", "Sân tập thể dục thể thao thôn Thanh Kỳ", location="Cạnh nhà văn hóa thôn"),
        _ev("recognition", "cultural_village", "Khu dân cư văn hóa xóm Mỹ Nam năm 2023", number="105/QĐ-UBND", issued_date=_d(15, 12, 2023), issuer="UBND xã An Thanh"),
        _ev("recognition", "security_order_safe", "Khu dân cư đạt chuẩn “An toàn về an ninh, trật tự” năm 2023", number="112/QĐ-UBND", issued_date=_d(20, 12, 2023), issuer="UBND xã An Thanh"),
    ],
    ("hason", "chiphuc"): [
        _ev("document", "programme_plan", "Kế hoạch xây dựng thôn Chí Phúc đạt tiêu chí thôn thông minh năm 2022", issuer="UBND xã Hà Sơn", issued_date=_d(5, 9, 2022)),
        _ev("facility", "fibre_coverage", "Hạ tầng Internet cáp quang đến thôn Chí Phúc", issuer="Viễn thông Hà Trung", since=_d(1, 1, 2022)),
        _ev("facility", "mobile_coverage", "Vùng phủ sóng 3G/4G toàn thôn", since=_d(1, 1, 2022)),
        _ev("it_model", "security", "Mô hình camera giám sát an ninh trật tự của xã tại thôn (2 camera)", location="Khu vực đền Hàn; ngã ba của thôn", since=_d(1, 6, 2022), attributes={"connected_to_police": True}),
        _ev("it_model", "lighting", "Hệ thống 45 cột điện cao áp chiếu sáng toàn thôn", since=_d(1, 6, 2022)),
        _ev("facility", "smart_loudspeaker", "Truyền thanh không dây tại nhà văn hóa thôn", since=_d(25, 11, 2022), attributes={"connected_to_commune_radio": True}),
        _ev("facility", "wifi_public", "Điểm kết nối Wi-Fi tại nhà văn hóa thôn Chí Phúc", location="Nhà văn hóa thôn Chí Phúc", since=_d(1, 9, 2022)),
        _ev("document", "decision_digital_team", "Quyết định thành lập tổ công nghệ số cộng đồng thôn Chí Phúc", number="118/QĐ-UBND", issued_date=_d(20, 9, 2022), issuer="UBND xã Hà Sơn"),
        _ev("channel", "zalo_group", "Nhóm Zalo thôn Chí Phúc", since=_d(1, 3, 2021)),
    ],
    ("hycuong", "khu3"): [
        _ev("document", "decision_digital_team", "Quyết định thành lập tổ công nghệ số cộng đồng Khu 3", number="45/QĐ-UBND", issued_date=_d(10, 8, 2023), issuer="UBND xã Hy Cương"),
        _ev("document", "digital_team_plan", "Kế hoạch hoạt động của tổ công nghệ số cộng đồng Khu 3 năm 2023-2024", issued_date=_d(15, 8, 2023), issuer="Tổ công nghệ số cộng đồng Khu 3"),
        _ev("document", "digital_team_activity_report", "Báo cáo kết quả hoạt động của tổ công nghệ số cộng đồng Khu 3", issued_date=_d(20, 12, 2023), issuer="Tổ công nghệ số cộng đồng Khu 3"),
        _ev("it_model", "security", "Camera giám sát tại các điểm ra, vào khu dân cư kết nối với công an xã (3 camera)", location="Cổng khu; ngã tư đường trục; nhà văn hóa", since=_d(1, 10, 2023), attributes={"connected_to_police": True}),
        _ev("it_model", "education", "Kênh Zalo trao đổi thông tin giữa giáo viên và phụ huynh học sinh", since=_d(5, 9, 2023)),
        _ev("channel", "zalo_group", "Nhóm Zalo Khu 3 - xã Hy Cương", since=_d(1, 5, 2022)),
        _ev("facility", "wifi_public", "Wi-Fi miễn phí tại nhà văn hóa Khu 3", location="Nhà văn hóa Khu 3", since=_d(1, 9, 2023)),
    ],
    ("annhon", "anphu"): [
        _ev("document", "programme_plan", "Kế hoạch thực hiện mô hình Làng thông minh đối với ấp An Phú, xã An Nhơn năm 2024", issuer="UBND xã An Nhơn", issued_date=_d(5, 3, 2024)),
        _ev("facility", "wifi_public", "Mạng wifi miễn phí tại các điểm công cộng của ấp An Phú", quantity=6, location="Bộ phận tiếp nhận và trả kết quả xã; Trung tâm VH học tập cộng đồng; Hợp tác xã; Điểm dừng chân Nem Hoàng Khánh; Chợ Hang Mai; Nhà văn hóa ấp", since=_d(1, 6, 2023)),
        _ev("facility", "security_camera", "Camera công cộng giám sát an ninh (lưu trữ 07 ngày, hoạt động 24/7)", quantity=6, location="Các nút giao thông trọng điểm, khu vực đông người", since=_d(1, 6, 2023), attributes={"connected_to_police": True}),
        _ev("channel", "zalo_group", "Zalo liên kết các Tổ nhân dân tự quản ấp An Phú", since=_d(1, 1, 2023)),
        _ev("channel", "facebook_group", "Facebook “Sắc Nhãn An Nhơn”", link="https://www.facebook.com/"),
        _ev("it_model", "traceability", "Truy xuất nguồn gốc Nhãn bằng mã QR", since=_d(1, 1, 2023)),
        _ev("product", "ocop", "Nhãn Châu Thành", attributes={"stars": 3}, issued_date=_d(1, 12, 2022), issuer="UBND tỉnh Đồng Tháp"),
        _ev("product", "ecommerce_listing", "Nhãn Châu Thành trên sàn Voso.vn và Postmart.vn", link="https://postmart.vn/", since=_d(1, 6, 2023)),
        _ev("product", "traceability_code", "Mã QR truy xuất nguồn gốc Nhãn Châu Thành", since=_d(1, 1, 2023)),
        _ev("product", "growing_area_code", "Mã số vùng trồng Nhãn - Hợp tác xã nông sản an toàn An Hòa", number="VN-DTOR-0035", since=_d(1, 3, 2023)),
        _ev("product", "food_safety_certificate", "Chứng nhận cơ sở đủ điều kiện an toàn thực phẩm - HTX nông sản an toàn An Hòa", number="125/2023/ATTP-CNĐK", issued_date=_d(15, 5, 2023), issuer="Chi cục Quản lý chất lượng Nông lâm sản và Thủy sản Đồng Tháp"),
        _ev("organisation", "cooperative", "Hợp tác xã nông sản an toàn An Hòa", link="https://htxnongsananhoa.vn/"),
        _ev("organisation", "digital_team", "Tổ công nghệ số cộng đồng ấp An Phú", since=_d(1, 9, 2022)),
        _ev("document", "decision_digital_team", "Quyết định kiện toàn tổ công nghệ số cộng đồng ấp An Phú", number="27/QĐ-UBND", issued_date=_d(12, 1, 2024), issuer="UBND xã An Nhơn"),
        # The plan lists the commune's services as the village's current state (thực trạng), and
        # the village set counts the village's own records, so they are recorded on the village.
        _ev("channel", "website", "Trang thông tin điện tử xã An Nhơn", link="https://annhon.dongthap.gov.vn/"),
        _ev("it_model", "information_system", "Thông tin dữ liệu thông suốt từ xã đến ấp qua trang thông tin điện tử và nhóm Zalo"),
        _ev("it_model", "education_digital", "Chuyển đổi số các cơ sở giáo dục đạt mức độ 3 (QĐ 4725/QĐ-BGDĐT)"),
        _ev("it_model", "education_cashless", "Các trường thanh toán không dùng tiền mặt"),
        _ev("it_model", "stem", "Giáo dục STEAM trong trường học"),
        _ev("it_model", "smart_education", "Mô hình giáo dục thông minh: camera, phòng tin học, phần mềm quản lý"),
        _ev("it_model", "police_online_services", "Công an xã tiếp nhận 100% hồ sơ qua dịch vụ công trực tuyến"),
        _ev("statistic", "online_dossiers", "Hồ sơ thủ tục hành chính trực tuyến năm 2023", attributes={"numerator": 117, "denominator": 133, "unit_label": "hồ sơ"}, issued_date=_d(31, 12, 2023), issuer="Bộ phận một cửa UBND xã An Nhơn"),
        _ev("statistic", "electronic_health_records", "Tỷ lệ dân số có hồ sơ quản lý sức khỏe điện tử", attributes={"numerator": 902, "denominator": 1000}, issued_date=_d(31, 12, 2023), issuer="Trạm Y tế xã An Nhơn"),
    ],
    ("vinhquang", None): [
        _ev("recognition", "ntm_advanced", "Xã Vinh Quang đạt chuẩn nông thôn mới nâng cao giai đoạn 2021 - 2025", number="512/QĐ-UBND", issued_date=_d(29, 6, 2023), issuer="UBND tỉnh Kon Tum"),
        _ev("facility", "wifi_public", "Wifi miễn phí khu vực trung tâm xã và nhà văn hóa xã", quantity=2, location="Trụ sở UBND xã; Nhà văn hóa xã", since=_d(1, 3, 2023)),
        _ev("statistic", "commune_staff_smartphone_email_eoffice", "Cán bộ, công chức xã dùng điện thoại thông minh, hộp thư công vụ, văn phòng điện tử", attributes={"numerator": 21, "denominator": 21}, issued_date=_d(30, 9, 2023)),
        _ev("statistic", "commune_staff_trained", "Cán bộ, công chức xã được tập huấn ứng dụng CNTT, chuyển đổi số", attributes={"numerator": 21, "denominator": 21}, issued_date=_d(30, 9, 2023)),
        _ev("product", "ocop", "Rượu cần Kon Rơ Bàng", attributes={"stars": 3}, issued_date=_d(20, 11, 2022), issuer="UBND tỉnh Kon Tum"),
        _ev("product", "ecommerce_listing", "Sản phẩm OCOP của xã trên sàn kontumtrade.gov.vn và postmart.vn", link="https://kontumtrade.gov.vn/", since=_d(1, 5, 2023)),
        _ev("it_model", "tourism", "Bản đồ số điểm du lịch cộng đồng làng Kon Rơ Bàng", since=_d(1, 7, 2023)),
    ],
    ("vinhquang", "konrobang1"): [
        _ev("facility", "mobile_coverage", "Phủ sóng 4G toàn làng Kon Rơ Bàng 1", since=_d(1, 1, 2023)),
        _ev("facility", "smart_loudspeaker", "Hệ thống loa kết nối Đài Truyền thanh xã", since=_d(1, 4, 2023), attributes={"connected_to_commune_radio": True}),
        _ev("document", "decision_digital_team", "Quyết định thành lập tổ công nghệ số cộng đồng làng Kon Rơ Bàng 1", number="31/QĐ-UBND", issued_date=_d(15, 3, 2023), issuer="UBND xã Vinh Quang"),
        _ev("organisation", "digital_team", "Tổ công nghệ số cộng đồng làng Kon Rơ Bàng 1", since=_d(15, 3, 2023)),
        _ev("facility", "wifi_public", "Wifi miễn phí tại nhà rông làng Kon Rơ Bàng 1", location="Nhà rông văn hóa", since=_d(1, 5, 2023)),
        _ev("it_model", "village_radio", "Truyền thanh thôn qua nhóm Zalo và loa thông minh", since=_d(1, 4, 2023)),
        _ev("channel", "zalo_group", "Nhóm Zalo làng Kon Rơ Bàng 1", since=_d(1, 1, 2023)),
    ],
    ("vinhquang", "konrobang2"): [
        _ev("facility", "mobile_coverage", "Phủ sóng 4G toàn làng Kon Rơ Bàng 2", since=_d(1, 1, 2023)),
        _ev("facility", "smart_loudspeaker", "Hệ thống loa của làng (chưa kết nối Đài Truyền thanh xã)", since=_d(1, 4, 2023), attributes={"connected_to_commune_radio": False}),
        _ev("channel", "zalo_group", "Nhóm Zalo làng Kon Rơ Bàng 2", since=_d(1, 6, 2023)),
    ],
    ("vinhquang", "vinhquang3"): [
        _ev("facility", "mobile_coverage", "Phủ sóng 4G toàn thôn 3", since=_d(1, 1, 2023)),
        _ev("facility", "smart_loudspeaker", "Hệ thống loa kết nối Đài Truyền thanh xã", since=_d(1, 4, 2023), attributes={"connected_to_commune_radio": True}),
        _ev("document", "decision_digital_team", "Quyết định thành lập tổ công nghệ số cộng đồng thôn 3", number="32/QĐ-UBND", issued_date=_d(15, 3, 2023), issuer="UBND xã Vinh Quang"),
        _ev("organisation", "digital_team", "Tổ công nghệ số cộng đồng thôn 3", since=_d(15, 3, 2023)),
        _ev("facility", "wifi_public", "Wifi miễn phí tại nhà văn hóa thôn 3", location="Nhà văn hóa thôn 3", since=_d(1, 6, 2023)),
        _ev("it_model", "security", "Camera an ninh đầu thôn kết nối công an xã (2 camera)", since=_d(1, 8, 2023), attributes={"connected_to_police": True}),
    ],
}
# fmt: on


def ensure_evidence(unit: AdminUnit, records: list[dict[str, Any]], creator: User | None) -> int:
    created = 0
    for record in records:
        fields = dict(record)
        keys = {k: fields.pop(k) for k in ("category", "type", "title")}
        _, was_created = EvidenceRecord.objects.get_or_create(
            unit=unit, **keys, defaults={**fields, "created_by": creator}
        )
        created += int(was_created)
    return created


# --------------------------------------------------------------------------------------------
# Users
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    username: str
    role: str  # label
    unit: str
    password: str = PASSWORD


def _user(username: str, first: str, last: str, hashed: str, **flags: bool) -> User:
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "password": hashed, **flags},
    )
    return user


def ensure_users(villages: dict[str, AdminUnit], communes: dict[str, AdminUnit]) -> list[Login]:
    """One demo user per role; the password is hashed once and shared (all are PASSWORD)."""
    hashed = make_password(PASSWORD)
    logins: list[Login] = []

    def assign(username: str, first: str, last: str, role: str, unit: AdminUnit | None) -> None:
        user = _user(username, first, last, hashed)
        RoleAssignment.objects.get_or_create(user=user, role=role, unit=unit)
        where = unit.full_name if unit else "—"
        if unit is not None and unit.is_village and unit.parent is not None:
            where = f"{where}, {unit.parent.full_name}"
        logins.append(Login(username, str(Role(role).label), where))

    heads = {
        "mynam": ("Hoàng Văn", "Minh"),
        "chiphuc": ("Lê Văn", "Thành"),
        "khu3": ("Nguyễn Thị", "Hằng"),
        "anphu": ("Huỳnh Văn", "Tâm"),
        "konrobang1": ("A", "Blông"),
        "konrobang2": ("Y", "Hên"),
        "vinhquang3": ("Trần Đức", "Lợi"),
    }
    for slug, village in villages.items():
        last, first = heads[slug]
        assign(f"truongthon.{slug}", first, last, Role.VILLAGE_HEAD, village)
    assign("tocns.anphu", "Ngân", "Võ Thị Kim", Role.DIGITAL_TEAM, villages["anphu"])
    assign("tocns.khu3", "Huy", "Phạm Quang", Role.DIGITAL_TEAM, villages["khu3"])
    officers = {
        "anthanh": ("Thu", "Đặng Thị"),
        "hason": ("Hải", "Phạm Văn"),
        "hycuong": ("Lan", "Bùi Thị"),
        "annhon": ("Phong", "Lê Thanh"),
        "vinhquang": ("Vân", "Nguyễn Thị Thanh"),
    }
    for key, commune in communes.items():
        first, last = officers[key]
        assign(f"canbo.{key}", first, last, Role.COMMUNE_OFFICER, commune)
    assign("lanhdao.annhon", "Lợi", "Lê Thị Ngọc", Role.COMMUNE_LEADER, communes["annhon"])
    assign("lanhdao.vinhquang", "Hùng", "Đinh Văn", Role.COMMUNE_LEADER, communes["vinhquang"])
    # Phú Thọ's Mẫu số 01 goes village → commune → province: every step has a demo user.
    assign("lanhdao.hycuong", "Dũng", "Nguyễn Tiến", Role.COMMUNE_LEADER, communes["hycuong"])
    assign("lanhdao.hason", "Quang", "Lê Đình", Role.COMMUNE_LEADER, communes["hason"])
    for username, first, last, key in (
        ("thamdinh.dongthap", "Khánh", "Trương Minh", "annhon"),
        ("thamdinh.kontum", "Tuấn", "Hồ Anh", "vinhquang"),
        ("thamdinh.phutho", "Hà", "Vũ Thị Thu", "hycuong"),
    ):
        province = communes[key].ancestor_of_level(Level.PROVINCE)
        assign(username, first, last, Role.APPRAISER, province)
    _user("admin", "Quản trị", "", hashed, is_staff=True, is_superuser=True)
    logins.append(Login("admin", str(Role.SYSTEM_ADMIN.label), "Toàn hệ thống"))
    return logins


# --------------------------------------------------------------------------------------------
# A plan and an assessment, so the workflow pages are not empty
# --------------------------------------------------------------------------------------------


# Seed 001 (Hà Sơn's 2022 plan for thôn Chí Phúc), in its words: per criterion the tasks of the
# village, the village head and the commune, the budget (or who bears it), the person responsible,
# the survey deadline and the completion deadline where the seed gives both.
class _Task(NamedTuple):
    executor: str
    text: str
    responsible: str
    budget: int | None
    budget_note: str
    survey: str | None
    deadline: str
    status: str


CHIPHUC_TASKS: dict[str, list[_Task]] = {
    "1": [
        _Task(
            "village",
            "Tiếp tục bổ sung các thiết bị kết nối Internet phục vụ nhân dân trong khu vực nhà văn "
            "hóa (như tivi có kết nối WI-FI, thiết bị âm thanh, camera an ninh...)",
            "Trưởng thôn và ban phát triển thôn Chí Phúc",
            None,
            "Thôn chịu trách nhiệm",
            None,
            "2022-11-30",
            "done",
        ),
        _Task(
            "commune",
            "Phối hợp với Viễn thông Hà Trung để đảm bảo các hoạt động kết nối được duy trì tốt, "
            "cung cấp gói dịch vụ phù hợp cho hoạt động của thôn, chỉnh trang mỹ quan cáp viễn "
            "thông đảm bảo an toàn giao thông trong thôn (di dời, thay thế các cột viễn thông không "
            "đảm bảo chiều cao, bó gọn cáp tạo cảnh quan...)",
            "Đc PCT UBND xã và CC Văn hóa",
            None,
            "Do Viễn thông Hà Trung chịu trách nhiệm",
            None,
            "2022-11-30",
            "done",
        ),
    ],
    "2": [
        _Task(
            "head",
            "Nắm bắt các kỹ thuật trong việc sử dụng các thiết bị truyền thanh không dây để thực "
            "hiện nhiệm vụ, cài đặt các ứng dụng tiện ích trong ĐTDĐ để quản lý điều hành khu dân cư",
            "Trưởng thôn Chí Phúc",
            None,
            "",
            None,
            "2022-11-30",
            "done",
        ),
        _Task(
            "commune",
            "Đầu tư lắp đặt máy truyền thanh không dây cho thôn",
            "Đc Chủ tịch UBND xã",
            70_000_000,
            "",
            None,
            "2022-11-30",
            "done",
        ),
    ],
    "3": [
        _Task(
            "village",
            "Tiếp tục vận động tuyên truyền các hộ trong thôn đầu tư lắp đặt camera an ninh trong "
            "hộ gia đình, bố trí camera tại nhà văn hóa thôn",
            "Trưởng thôn Chí Phúc",
            None,
            "",
            None,
            "2022-10-30",
            "done",
        ),
        _Task(
            "commune",
            "Đầu tư lắp đặt bổ sung thêm 3 camera giám sát ANTT tại các vị trí trên tuyến đường của "
            "thôn",
            "Đc Chủ tịch UBND xã",
            5_000_000,
            "",
            None,
            "2022-10-30",
            "done",
        ),
    ],
    "4": [
        _Task(
            "village",
            "Thành lập tổ công nghệ số cộng đồng (thành phần: TT thôn, đoàn thanh niên, phụ nữ, nông "
            "dân...) tổ chức điều tra rà soát tổng hợp số người trong độ tuổi để cài đặt các ứng "
            "dụng và phối hợp với VNPT Hà Trung hướng dẫn người dân sử dụng các dịch vụ công trực "
            "tuyến, cài đặt các ứng dụng cho người dân",
            "Đc PCT UBND xã; CC Văn hóa; trưởng thôn",
            5_000_000,
            "Kinh phí hỗ trợ tổ CNSCĐ",
            "2022-10-30",
            "2022-11-30",
            "done",
        ),
        _Task(
            "commune",
            "Phối hợp với Viễn thông (VNPT): hướng dẫn tổ CNSCĐ thôn Chí Phúc thực hiện các thao tác "
            "cài đặt, để hướng dẫn người dân sử dụng các dịch vụ công trực tuyến, cài đặt ứng dụng "
            "ThanhHoaS để tương tác với chính quyền, cập nhật thông tin",
            "Đc PCT UBND xã; CC Văn hóa; trưởng thôn",
            None,
            "",
            None,
            "2022-10-30",
            "done",
        ),
    ],
    "5": [
        _Task(
            "village",
            "Chỉ đạo tổ CNSCĐ lập danh sách số người trong độ tuổi của thôn, để tuyên truyền và "
            "hướng dẫn người dân cài đặt và áp dụng thanh toán không dùng tiền mặt (tạo mã QR code "
            "cho các hộ dân thanh toán tiền điện, các hàng tạp hóa...)",
            "Đc PCT UBND xã; CC Văn hóa; trưởng thôn",
            None,
            "",
            "2022-10-30",
            "2022-11-30",
            "in_progress",
        ),
        _Task(
            "commune",
            "Chỉ đạo các cấp nhà trường, trạm Y tế phối hợp với đơn vị VNPT để được hướng dẫn tạo "
            "QR code thanh toán dịch vụ công: thanh toán học phí (vnEdu connect), các dịch vụ y tế",
            "Đc PCT UBND xã; CC Văn hóa; trưởng thôn",
            None,
            "",
            None,
            "2022-11-30",
            "in_progress",
        ),
    ],
    "6": [
        _Task(
            "village",
            "Đặt tên các tuyến đường thôn, đường ngõ; lắp đặt biển chỉ dẫn đường, biển tên đường, "
            "lập danh sách theo thứ tự số hộ để được gắn mã địa chỉ trên nền tảng bản đồ số",
            "Đc PCT UBND xã; Trưởng CA xã; CC Văn hóa; trưởng thôn",
            None,
            "",
            "2022-10-10",
            "2022-11-30",
            "in_progress",
        ),
        _Task(
            "commune",
            "Phối hợp và đề nghị với VNPT tỉnh hỗ trợ gắn mã địa chỉ trên nền tảng bản đồ số cho "
            "thôn Chí Phúc",
            "Đc PCT UBND xã; Trưởng CA xã; CC Văn hóa; trưởng thôn",
            None,
            "",
            None,
            "2022-11-30",
            "in_progress",
        ),
    ],
}


# Villages each demo province sets out to have recognised this year (the appraiser's dashboard
# shows "đã công nhận / mục tiêu"). Invented figures, like the rest of the demo's data.
RECOGNITION_TARGET = 20


def ensure_recognition_targets(communes: dict[str, AdminUnit]) -> int:
    """This year's target for the province of every demo commune. Created once."""
    from django.utils import timezone

    from smartvillage.homes.models import RecognitionTarget

    year = timezone.localdate().year
    created = 0
    for commune in communes.values():
        province = commune.ancestor_of_level(Level.PROVINCE)
        if province is None:
            continue
        _target, made = RecognitionTarget.objects.get_or_create(
            unit=province,
            year=year,
            defaults={"villages": RECOGNITION_TARGET, "note": "Dữ liệu mẫu (smartvillage demo)"},
        )
        created += int(made)
    return created


def ensure_workflow_samples(
    villages: dict[str, AdminUnit], communes: dict[str, AdminUnit]
) -> tuple[int, int]:
    """A plan for thôn Chí Phúc (seed 001) and a submitted Mẫu số 01 assessment for Khu dân cư
    số 3 (seed 002), made through the same action functions as the pages. Created once."""
    from smartvillage.assessments.models import Assessment
    from smartvillage.assessments.services import do_create, do_submit
    from smartvillage.plans.models import Plan
    from smartvillage.plans.services import do_add_task, do_create_plan

    plans = assessments = 0
    chiphuc = villages["chiphuc"]
    thanhhoa = "thanhhoa-thon-thong-minh-35"
    if not Plan.objects.filter(unit=chiphuc, criteria_set_slug=thanhhoa).exists():
        officer = User.objects.get(username="canbo.hason")
        plan = do_create_plan(
            officer,
            chiphuc,
            thanhhoa,
            year=2022,
            number="45/KH-UBND",
            issued_date=dt.date(2022, 9, 5),
            signer_name="Lê Đình Quang",
            # "III. THỜI GIAN: Hoàn thành thôn thông minh trước 30/11/2022."
            deadline=dt.date(2022, 11, 30),
            # "IV. KINH PHÍ THỰC HIỆN: Dự kiến khoảng 90 triệu đồng" (the tasks name 70 + 5 + 5).
            budget_planned=90_000_000,
        )
        for item in plan.items.all():
            for order, task in enumerate(CHIPHUC_TASKS.get(item.criterion_code, [])):
                do_add_task(
                    officer,
                    item,
                    executor=task.executor,
                    description=task.text,
                    responsible=task.responsible,
                    budget=task.budget,
                    budget_note=task.budget_note,
                    survey_deadline=dt.date.fromisoformat(task.survey) if task.survey else None,
                    deadline=dt.date.fromisoformat(task.deadline),
                    status=task.status,
                    order=order,
                )
        plans += 1
    khu3 = villages["khu3"]
    phutho = "phutho-khu-dan-cu-thong-minh-1491"
    if not Assessment.objects.filter(unit=khu3, criteria_set_slug=phutho).exists():
        head = User.objects.get(username="truongthon.khu3")
        assessment = do_create(head, khu3, phutho, dt.date(2024, 12, 31))
        do_submit(head, assessment, "Khu dân cư số 3 gửi tự đánh giá năm 2024.")
        assessments += 1
    return plans, assessments


# --------------------------------------------------------------------------------------------
# The whole demo
# --------------------------------------------------------------------------------------------


@dataclass
class VillageSummary:
    village: AdminUnit
    commune: AdminUnit
    households: int
    persons: int
    created: bool


@dataclass
class DemoResult:
    villages: list[VillageSummary]
    logins: list[Login]
    evidence_created: int
    units_seconds: float  # loading the official unit list
    seconds: float  # villages, households, persons, evidence, users
    public_path: str = ""  # ấp An Phú's public page, e.g. /cong-khai/ap-an-phu-123/


UNIT_SCOPES = ("all", "demo", "none")


SURVEY_SAMPLE_ANSWERS = 40  # paper forms typed in by the digital team


def ensure_public_samples(villages: dict[str, AdminUnit]) -> str:
    """ấp An Phú's public page (published by the commune), an announcement, and the residents'
    opinion survey (seed 003, 3.6) open with some paper answers. Created once; the page's path."""
    from django.urls import reverse

    from smartvillage.public.models import Announcement
    from smartvillage.public.services import do_post_announcement, do_publish, page_for
    from smartvillage.surveys import services as surveys
    from smartvillage.surveys.models import Survey, SurveyStatus

    anphu = villages["anphu"]
    page = page_for(anphu)
    if page is None or not page.published:
        page = do_publish(
            User.objects.get(username="canbo.annhon"),
            anphu,
            published=True,
            intro="Ấp An Phú xây dựng Làng thông minh theo Quyết định 384/QĐ-UBND-HC của UBND tỉnh "
            "Đồng Tháp. Trang này công khai kết quả thực hiện các tiêu chí.",
            criteria_set_slug="dongthap-lang-thong-minh-384",
        )
    head = User.objects.get(username="truongthon.anphu")
    if not Announcement.objects.filter(village=anphu).exists():
        do_post_announcement(
            head,
            anphu,
            title="Hướng dẫn cài đặt VNeID mức 2",
            body="Tổ công nghệ số cộng đồng hỗ trợ bà con cài đặt VNeID và mở tài khoản thanh toán "
            "tại Nhà văn hóa ấp, sáng thứ Bảy hằng tuần.",
        )
    if not Survey.objects.filter(village=anphu).exists():
        today = timezone.localdate()
        survey = surveys.do_create_survey(
            head,
            anphu,
            opens_on=today - dt.timedelta(days=7),
            closes_on=today + dt.timedelta(days=30),
        )
        surveys.do_set_status(
            head, survey, SurveyStatus.OPEN, link=reverse("surveys:answer", args=[survey.pk])
        )
        team = User.objects.get(username="tocns.anphu")
        rng = random.Random(384)
        q1, q2, q3, _q4 = survey.questions.all()
        for household in Household.objects.filter(village=anphu).order_by("code")[
            :SURVEY_SAMPLE_ANSWERS
        ]:
            surveys.do_answer(
                survey,
                surveys.Proof(household, "paper"),
                {
                    q1.pk: rng.choices(q1.choices, weights=[30, 55, 12, 3])[0],
                    q2.pk: rng.sample(q2.choices, 2),
                    q3.pk: rng.choice(q3.choices[2:]),
                },
                entered_by=team,
            )
    return reverse("public:page", args=[page.slug])


def build_demo(units: str = "all") -> DemoResult:
    """Create (or find) the demo world. Safe to run any number of times.

    `units`: load the whole official unit list ("all"), only the five provinces of the seeds
    ("demo", what the tests use), or nothing ("none": already loaded).
    """
    if units not in UNIT_SCOPES:
        raise DomainError(
            f"units phải là một trong {UNIT_SCOPES}, không phải “{units}”.", "bad_option"
        )
    started = time.perf_counter()
    ensure_units(units)
    units_done = time.perf_counter()
    summaries: list[VillageSummary] = []
    villages: dict[str, AdminUnit] = {}
    communes: dict[str, AdminUnit] = {}
    evidence_created = 0
    used_ids: set[str] = set()  # identity numbers stay unique across the demo's villages
    with transaction.atomic():
        for spec in COMMUNES:
            commune = find_commune(spec)
            communes[spec.key] = commune
            if spec.attributes and any(
                commune.attributes.get(k) != v for k, v in spec.attributes.items()
            ):
                commune.attributes = {**commune.attributes, **spec.attributes}
                commune.save(update_fields=["attributes"])
            for vspec in spec.villages:
                village = unit_services.add_village(commune, vspec.name, vspec.village_type)
                villages[vspec.slug] = village
                created = not Household.objects.filter(village=village).exists()
                if created:
                    data = generate_village(village, vspec, spec, used_ids)
                    n_h, n_p = save_village_data(village, data)
                    AuditEvent.objects.create(
                        actor=None,
                        actor_name="smartvillage demo",
                        action=AuditAction.IMPORT,
                        unit=village,
                        object_type="household",
                        object_repr=f"Dữ liệu mẫu {village.full_name}",
                        note=f"Dữ liệu mẫu (smartvillage demo): {n_h} hộ, {n_p} nhân khẩu",
                    )
                else:
                    n_h = Household.objects.filter(village=village).count()
                    n_p = Person.objects.filter(village=village).count()
                summaries.append(VillageSummary(village, commune, n_h, n_p, created))
        logins = ensure_users(villages, communes)
        admin_user = User.objects.get(username="admin")
        for (key, slug), records in EVIDENCE.items():
            unit = villages[slug] if slug else communes[key]
            evidence_created += ensure_evidence(unit, records, admin_user)
        ensure_workflow_samples(villages, communes)
        ensure_recognition_targets(communes)
        public_path = ensure_public_samples(villages)
    return DemoResult(
        summaries,
        logins,
        evidence_created,
        units_done - started,
        time.perf_counter() - units_done,
        public_path,
    )
