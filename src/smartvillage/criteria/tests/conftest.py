import datetime as dt
import textwrap

import pytest

from smartvillage.criteria.loader import load_text

TEST_SET = textwrap.dedent(
    """
    slug: test-set
    version: 1
    title: Bộ thử
    province: Tỉnh Thử
    level: village
    legal_basis: {number: 1/QĐ-UBND, date: 2023-07-20, issuer: UBND tỉnh Thử}
    valid_from: 2023-01-01
    groups:
      - code: "1"
        title: Hạ tầng
        criteria:
          - {code: "1.1", title: Hộ có cáp quang, kind: ratio, population: households, numerator: fibre_internet, threshold: 0.8}
          - {code: "1.2", title: Người trong độ tuổi lao động dùng ĐTTM, kind: ratio, population: working_age, numerator: smartphone, threshold: 0.85}
          - {code: "1.3", title: Người trưởng thành có TKTT, kind: ratio, population: adults, numerator: epayment_account, threshold: 0.4,
             threshold_rules: [{when: ethnic_minority_mountainous, threshold: 0.3}]}
          - {code: "1.4", title: Địa chỉ số, kind: ratio, population: households, numerator: digital_address_notified, threshold: 1, applies_from: 2024-01-01}
          - {code: "1.5", title: Hộ kinh doanh có bình chữa cháy, kind: ratio, population: households, population_filter: is_business, numerator: fire_extinguisher, threshold: 1}
      - code: "2"
        title: Minh chứng
        criteria:
          - code: "2.1"
            title: Có tổ công nghệ số cộng đồng
            kind: evidence
            requires:
              - {category: document, type: decision_digital_team, fields: [number, issued_date]}
              - {category: document, type: digital_team_plan}
          - {code: "2.2", title: Wifi miễn phí, kind: count, count: {category: facility, type: wifi_public}, minimum: 1}
    """
)


@pytest.fixture
def test_set():
    return load_text(TEST_SET, "test-set.yaml")


@pytest.fixture
def at():
    return dt.date(2024, 6, 30)
