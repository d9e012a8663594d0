"""Tick-to-fix on the worklist: audited registry update, the row and the gap update in place."""

from __future__ import annotations

import pytest
from django.urls import reverse

from smartvillage.audit.models import AuditEvent
from smartvillage.criteria.fix import fix_fields
from smartvillage.criteria.loader import get_set
from smartvillage.registry.models import Household

pytestmark = pytest.mark.usefixtures("with_test_set")

SET = "test-set"


def _urls(world, household):
    worklist = reverse("criteria:worklist", args=[world.village1.pk, SET, "1.1"])
    fix = reverse("criteria:worklist_fix", args=[world.village1.pk, SET, "1.1", household.pk])
    return worklist, fix


def test_fix_fields_only_for_plain_facts(db):
    cset = get_set("anthanh-khu-dan-cu-thong-minh")
    both = next(c for c in cset.criteria if c.numerator == "internet and mobile_broadband")
    assert fix_fields(both) == ["internet", "mobile_broadband"]


def test_ticking_a_household_records_the_fact_audited_and_shrinks_the_gap(filled, client):
    world = filled
    missing = Household.objects.filter(village=world.village1, fibre_internet=False).first()
    worklist, fix = _urls(world, missing)
    client.force_login(world.alice)
    page = client.get(worklist, {"at": "30/06/2024"}).content.decode()
    assert fix in page and "còn thiếu" in page
    before = page.split('id="worklist-figures"')[1].split("</p>")[0]
    response = client.post(fix, {"at": "30/06/2024"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and 'hx-swap-oob="true"' in body
    missing.refresh_from_db()
    assert missing.fibre_internet
    event = AuditEvent.objects.filter(object_id=str(missing.pk)).latest("id")
    assert event.after.get("fibre_internet") is True
    after = body.split('id="worklist-figures"')[1].split("</p>")[0]
    assert after != before and "3/4" in after


def test_a_commune_leader_cannot_tick(filled, client):
    world = filled
    missing = Household.objects.filter(village=world.village1, fibre_internet=False).first()
    worklist, fix = _urls(world, missing)
    client.force_login(world.dave)  # the commune leader does not edit the registry
    assert fix not in client.get(worklist).content.decode()
    assert client.post(fix).status_code == 403
    missing.refresh_from_db()
    assert not missing.fibre_internet
