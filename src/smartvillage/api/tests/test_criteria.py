"""Criteria sets, evaluation (the CLI's JSON) and worklists (audited) through the API."""

import io
import json

import pytest
from django.core.management import call_command

from smartvillage.accounts import permissions
from smartvillage.accounts.models import Role
from smartvillage.accounts.permissions import Action
from smartvillage.audit.models import AuditEvent
from smartvillage.registry.models import Person

AT = "2024-06-30"


def test_criteria_sets_list_and_detail(api, world, with_test_set):
    client = api(world.alice)
    sets = client.get("/api/criteria-sets/").json()
    slugs = {s["slug"] for s in sets}
    assert {"test-set", "phutho-khu-dan-cu-thong-minh-1491"} <= slugs
    summary = next(s for s in sets if s["slug"] == "test-set")
    assert summary["legal_basis"]["number"] == "1/QĐ-UBND"
    assert summary["criteria_count"] == 7
    detail = client.get("/api/criteria-sets/test-set/").json()
    assert [c["code"] for c in detail["criteria"]] == [
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "1.5",
        "2.1",
        "2.2",
    ]
    first = detail["criteria"][0]
    assert (first["kind"], first["threshold"], first["title"]) == ("ratio", 0.8, "Hộ có cáp quang")
    assert detail["criteria"][5]["threshold"] is None
    assert [g["code"] for g in detail["groups"]] == ["1", "2"]
    assert client.get("/api/criteria-sets/no-such-set/").status_code == 404
    assert client.get("/api/criteria-sets/test-set/?version=9").status_code == 404
    assert client.get("/api/criteria-sets/test-set/?version=x").status_code == 400


def _cli_json(unit, slug):
    out = io.StringIO()
    call_command("evaluate", unit=str(unit.pk), criteria_set=slug, at=AT, format="json", stdout=out)
    return json.loads(out.getvalue())


def test_village_evaluation_is_the_cli_json(api, filled, with_test_set):
    url = f"/api/units/{filled.village1.pk}/evaluation/?criteria_set=test-set&at={AT}"
    body = api(filled.alice).get(url).json()
    assert body == _cli_json(filled.village1, "test-set")
    assert body["unit"]["id"] == filled.village1.pk
    assert (body["criteria_set"], body["criteria_set_version"], body["at"]) == ("test-set", 1, AT)
    assert body["passed"] is False
    fibre = next(c for c in body["criteria"] if c["code"] == "1.1")
    assert (fibre["numerator"], fibre["denominator"], fibre["status"], fibre["gap"]) == (
        2,
        4,
        "fail",
        2,
    )
    assert "children" not in body


def test_commune_evaluation_has_each_village(api, filled, with_test_set):
    url = f"/api/units/{filled.commune.pk}/evaluation/?criteria_set=test-set&at=30/06/2024"
    body = api(filled.carol).get(url).json()
    assert body == _cli_json(filled.commune, "test-set")
    assert [c["unit"]["name"] for c in body["children"]] == ["Thôn Một", "Thôn Hai"]
    village2 = body["children"][1]
    assert next(c for c in village2["criteria"] if c["code"] == "1.1")["status"] == "pass"


def test_evaluation_errors(api, filled, with_test_set):
    client = api(filled.alice)
    base = f"/api/units/{filled.village1.pk}/evaluation/"
    response = client.get(base)
    assert response.status_code == 400 and "criteria_set" in response.json()
    response = client.get(base + "?criteria_set=no-such-set")
    assert response.status_code == 400 and "no-such-set" in response.json()["criteria_set"][0]
    response = client.get(base + "?criteria_set=test-set&at=2024-13-01")
    assert response.status_code == 400 and "at" in response.json()
    other = f"/api/units/{filled.village2.pk}/evaluation/?criteria_set=test-set"
    assert client.get(other).status_code == 404


def _worklist(unit, **params):
    query = "&".join(
        f"{k}={v}" for k, v in {"criteria_set": "test-set", "at": AT, **params}.items()
    )
    return f"/api/units/{unit.pk}/worklist/?{query}"


def test_worklist_lists_who_is_missing_and_is_audited(api, filled, with_test_set):
    response = api(filled.alice).get(_worklist(filled.village1, criterion="1.1"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [r["name"] for r in body["results"]] == ["Chủ hộ Thôn Một 2", "Chủ hộ Thôn Một 3"]
    assert all(r["type"] == "household" and r["met"] is False for r in body["results"])
    event = AuditEvent.objects.get(action="view")
    assert event.actor == filled.alice and event.unit == filled.village1
    assert event.object_type == "worklist" and "1.1" in event.object_repr
    every = api(filled.alice).get(_worklist(filled.village1, criterion="1.1", met="all")).json()
    assert [r["met"] for r in every["results"]] == [True, True, False, False]
    assert AuditEvent.objects.filter(action="view").count() == 2


def test_person_worklist_masks_identity(api, filled, with_test_set):
    response = api(filled.carol).get(_worklist(filled.commune, criterion="1.2"))
    body = response.json()
    assert body["count"] == 6  # 8 working-age persons, 2 with a smartphone
    identities = set(Person.objects.values_list("identity_number", flat=True))
    content = response.content.decode()
    assert not any(number in content for number in identities)
    row = body["results"][0]
    assert row["type"] == "person" and row["masked_identity"].count("*") == 7
    assert row["household_code"] and row["birth"] == "01/01/1990"


def test_worklist_scoping_permissions_and_bad_criteria(api, filled, with_test_set, monkeypatch):
    alice = api(filled.alice)
    assert alice.get(_worklist(filled.village2, criterion="1.1")).status_code == 404
    response = alice.get(_worklist(filled.village1, criterion="2.1"))
    assert response.status_code == 400 and "criterion" in response.json()
    response = alice.get(_worklist(filled.village1, criterion="9.9"))
    assert response.status_code == 400 and "criterion" in response.json()
    response = alice.get(_worklist(filled.village1))
    assert response.status_code == 400 and "criterion" in response.json()
    # A role that may view results but not personal-data lists gets a 403 and leaves no entry.
    monkeypatch.setitem(
        permissions.ROLE_ACTIONS,
        Role.APPRAISER,
        permissions.ROLE_ACTIONS[Role.APPRAISER] - {Action.EXPORT_PERSONAL},
    )
    erin = api(filled.erin)
    assert erin.get(_worklist(filled.village1, criterion="1.1")).status_code == 403
    evaluation = f"/api/units/{filled.village1.pk}/evaluation/?criteria_set=test-set"
    assert erin.get(evaluation).status_code == 200
    assert not AuditEvent.objects.filter(action="view").exists()


@pytest.mark.parametrize("met", ["yes", "0"])
def test_worklist_met_must_be_known(api, filled, with_test_set, met):
    response = api(filled.alice).get(_worklist(filled.village1, criterion="1.1", met=met))
    assert response.status_code == 400 and "met" in response.json()
