"""The six seed criteria sets (criteria/sets/*.yaml) encode the seed documents exactly.

Each set is read back twice: as plain YAML (what the file says) and through the loader (what the
engine gets). Titles below are copied from the seed documents (shared/seeds/000-004), not from the
YAML files, so a changed word fails here.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from smartvillage.criteria.expressions import DERIVED
from smartvillage.criteria.loader import load_file
from smartvillage.evidence import catalogue as evidence_catalogue
from smartvillage.registry.facts import catalogue as facts_catalogue

SETS_DIR = Path(__file__).resolve().parents[1] / "sets"

ANTHANH = "anthanh-khu-dan-cu-thong-minh"
THANHHOA = "thanhhoa-thon-thong-minh-35"
PHUTHO = "phutho-khu-dan-cu-thong-minh-1491"
DONGTHAP = "dongthap-lang-thong-minh-384"
KONTUM_VILLAGE = "kontum-thon-thong-minh-2431"
KONTUM_COMMUNE = "kontum-xa-ntm-thong-minh-2431"
SLUGS = [ANTHANH, THANHHOA, PHUTHO, DONGTHAP, KONTUM_VILLAGE, KONTUM_COMMUNE]

# slug -> (level, legal basis number, date, issuer, valid_from, valid_to)
LEGAL = {
    ANTHANH: (
        "village",
        "12-KH/HĐTN",
        dt.date(2023, 8, 2),
        "Huyện đoàn Tứ Kỳ",
        dt.date(2023, 8, 2),
        dt.date(2023, 12, 31),
    ),
    THANHHOA: (
        "village",
        "35/QĐ-UBND",
        dt.date(2022, 8, 12),
        "UBND tỉnh Thanh Hóa",
        dt.date(2022, 8, 12),
        dt.date(2025, 12, 31),
    ),
    PHUTHO: (
        "village",
        "1491/QĐ-UBND",
        dt.date(2023, 7, 20),
        "UBND tỉnh Phú Thọ",
        dt.date(2023, 7, 20),
        dt.date(2025, 12, 31),
    ),
    # The decision is dated 03/04/2023 (the seed also misquotes it as 04/3/2023; see the YAML).
    DONGTHAP: (
        "village",
        "384/QĐ-UBND-HC",
        dt.date(2023, 4, 3),
        "UBND tỉnh Đồng Tháp",
        dt.date(2023, 4, 3),
        dt.date(2025, 12, 31),
    ),
    KONTUM_VILLAGE: (
        "village",
        "2431/UBND-NNTN",
        dt.date(2023, 7, 28),
        "UBND tỉnh Kon Tum",
        dt.date(2023, 7, 28),
        dt.date(2025, 12, 31),
    ),
    KONTUM_COMMUNE: (
        "commune",
        "2431/UBND-NNTN",
        dt.date(2023, 7, 28),
        "UBND tỉnh Kon Tum",
        dt.date(2023, 7, 28),
        dt.date(2025, 12, 31),
    ),
}

# slug -> {group code: [criterion codes]}
CODES = {
    ANTHANH: {"2": [str(i) for i in range(1, 14)]},
    THANHHOA: {"II": ["1", "2", "3", "4", "5", "6"]},
    PHUTHO: {"1": ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"]},
    DONGTHAP: {
        "1": ["1.1", "1.2", "1.3", "1.4"],
        "2": [f"2.{i}" for i in range(1, 14)],
        "3": [f"3.{i}" for i in range(1, 8)],
        "4": ["4.1", "4.2", "4.3"],
    },
    KONTUM_VILLAGE: {"1": ["1", "2", "3", "4", "5", "6"]},
    KONTUM_COMMUNE: {"a": ["a"], "b": [str(i) for i in range(1, 11)]},
}

# slug -> {code: (population, population_filter, numerator, threshold)} for EVERY ratio criterion
RATIOS = {
    ANTHANH: {
        "1": ("households", None, "internet and mobile_broadband", Decimal("1")),
        "2": ("households", None, "household_epayment", Decimal("1")),
        "3": ("households", None, "digital_address", Decimal("1")),
        "4": ("households", None, "household_online_public_services", Decimal("0.8")),
        "7": ("households", None, "security_order_compliant", Decimal("1")),
        "8": ("households", None, "waste_sorting", Decimal("1")),
        "9": ("households", "is_business", "fire_extinguisher", Decimal("1")),
    },
    THANHHOA: {
        "2": ("persons", "village_worker or village_head", "uses_digital_platforms", Decimal("1")),
        "4": (
            "working_age",
            None,
            "online_public_services and essential_digital_services",
            Decimal("0.7"),
        ),
        "5": ("working_age", None, "epayment_account", Decimal("0.5")),
        # Houses, not households: a shared house counts once (test_seed_fixes).
        "6": ("households", "first_in_dwelling", "digital_address", Decimal("1")),
    },
    PHUTHO: {
        "1.1": ("households", None, "fibre_internet", Decimal("0.8")),
        "1.2": ("working_age", None, "smartphone", Decimal("0.85")),
        "1.3": ("working_age", None, "epayment_account", Decimal("0.8")),
        "1.4": ("working_age", None, "digital_skills_trained", Decimal("0.7")),
        "1.5": ("households", None, "digital_address_notified", Decimal("1")),
    },
    DONGTHAP: {
        # The seed names this ratio but gives no level: no threshold.
        "1.1": ("working_age", None, "smartphone", None),
        "1.4": ("persons", "operating_team_member", "smartphone", Decimal("1")),
        # "Tỷ lệ người dân tham gia sử dụng dịch vụ công trực tuyến, ≥ 70%": residents.
        "2.13": ("persons", None, "online_public_services", Decimal("0.7")),
    },
    KONTUM_VILLAGE: {
        "1": ("persons", "village_worker", "uses_digital_platforms", Decimal("1")),
        "4": ("adults", None, "smartphone and digital_skills_trained", Decimal("0.7")),
        "5": ("adults", None, "epayment_account", Decimal("0.4")),
    },
    KONTUM_COMMUNE: {
        "7": ("working_age", None, "smartphone and digital_skills_trained", Decimal("0.8")),
        "8": ("adults", None, "epayment_account", Decimal("0.5")),
    },
}

# A handful of titles per set, copied from the seed documents.
TITLES = {
    ANTHANH: {
        "1": "100% hộ gia đình có sử dụng internet, thông tin di động 3G/4G",
        "4": "80% hộ gia đình sử dụng dịch vụ công trực tuyến; 100% người dân cài đặt ứng "
        "dụng định danh điện tử VNEID",
        "7": "100 % hộ gia đình thực hiện tốt an ninh trật tự",
        "9": "100% các doanh nghiệp, cơ sở kinh doanh sản xuất có bình cháy chữa cháy, "
        "khuyến khích các hộ gia đình có bình cháy chữa cháy",
        "13": "Xây dựng các điểm phát wifi miễn phí công cộng (tại nhà văn hóa thôn, điểm "
        "sinh hoạt cộng đồng)",
    },
    THANHHOA: {
        "1": "Có hạ tầng Internet cáp quang và thông tin di động 3G/4G đến thôn",
        "4": "Tỷ lệ người trong độ tuổi lao động có kỹ năng sử dụng các loại hình dịch vụ công "
        "trực tuyến và các dịch vụ số thiết yếu đạt từ 70% trở lên",
        "6": "Tỷ lệ nhà ở trong thôn được gắn mã địa chỉ trên nền tảng bản đồ số đạt 100%",
    },
    PHUTHO: {
        "1.1": "Tỷ lệ hộ gia đình được phủ mạng Internet băng thông rộng cáp quang",
        "1.2": "Tỷ lệ dân số ở độ tuổi lao động sử dụng điện thoại thông minh",
        "1.5": "Số hộ gia đình được thông báo địa chỉ số đến từng điểm địa chỉ",
        "1.6": "Có tổ công nghệ số cộng đồng hoạt động hiệu quả",
    },
    DONGTHAP: {
        "1.1": "Tỷ lệ thuê bao sử dụng điện thoại thông minh của người dân trong độ tuổi lao động",
        "1.4": "Tổ điều hành sử dụng điện thoại thông minh kết nối internet phục vụ hoạt động "
        "vận hành Làng thông minh",
        "2.6": "chuyển đổi số của các cơ sở giáo dục trên địa bàn",
        "2.13": "Tỷ lệ người dân tham gia sử dụng dịch vụ công trực tuyến, ≥ 70%",
        "3.6": "Ứng dụng trực tuyến lấy ý kiến người dân về kết quả xây dựng nông thôn mới",
        "3.7": "Mức độ đạt chuẩn của sản phẩm OCOP",
        "4.1": "Điều hành hoạt động Làng thông minh",
        "4.2": "Quy chế vận hành Làng thông minh",
        "4.3": "Lộ trình phát triển Làng thông minh",
    },
    KONTUM_VILLAGE: {
        "2": "Thôn có hạ tầng Internet cố định (FTTH) hoặc di động (4G/5G) bao phủ đến hộ gia đình",
        "5": "Tối thiểu 40% người trưởng thành trong thôn có tài khoản thanh toán trực tuyến, "
        "có thể thanh toán được các dịch vụ thiết yếu như điện, nước, dịch vụ viễn thông - "
        "công nghệ thông tin, học phí,...",
    },
    KONTUM_COMMUNE: {
        "1": "100% thôn, làng của xã có hạ tầng mạng truy nhập internet băng rộng di động "
        "(4G/5G...)",
        "6": "100% cán bộ công chức xã được tập huấn, bồi dưỡng các nội dung về ứng dụng công "
        "nghệ thông tin, chuyển đổi số",
        "8": "Tối thiểu 50% người trưởng thành có tài khoản thanh toán trực tuyến, có thể "
        "thanh toán được các dịch vụ thiết yếu như điện, nước, dịch vụ viễn thông - công nghệ "
        "thông tin, học phí,...",
    },
}


def raw(slug: str) -> dict[str, Any]:
    return yaml.safe_load((SETS_DIR / f"{slug}.yaml").read_text(encoding="utf-8"))


def raw_criteria(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["code"]: c for g in data["groups"] for c in g["criteria"]}


def test_the_six_seed_sets_are_shipped() -> None:
    assert sorted(p.stem for p in SETS_DIR.glob("*.yaml")) == sorted(SLUGS)
    for slug in SLUGS:
        data = raw(slug)
        assert data["slug"] == slug
        assert data["version"] == 1
        assert data["source"].startswith("seeds/00")


@pytest.mark.parametrize("slug", SLUGS)
def test_codes_and_groups_exactly(slug: str) -> None:
    data = raw(slug)
    assert {g["code"]: [c["code"] for c in g["criteria"]] for g in data["groups"]} == CODES[slug]
    assert list({g["code"]: 0 for g in data["groups"]}) == list(CODES[slug])  # document order
    cset = load_file(SETS_DIR / f"{slug}.yaml")
    assert [c.code for c in cset.criteria] == [c for codes in CODES[slug].values() for c in codes]
    assert [(g.code, len(g.criteria)) for g in cset.groups] == [
        (code, len(codes)) for code, codes in CODES[slug].items()
    ]


def test_criteria_counts() -> None:
    counts = {slug: len(load_file(SETS_DIR / f"{slug}.yaml").criteria) for slug in SLUGS}
    assert counts == {
        ANTHANH: 13,
        THANHHOA: 6,
        PHUTHO: 7,
        DONGTHAP: 27,
        KONTUM_VILLAGE: 6,
        KONTUM_COMMUNE: 11,
    }
    dongthap = load_file(SETS_DIR / f"{DONGTHAP}.yaml")
    assert [len(g.criteria) for g in dongthap.groups] == [4, 13, 7, 3]


@pytest.mark.parametrize("slug", SLUGS)
def test_legal_basis_and_validity(slug: str) -> None:
    level, number, date, issuer, valid_from, valid_to = LEGAL[slug]
    data = raw(slug)
    assert data["level"] == level
    assert data["legal_basis"]["number"] == number
    assert data["legal_basis"]["date"] == date
    assert data["legal_basis"]["issuer"] == issuer
    cset = load_file(SETS_DIR / f"{slug}.yaml")
    assert cset.level == level
    assert (cset.legal_basis.number, cset.legal_basis.date, cset.legal_basis.issuer) == (
        number,
        date,
        issuer,
    )
    assert (cset.valid_from, cset.valid_to) == (valid_from, valid_to)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_ratio_criterion_and_its_threshold(slug: str) -> None:
    cset = load_file(SETS_DIR / f"{slug}.yaml")
    ratios = {
        c.code: (c.population, c.population_filter, c.numerator, c.threshold)
        for c in cset.criteria
        if c.kind == "ratio"
    }
    assert ratios == RATIOS[slug]
    # The YAML thresholds are the documents' percentages, not rounded floats.
    for code, criterion in raw_criteria(raw(slug)).items():
        if code in RATIOS[slug] and RATIOS[slug][code][3] is not None:
            assert Decimal(str(criterion["threshold"])) == RATIOS[slug][code][3]


@pytest.mark.parametrize("slug", SLUGS)
def test_titles_verbatim(slug: str) -> None:
    cset = load_file(SETS_DIR / f"{slug}.yaml")
    for code, title in TITLES[slug].items():
        assert cset.criterion(code).title == title


def test_phutho_lists_and_digital_address_date() -> None:
    cset = load_file(SETS_DIR / f"{PHUTHO}.yaml")
    assert cset.legal_basis.number == "1491/QĐ-UBND"
    assert cset.criterion("1.5").applies_from == dt.date(2024, 1, 1)
    assert raw_criteria(raw(PHUTHO))["1.5"]["applies_from"] == dt.date(2024, 1, 1)
    assert all(c.applies_from is None for c in cset.criteria if c.code != "1.5")
    lists = {c.code: (c.list_code, c.list_title) for c in cset.criteria if c.list_code}
    assert lists == {
        "1.1": ("Biểu 01", "Danh sách hộ dân được phủ mạng Internet băng rộng cáp quang"),
        "1.2": ("Biểu 02", "Danh sách người ở độ tuổi lao động sử dụng điện thoại thông minh."),
        "1.3": (
            "Biểu 03",
            "Danh sách người dân ở độ tuổi lao động có tài khoản thanh toán điện tử tại ngân "
            "hàng hoặc tổ chức được phép khác.",
        ),
        "1.4": (
            "Biểu 04",
            "Danh sách người dân trong độ tuổi lao động được phổ biến kiến thức về kỹ năng số và "
            "an toàn thông tin cơ bản.",
        ),
    }
    team = cset.criterion("1.6")
    assert team.kind == "evidence"
    assert [(r["category"], r["type"]) for r in team.requires] == [
        ("document", "decision_digital_team"),
        ("document", "digital_team_plan"),
        ("document", "digital_team_activity_report"),
    ]
    model = cset.criterion("1.7")
    assert model.kind == "evidence" and not model.requires
    assert model.any_of == [
        {
            "category": "it_model",
            "type": ["health", "education", "environment", "culture", "socio_economic"],
        },
        {
            "category": "it_model",
            "type": "security",
            "fields": ["location"],
            "where": {"connected_to_police": True},
        },
        {"category": "it_model", "type": "other", "fields": ["description"]},
    ]


def test_kontum_commune_threshold_depends_on_the_commune() -> None:
    cset = load_file(SETS_DIR / f"{KONTUM_COMMUNE}.yaml")
    skills = cset.criterion("7")
    assert skills.population == "working_age"
    assert skills.threshold == Decimal("0.8")
    assert skills.threshold_for({"ethnic_minority_mountainous": True}) == Decimal("0.7")
    assert skills.threshold_for({"ethnic_minority_mountainous": False}) == Decimal("0.8")
    assert skills.threshold_for({}) == Decimal("0.8")
    assert raw_criteria(raw(KONTUM_COMMUNE))["7"]["threshold_rules"] == [
        {"when": "ethnic_minority_mountainous", "threshold": 0.7}
    ]


def test_kontum_commune_prerequisite_aggregates_and_staff() -> None:
    cset = load_file(SETS_DIR / f"{KONTUM_COMMUNE}.yaml")
    assert cset.level == "commune"
    prerequisite = cset.criterion("a")
    assert prerequisite.kind == "prerequisite"
    assert [(r["category"], r["type"]) for r in prerequisite.requires] == [
        ("recognition", ["ntm_advanced", "ntm_advanced_2016_2020_requalified"])
    ]
    for code, inner_kind in (("1", "count"), ("2", "count"), ("3", "evidence")):
        c = cset.criterion(code)
        assert (c.kind, c.over, c.threshold) == ("aggregate", "villages", Decimal("1"))
        assert c.of is not None and c.of.kind == inner_kind
    assert cset.criterion("1").of.count == {"category": "facility", "type": "mobile_coverage"}
    assert cset.criterion("2").of.where == {"connected_to_commune_radio": True}
    assert {(c.code, c.statistic, c.threshold) for c in cset.criteria if c.kind == "reported"} == {
        ("5", "commune_staff_smartphone_email_eoffice", Decimal("1")),
        ("6", "commune_staff_trained", Decimal("1")),
    }
    nine = cset.criterion("9")
    assert (nine.kind, nine.minimum) == ("count", 1)
    assert nine.count == {"category": "product", "type": "ecommerce_listing", "fields": ["link"]}
    # An open list: the named fields, or another model described.
    assert [r["category"] for r in cset.criterion("10").count] == ["it_model", "it_model"]
    assert cset.criterion("10").count[1] == {
        "category": "it_model",
        "type": "other",
        "fields": ["description"],
    }


def test_anthanh_indicator_4_has_both_conditions() -> None:
    data = raw_criteria(raw(ANTHANH))["4"]
    assert (data["population"], data["threshold"]) == ("households", 0.8)
    assert data["also"] == [
        {
            "title": "100% người dân cài đặt ứng dụng định danh điện tử VNEID",
            "kind": "ratio",
            "population": "persons",
            "numerator": "vneid",
            "threshold": 1,
        }
    ]


def test_dongthap_reported_figures_and_missing_levels() -> None:
    # The missing levels are written as an explicit null, never left out by accident.
    raw_dongthap = raw_criteria(raw(DONGTHAP))
    for code in ("1.1", "2.12"):
        assert "threshold" in raw_dongthap[code] and raw_dongthap[code]["threshold"] is None
    cset = load_file(SETS_DIR / f"{DONGTHAP}.yaml")
    assert cset.criterion("1.1").threshold is None
    health = cset.criterion("2.12")
    assert (health.kind, health.statistic, health.threshold) == (
        "reported",
        "electronic_health_records",
        None,
    )
    residents = cset.criterion("2.13")
    assert (residents.kind, residents.population, residents.numerator, residents.threshold) == (
        "ratio",
        "persons",
        "online_public_services",
        Decimal("0.7"),
    )
    assert residents.figures == ["online_dossiers"]
    assert cset.groups[3].title == "Nhóm Tiêu chí hoạt động quản lý"


_KEYWORDS = {"and", "or", "not", "is", "set"}


def _identifiers(condition: str) -> set[str]:
    without_strings = re.sub(r'"[^"]*"', "", condition)
    return {
        word
        for word in re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", without_strings)
        if word not in _KEYWORDS
    }


def _references(criterion: dict[str, Any]):
    """(kind of reference, value) for everything a criterion names from the catalogues."""
    for name in ("numerator", "population_filter"):
        if criterion.get(name):
            for ident in _identifiers(criterion[name]):
                yield "fact", ident.removeprefix("household.")
    count = criterion.get("count")
    counts = count if isinstance(count, list) else [count]
    for req in counts + criterion.get("requires", []) + criterion.get("any_of", []):
        if req:
            types = req["type"] if isinstance(req["type"], list) else [req["type"]]
            for t in types:
                yield "evidence", (req["category"], t)
    if criterion.get("statistic"):
        yield "evidence", ("statistic", criterion["statistic"])
    for inner in ([criterion["of"]] if criterion.get("of") else []) + criterion.get("also", []):
        yield from _references(inner)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_fact_and_evidence_type_exists(slug: str) -> None:
    facts = facts_catalogue()
    for code, criterion in raw_criteria(raw(slug)).items():
        for kind, value in _references(criterion):
            if kind == "fact":
                assert value in facts or value in DERIVED, f"{slug} {code}: fact {value}"
            else:
                assert evidence_catalogue.is_known(*value), f"{slug} {code}: evidence {value}"


def test_facts_added_for_the_seeds_live_in_extra() -> None:
    # A fact added without a model column must never claim storage "column".
    assert facts_catalogue()["operating_team_member"].storage == "extra"
    assert facts_catalogue()["operating_team_member"].level == "person"
    assert evidence_catalogue.is_known("document", "smart_village_roadmap")


def test_aggregate_references_resolve() -> None:
    sets = {slug: load_file(SETS_DIR / f"{slug}.yaml") for slug in SLUGS}
    for cset in sets.values():
        for c in cset.criteria:
            if c.kind == "aggregate" and c.criteria_set:
                target = sets[c.criteria_set]
                assert target.level == "village"
                if c.criterion:
                    target.criterion(c.criterion)


# ---- every title against the seed document's own text ----------------------------------------

SEEDS_DIR = Path(__file__).resolve().parent / "seeds"  # verbatim copies of shared/seeds/


def _plain(text: str) -> str:
    """The seed's Markdown as the plain words a document prints: emphasis, link brackets and
    LaTeX comparison signs removed, whitespace folded."""
    text = re.sub(r"\$\\geq\s*([\d,.]+)\\%\$", r"≥ \1%", text)
    text = re.sub(r"[*<>]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _seed_text(raw_set: dict[str, Any]) -> str:
    match = re.search(r"seeds/(\d{3}_[0-9a-f]+\.txt)", raw_set["source"])
    assert match, f"source of {raw_set['slug']} names no seed file"
    return _plain((SEEDS_DIR / match.group(1)).read_text(encoding="utf-8"))


@pytest.mark.parametrize("slug", SLUGS)
def test_every_title_is_the_seed_documents_own_wording(slug: str) -> None:
    """Not a sample: every criterion, `also` part and group title stands word for word in the
    document the set cites."""
    data = raw(slug)
    seed = _seed_text(data)
    titles = []
    for group in data["groups"]:
        if group.get("title"):
            titles.append(("group " + str(group.get("code")), group["title"]))
        for criterion in group["criteria"]:
            titles.append((criterion["code"], criterion["title"]))
            titles += [(criterion["code"] + "+", p["title"]) for p in criterion.get("also") or []]
    # Group titles are section headings, printed in capitals in some documents.
    missing = [
        (code, title)
        for code, title in titles
        if _plain(title) not in seed
        and not (code.startswith("group") and _plain(title).upper() in seed)
    ]
    assert not missing, missing
    assert len(titles) >= len(load_file(SETS_DIR / f"{slug}.yaml").criteria)
