"""Households through the API: scoping, permissions, validation, audit."""

import pytest
from django.core.exceptions import ValidationError

from smartvillage.audit.models import AuditEvent
from smartvillage.core.testing import HouseholdFactory
from smartvillage.registry import facts
from smartvillage.registry.models import Household


def _url(unit):
    return f"/api/units/{unit.pk}/households/"


NEW = {"code": "H-01", "head_name": "  Nguyễn   Văn An ", "fibre_internet": True}


def test_create_household_writes_through_the_service_with_audit(api, world):
    response = api(world.alice).post(_url(world.village1), NEW, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["head_name"] == "Nguyễn Văn An"
    assert body["village"] == world.village1.pk
    assert body["fibre_internet"] is True and body["internet"] is False
    household = Household.objects.get(pk=body["id"])
    assert household.village == world.village1 and household.fibre_internet
    event = AuditEvent.objects.get(action="create", object_type="household")
    assert event.actor == world.alice and event.unit == world.village1
    assert event.after["code"] == "H-01"


def test_every_column_fact_is_a_boolean_field(api, world):
    household = HouseholdFactory(village=world.village1)
    body = api(world.alice).get(f"/api/households/{household.pk}/").json()
    for fact in facts.column_facts("household"):
        assert body[fact.key] is False
    assert body["extra"] == {}


def test_list_is_scoped_to_the_unit(api, world):
    HouseholdFactory(village=world.village1, code="A")
    HouseholdFactory(village=world.village2, code="B")
    codes = [r["code"] for r in api(world.carol).get(_url(world.commune)).json()["results"]]
    assert codes == ["A", "B"]
    alice = api(world.alice)
    assert [r["code"] for r in alice.get(_url(world.village1)).json()["results"]] == ["A"]
    assert alice.get(_url(world.village2)).status_code == 404


def test_village_head_cannot_touch_another_village(api, world):
    other = HouseholdFactory(village=world.village2, code="B", head_name="Trần Văn B")
    alice = api(world.alice)
    assert alice.post(_url(world.village2), NEW, format="json").status_code == 404
    assert alice.get(f"/api/households/{other.pk}/").status_code == 404
    assert (
        alice.patch(f"/api/households/{other.pk}/", {"head_name": "X"}, format="json").status_code
        == 404
    )
    assert alice.delete(f"/api/households/{other.pk}/").status_code == 404
    assert alice.post(f"/api/households/{other.pk}/persons/", {"full_name": "X"}).status_code == 404
    other.refresh_from_db()
    assert other.head_name == "Trần Văn B"
    assert Household.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_appraiser_reads_but_cannot_write(api, world):
    household = HouseholdFactory(village=world.village1, code="A", head_name="Lê Thị A")
    erin = api(world.erin)
    assert erin.get(f"/api/households/{household.pk}/").status_code == 200
    assert erin.get(_url(world.village1)).status_code == 200
    assert erin.post(_url(world.village1), NEW, format="json").status_code == 403
    response = erin.patch(f"/api/households/{household.pk}/", {"head_name": "X"}, format="json")
    assert response.status_code == 403
    assert "quyền" in response.json()["detail"]
    assert erin.delete(f"/api/households/{household.pk}/").status_code == 403
    assert (
        erin.post(
            f"/api/households/{household.pk}/persons/", {"full_name": "X"}, format="json"
        ).status_code
        == 403
    )
    household.refresh_from_db()
    assert household.head_name == "Lê Thị A"
    assert Household.objects.count() == 1 and not household.persons.exists()
    # Only her reads are on record (Law 91/2025 view log), no write.
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"view"}


def test_households_belong_to_a_village(api, world):
    response = api(world.carol).post(_url(world.commune), NEW, format="json")
    assert response.status_code == 400
    assert "thôn" in response.json()["detail"]
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"head_name": "A"}, "code"),
        ({"code": "  ", "head_name": "A"}, "code"),
        ({"code": "H-1"}, "head_name"),
        ({"code": "H-1", "head_name": "A", "latitude": 123}, "latitude"),
        ({"code": "H-1", "head_name": "A", "internet": "có lẽ"}, "internet"),
        ({"code": "H-1", "head_name": "A", "extra": {"no_such_fact": True}}, "extra"),
        ({"code": "H-1", "head_name": "A", "extra": ["x"]}, "extra"),
    ],
)
def test_validation_errors_are_400_with_the_field(api, world, payload, field):
    response = api(world.alice).post(_url(world.village1), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Household.objects.exists()
    assert not AuditEvent.objects.exists()


def test_duplicate_code_in_the_village_is_refused(api, world):
    HouseholdFactory(village=world.village1, code="H-01")
    response = api(world.alice).post(_url(world.village1), {**NEW, "code": "h-01"}, format="json")
    assert response.status_code == 400
    assert "đã có trong thôn" in response.json()["code"][0]
    # The same code in another village is fine.
    assert api(world.bob).post(_url(world.village2), NEW, format="json").status_code == 201


def test_model_validation_inside_the_service_is_a_400_and_writes_nothing(api, world, monkeypatch):
    household = HouseholdFactory(village=world.village1, code="A", address="Xóm Giữa")

    def clean(self):
        if self.address == "Xóm Cấm":
            raise ValidationError({"address": ["Địa chỉ: không hợp lệ."]})

    monkeypatch.setattr(Household, "clean", clean)
    alice = api(world.alice)
    response = alice.patch(
        f"/api/households/{household.pk}/",
        {"address": "Xóm Cấm", "fibre_internet": True},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"address": ["Địa chỉ: không hợp lệ."]}
    household.refresh_from_db()
    assert household.address == "Xóm Giữa" and not household.fibre_internet
    assert not AuditEvent.objects.exists()


def test_update_is_audited_with_before_and_after(api, world):
    household = HouseholdFactory(village=world.village1, code="A", fibre_internet=False)
    response = api(world.alice).patch(
        f"/api/households/{household.pk}/", {"fibre_internet": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["fibre_internet"] is True
    event = AuditEvent.objects.get(action="update")
    assert event.before["fibre_internet"] is False and event.after["fibre_internet"] is True
    assert event.actor == world.alice and event.household_id == household.pk


def test_put_is_not_offered(api, world):
    household = HouseholdFactory(village=world.village1)
    response = api(world.alice).put(f"/api/households/{household.pk}/", NEW, format="json")
    assert response.status_code == 405


@pytest.fixture
def added_facts(settings, tmp_path):
    """Facts a province adds in YAML: they have no column and live in `extra`."""
    (tmp_path / "tinh-thu.yaml").write_text(
        "facts:\n"
        "  - {key: solar_light, level: household, type: bool, label_vi: Đèn năng lượng mặt trời}\n"
        "  - {key: visits, level: household, type: int, label_vi: Số lần khảo sát}\n"
        "  - {key: surveyed_on, level: household, type: date, label_vi: Ngày khảo sát}\n",
        encoding="utf-8",
    )
    settings.SMARTVILLAGE_FACTS_DIRS = [str(tmp_path)]
    facts.catalogue.cache_clear()
    yield
    facts.catalogue.cache_clear()


def test_extra_facts_are_checked_and_merged(api, world, added_facts):
    alice = api(world.alice)
    created = alice.post(
        _url(world.village1),
        {**NEW, "extra": {"solar_light": True, "visits": 2}},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert Household.objects.get(pk=pk).extra == {"solar_light": True, "visits": 2}
    wrong = alice.patch(
        f"/api/households/{pk}/",
        {"extra": {"solar_light": "có", "surveyed_on": "31/02/2024"}},
        format="json",
    )
    assert wrong.status_code == 400
    messages = " ".join(wrong.json()["extra"])
    assert "solar_light" in messages and "surveyed_on" in messages
    merged = alice.patch(
        f"/api/households/{pk}/",
        {"extra": {"visits": None, "surveyed_on": "2024-03-05"}},
        format="json",
    )
    assert merged.status_code == 200
    assert merged.json()["extra"] == {"solar_light": True, "surveyed_on": "2024-03-05"}
    assert Household.objects.get(pk=pk).extra == {"solar_light": True, "surveyed_on": "2024-03-05"}


def test_a_column_fact_inside_extra_is_refused_with_a_hint(api, world):
    response = api(world.alice).post(
        _url(world.village1), {**NEW, "extra": {"internet": True}}, format="json"
    )
    assert response.status_code == 400
    assert "ngoài" in response.json()["extra"][0]


def test_delete_removes_household_and_persons_with_audit(api, world):
    household = HouseholdFactory(village=world.village1, code="A")
    household.persons.create(full_name="Người A", village=world.village1)
    response = api(world.alice).delete(f"/api/households/{household.pk}/")
    assert response.status_code == 204
    assert not Household.objects.exists()
    assert set(AuditEvent.objects.values_list("object_type", "action")) == {
        ("household", "delete"),
        ("person", "delete"),
    }


def test_error_messages_are_vietnamese(api, world):
    other = HouseholdFactory(village=world.village2)
    alice = api(world.alice)
    assert alice.get(f"/api/households/{other.pk}/").json() == {"detail": "Không tìm thấy hộ."}
    assert alice.get(f"/api/units/{world.village2.pk}/").json() == {
        "detail": "Không tìm thấy đơn vị."
    }
    body = alice.post(_url(world.village1), {"code": "H", "latitude": "abc"}, format="json").json()
    assert body == {"head_name": ["Trường này là bắt buộc."], "latitude": ["Cần một số hợp lệ."]}
    assert "Chưa đăng nhập" in api().get("/api/units/").json()["detail"]
