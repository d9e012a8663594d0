"""Evidence and count criteria evaluate from the recorded evidence and list the records used."""

import datetime as dt

from django.urls import reverse

from smartvillage.core.testing import PASSWORD
from smartvillage.criteria.engine import evaluate
from smartvillage.criteria.loader import get_set
from smartvillage.evidence import services

AT = dt.date(2024, 3, 5)


def test_wifi_point_recorded_on_the_page_counts(world, client):
    cset = get_set("kontum-thon-thong-minh-2431")
    assert evaluate(world.village1, cset, AT).criterion("3").status == "fail"
    client.login(username="alice", password=PASSWORD)
    client.post(
        reverse("evidence:add", args=[world.village1.pk]),
        {
            "kind": "facility:wifi_public",
            "title": "Wi-Fi miễn phí nhà văn hóa thôn",
            "location": "Nhà văn hóa Thôn Một",
            "quantity": 2,
            "since": "01/01/2024",
        },
    )
    result = evaluate(world.village1, cset, AT).criterion("3")
    assert result.status == "pass" and result.numerator == 2
    assert [e["title"] for e in result.evidence] == ["Wi-Fi miễn phí nhà văn hóa thôn"]
    # Not yet there on an earlier reference date.
    assert evaluate(world.village1, cset, dt.date(2023, 12, 31)).criterion("3").status == "fail"


def test_digital_team_documents_satisfy_phutho_1_6(world):
    cset = get_set("phutho-khu-dan-cu-thong-minh-1491")
    common = {"issued_date": dt.date(2024, 1, 10), "issuer": "UBND Xã An"}
    services.do_create_evidence(
        world.alice,
        world.village1,
        category="document",
        type="decision_digital_team",
        title="QĐ thành lập tổ CNSCĐ",
        number="12/QĐ-UBND",
        **common,
    )
    services.do_create_evidence(
        world.alice,
        world.village1,
        category="document",
        type="digital_team_plan",
        title="Kế hoạch của tổ",
        **common,
    )
    result = evaluate(world.village1, cset, AT).criterion("1.6")
    assert result.status == "fail" and len(result.missing) == 1
    services.do_create_evidence(
        world.alice,
        world.village1,
        category="document",
        type="digital_team_activity_report",
        title="Báo cáo hoạt động quý I",
        **common,
    )
    result = evaluate(world.village1, cset, AT).criterion("1.6")
    assert result.status == "pass"
    assert {e["title"] for e in result.evidence} == {
        "QĐ thành lập tổ CNSCĐ",
        "Kế hoạch của tổ",
        "Báo cáo hoạt động quý I",
    }
    # Evidence of another village does not count here.
    assert evaluate(world.village2, cset, AT).criterion("1.6").status == "fail"
