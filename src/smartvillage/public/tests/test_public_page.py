"""The public page: aggregates only, opt-in, cached, no personal data ever."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from smartvillage.core.testing import HouseholdFactory, PersonFactory
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.public import services
from smartvillage.registry.models import Household, Person
from smartvillage.surveys import services as surveys
from smartvillage.surveys.models import SurveyStatus


@pytest.fixture(autouse=True)
def _clear_cache(db):
    from django.core.cache import caches

    cache.clear()
    caches["ratelimit"].clear()
    yield
    cache.clear()
    caches["ratelimit"].clear()


@pytest.fixture
def registry(world):
    for i in range(6):
        h = HouseholdFactory(
            village=world.village1,
            code=f"HGD-{i:04d}",
            head_name=f"Lê Văn Chủhộ{i}",
            address=f"Số {i} đường Tre Làng",
            digital_address_code=f"DC{i:010d}",
            note=f"Ghi chú riêng {i}",
            fibre_internet=i % 2 == 0,
        )
        PersonFactory(
            household=h,
            full_name=f"Lê Văn Chủhộ{i}",
            identity_number=f"0019{i:08d}",
            note=f"Bệnh án {i}",
        )
        PersonFactory(
            household=h, full_name=f"Phạm Thị Thànhviên{i}", identity_number=f"0029{i:08d}"
        )
    # An official types a resident's name into public evidence: it must not reach the page.
    EvidenceRecord.objects.create(
        unit=world.village1,
        category="facility",
        type="wifi_public",
        title="Wifi nhà văn hóa",
        location="Trước nhà Phạm Thị Thànhviên3, đầu xóm",
    )
    EvidenceRecord.objects.create(
        unit=world.village1, category="facility", type="security_camera", title="Camera", quantity=4
    )
    EvidenceRecord.objects.create(
        unit=world.village1,
        category="document",
        type="decision_digital_team",
        title="Quyết định gồm Lê Văn Chủhộ1",
        number="12/QĐ-UBND",
    )
    return world


def personal_strings() -> set[str]:
    values: set[str] = set()
    for h in Household.objects.all():
        values |= {h.code, h.head_name, h.address, h.digital_address_code, h.note}
    for p in Person.objects.all():
        values |= {p.full_name, p.identity_number, p.note}
    return {v for v in values if v}


def test_unpublished_page_is_404(client, registry):
    page = services.do_publish(registry.carol, registry.village1, published=False)
    assert client.get(reverse("public:page", args=[page.slug])).status_code == 404
    assert client.get("/cong-khai/khong-co-thon-nay/").status_code == 404


def test_public_page_has_no_personal_data(client, registry):
    page = services.do_publish(
        registry.carol, registry.village1, published=True, intro="Chào bà con"
    )
    services.do_post_announcement(
        registry.alice, registry.village1, title="Họp dân", body="Mời ông Lê Văn Chủhộ2 dự họp."
    )
    response = client.get(reverse("public:page", args=[page.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    leaked = sorted(v for v in personal_strings() if v in html)
    assert leaked == []
    assert "Camera an ninh công cộng" in html and ">4<" not in html or "4" in html
    assert "Wifi miễn phí" in html and "đầu xóm" in html
    assert "12/QĐ-UBND" not in html  # decisions are not public evidence
    assert "sessionid" not in response.cookies


def test_page_is_cached_and_refreshed_on_publish(
    client, registry, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page = services.do_publish(registry.carol, registry.village1, published=True)
    url = reverse("public:page", args=[page.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # A cached page reads the cache (and the rate counter), never the registry or the results.
    touched = " ".join(q["sql"] for q in queries.captured_queries)
    assert "registry_" not in touched and "evidence_" not in touched
    with django_capture_on_commit_callbacks(execute=True):
        services.do_publish(registry.carol, registry.village1, published=True, intro="Lời mới")
    assert "Lời mới" in client.get(url).content.decode()


def test_only_the_commune_publishes(registry):
    with pytest.raises(PermissionDenied):
        services.do_publish(registry.alice, registry.village1, published=True)
    with pytest.raises(PermissionDenied):
        services.do_publish(registry.mallory, registry.village1, published=True)


def test_open_survey_is_linked_and_poster_has_qr(client, registry):
    page = services.do_publish(registry.carol, registry.village1, published=True)
    s = surveys.do_create_survey(
        registry.alice,
        registry.village1,
        opens_on=dt.date.today() - dt.timedelta(days=1),
        closes_on=dt.date.today() + dt.timedelta(days=10),
    )
    surveys.do_set_status(registry.alice, s, SurveyStatus.OPEN)
    html = client.get(reverse("public:page", args=[page.slug])).content.decode()
    assert reverse("surveys:answer", args=[s.pk]) in html
    poster = client.get(reverse("public:poster", args=[page.slug])).content.decode()
    assert poster.count("<svg") == 2
    qr = client.get(reverse("public:qr", args=[page.slug]))
    assert qr["Content-Type"] == "image/svg+xml"


def test_manage_page_for_village_head_and_commune(client, registry):
    client.force_login(registry.carol)
    url = reverse("public:manage", args=[registry.village1.pk])
    assert client.post(url, {"action": "publish", "intro": "Xin chào"}).status_code == 302
    assert registry.village1.public_page.published
    client.force_login(registry.alice)
    assert client.post(url, {"action": "announce", "title": "T", "body": "B"}).status_code == 302
    client.force_login(registry.mallory)
    assert client.get(url).status_code == 404


def test_rate_limited(client, registry, settings):
    settings.PUBLIC_PAGE_RATE = "3/m"
    page = services.do_publish(registry.carol, registry.village1, published=True)
    url = reverse("public:page", args=[page.slug])
    codes = [client.get(url).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[-1] == 429


def test_poster_prints_the_public_base_url_behind_a_proxy(client, registry, settings):
    settings.PUBLIC_BASE_URL = "https://thongminh.example.gov.vn"
    page = services.do_publish(registry.carol, registry.village1, published=True)
    poster = client.get(reverse("public:poster", args=[page.slug])).content.decode()
    assert f"https://thongminh.example.gov.vn/cong-khai/{page.slug}/" in poster
