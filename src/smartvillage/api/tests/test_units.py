"""Units: each user sees exactly the units her roles cover."""

from smartvillage.units.models import Level


def _names(response):
    return {row["name"] for row in response.json()["results"]}


def test_village_head_sees_only_her_village(api, world):
    response = api(world.alice).get("/api/units/")
    assert response.status_code == 200
    assert _names(response) == {"Thôn Một"}
    assert response.json()["count"] == 1


def test_commune_officer_sees_commune_and_its_villages(api, world):
    assert _names(api(world.carol).get("/api/units/")) == {"Xã An", "Thôn Một", "Thôn Hai"}


def test_filters_parent_level_and_name(api, world):
    client = api(world.erin)
    assert _names(client.get(f"/api/units/?parent={world.commune.pk}")) == {"Thôn Một", "Thôn Hai"}
    assert _names(client.get("/api/units/?level=commune")) == {"Xã An", "Xã Bình"}
    assert _names(client.get("/api/units/?level=village&q=ba")) == {"Thôn Ba"}


def test_bad_level_is_a_400_naming_the_parameter(api, world):
    response = api(world.erin).get("/api/units/?level=hamlet")
    assert response.status_code == 400
    assert "level" in response.json()


def test_pagination(api, world):
    body = api(world.root).get("/api/units/?page_size=2").json()
    assert body["count"] == 7 and len(body["results"]) == 2 and body["next"]


def test_unit_detail_and_scoping(api, world):
    client = api(world.alice)
    body = client.get(f"/api/units/{world.village1.pk}/").json()
    assert body["code"] == "99901-T001" and body["level"] == Level.VILLAGE
    assert body["parent"] == world.commune.pk
    assert client.get(f"/api/units/{world.village2.pk}/").status_code == 404
    assert client.get(f"/api/units/{world.commune.pk}/").status_code == 404


def test_anonymous_is_refused_and_basic_auth_works(api, world, basic_auth):
    refused = api().get("/api/units/")
    assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Basic")
    response = api().get("/api/units/", **basic_auth("alice"))
    assert response.status_code == 200
    assert _names(response) == {"Thôn Một"}
