"""A malformed criteria file is rejected with a message naming the file, criterion and field."""

import pytest

from smartvillage.criteria.loader import CriteriaFormatError, load_text
from smartvillage.criteria.tests.conftest import TEST_SET


def _broken(old, new):
    assert old in TEST_SET
    return TEST_SET.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "numerator: fibre_internet, threshold: 0.8",
            "numerator: fibre_internet, threshold: 80",
            ["bad.yaml", "tiêu chí 1.1", "threshold", "0 đến 1"],
        ),
        (
            "numerator: smartphone, threshold: 0.85",
            "numerator: smartfone, threshold: 0.85",
            ["bad.yaml", "tiêu chí 1.2", "numerator", "smartfone"],
        ),
        (
            "population: households, numerator: fibre_internet",
            "population: houses, numerator: fibre_internet",
            ["tiêu chí 1.1", "population", "houses"],
        ),
        (
            "type: wifi_public}",
            "type: wifi_everywhere}",
            ["tiêu chí 2.2", "count", "wifi_everywhere"],
        ),
        (
            '{code: "1.1", title: Hộ có cáp quang, kind: ratio,',
            '{code: "1.1", title: Hộ có cáp quang, kind: ratio, colour: red,',
            ["tiêu chí 1.1", "colour"],
        ),
        (
            "applies_from: 2024-01-01",
            "applies_from: 01/01/2024",
            ["tiêu chí 1.4", "applies_from", "YYYY-MM-DD"],
        ),
        ("valid_from: 2023-01-01\n", "", ["bad.yaml", "valid_from"]),
        ('{code: "1.2"', '{code: "1.1"', ["tiêu chí 1.1", "trùng"]),
        # A count's minimum is a number of records, not a rate: no word about 0 to 1.
        (
            "type: wifi_public}, minimum: 1}",
            "type: wifi_public}, minimum: -1}",
            ["tiêu chí 2.2", "minimum", "tối thiểu 0"],
        ),
        # A misspelt unit attribute would silently apply the default threshold.
        (
            "when: ethnic_minority_mountainous",
            "when: ethnic_minority_mountainus",
            ["tiêu chí 1.3", "threshold_rules", "ethnic_minority_mountainus", "dùng được"],
        ),
        ("title: Hộ có cáp quang,", "title: '',", ["tiêu chí 1.1", "title", "không được để trống"]),
    ],
)
def test_errors_name_file_criterion_and_field(old, new, expected):
    with pytest.raises(CriteriaFormatError) as info:
        load_text(_broken(old, new), "bad.yaml")
    message = str(info.value)
    for fragment in expected:
        assert fragment in message, message


def test_ratio_without_threshold_names_the_field():
    with pytest.raises(CriteriaFormatError) as info:
        load_text(
            _broken(", numerator: fibre_internet, threshold: 0.8}", ", numerator: fibre_internet}"),
            "bad.yaml",
        )
    assert "tiêu chí 1.1" in str(info.value) and "threshold" in str(info.value)


def test_invalid_yaml_reports_line():
    with pytest.raises(CriteriaFormatError) as info:
        load_text("slug: [unclosed\n", "broken.yaml")
    assert "broken.yaml" in str(info.value) and "dòng" in str(info.value)


def test_the_test_set_itself_loads(test_set):
    assert [c.code for c in test_set.criteria] == ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2"]


def test_an_aggregate_naming_a_missing_set_or_criterion_is_refused_on_upload(client, world):
    from smartvillage.criteria.models import UploadedCriteriaSet
    from smartvillage.criteria.tests.test_upload import _post

    client.force_login(world.root)
    for target, expected in (
        ("criteria_set: khong-co-bo-nay, criterion: '1'", "không có bộ tiêu chí “khong-co-bo-nay”"),
        (
            "criteria_set: phutho-khu-dan-cu-thong-minh-1491, criterion: '9.9'",
            "không có tiêu chí “9.9”",
        ),
    ):
        text = TEST_SET.replace("slug: test-set", "slug: tinh-moi-2027").replace(
            "level: village", "level: commune"
        ) + (
            "\n  - code: '9'\n    title: Tổng hợp\n    criteria:\n"
            f"      - {{code: '9.1', title: Các thôn đạt, kind: aggregate, over: villages, {target}, threshold: 1}}\n"
        )
        response = _post(client, text)
        assert response.status_code == 200, response.content[:500]
        html = response.content.decode()
        assert "tiêu chí 9.1" in html and expected in html, html[:3000]
    assert not UploadedCriteriaSet.objects.exists()
