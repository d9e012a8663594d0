"""transfer.headers: normalising headers (abbreviations from the reviewed data file) and scoring
them against every field with rapidfuzz."""

from __future__ import annotations

import pytest
import yaml

from smartvillage.registry.facts import catalogue, fold
from smartvillage.transfer import headers as H


@pytest.mark.parametrize(
    ("header", "form"),
    [
        ("NTNS", "ngay thang nam sinh"),
        ("Có TK thanh toán?", "tai khoan thanh toan"),
        ("Đ.thoại thông minh", "dien thoai thong minh"),
        ("KNS & ATTT", "ky nang so an toan thong tin"),
        ("Kĩ năng số", "ky nang so"),
        ("Sử dụng DVCTT (x)", "dich vu cong truc tuyen"),
        ("QH với CH", "quan he voi chu ho"),
        ("Số CCCD/ĐDCN", "so can cuoc cong dan dinh danh ca nhan"),
        ("Ngày sinh (dd/mm/yyyy)", "ngay sinh"),
    ],
)
def test_normalise_expands_abbreviations_and_drops_filler(header, form):
    assert H.normalise(header) == form


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("ĐTTM", "smartphone"),
        ("TKTTĐT", "epayment_account"),
        ("Tổ CNSCĐ", "digital_team_member"),
        ("FTTH", "fibre_internet"),
        ("Hộ có Internet cáp quang", "fibre_internet"),
        ("Mã ĐCS", "digital_address_code"),
        ("HGĐ", None),
        ("Tên chủ hộ", "head_name"),
        ("GT", "sex"),
        ("SĐT", "phone"),
        ("Số ĐT", "phone"),
        ("ĐT liên hệ", "phone"),
        ("Điện thoại thông minh", "smartphone"),
    ],
)
def test_rank_puts_the_meant_field_first(db, header, key):
    ranked = H.Matcher().rank(header)
    if key is None:
        assert not ranked or ranked[0].score < H.HIGH
    else:
        assert ranked[0].field.key == key and ranked[0].score >= H.HIGH


def test_a_group_header_decides_between_readings(db):
    matcher = H.Matcher()
    assert matcher.rank("Nam", "Giới tính")[0].field.key == "sex_male"
    assert matcher.rank("Nam", "Năm sinh")[0].field.key == "birth_male"


def test_shared_words_alone_are_not_a_match(db):
    # "Số điện thoại" shares two words with "điện thoại thông minh" and is not it: it is the
    # household's contact phone, and the smartphone fact stays far below.
    ranked = H.Matcher().rank("Số điện thoại")
    assert ranked[0].field.key == "phone" and ranked[0].exact
    assert all(c.score < H.MEDIUM for c in ranked if c.field.key == "smartphone")


def test_every_fact_is_found_by_its_own_label(db):
    matcher = H.Matcher()
    for fact in catalogue().values():
        top = matcher.rank(fact.label_vi)[0]
        assert top.field.key == fact.key and top.exact, fact.key


def test_the_abbreviation_file_is_folded_and_names_real_words():
    data = yaml.safe_load(H._ABBREVIATIONS_FILE.read_text(encoding="utf-8"))
    keys = [fold(str(k)) for k in data["abbreviations"]]
    assert len(keys) >= 60
    for short, long in data["abbreviations"].items():
        assert H.normalise(str(long)), short
    for required in ("tk", "ttdt", "dttm", "kns", "attt", "dvc", "dvctt", "ntns", "qh", "ch"):
        assert required in keys
    for required in ("gt", "hgd", "nk", "dcs", "cccd", "cmnd", "ddcn", "sdt", "ftth", "cnscd"):
        assert required in keys
