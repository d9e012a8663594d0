"""Every page, download, admin view and API response that shows personal data writes an entry
with how many records it showed; `dumpdata` of personal tables is guarded; a unit's access page
says who viewed or exported how many, when (issue #11, item 6)."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse
from rest_framework.test import APIClient

from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.core.testing import PASSWORD, HouseholdFactory, PersonFactory
from smartvillage.registry import services
from smartvillage.registry.models import Household


@pytest.fixture
def api():
    def make(user):
        client = APIClient()
        client.force_login(user)
        return client

    return make


def _views(**filters):
    return AuditEvent.objects.filter(action=AuditAction.VIEW, **filters)


def test_750_households_over_15_api_pages_are_15_entries_of_750_records(api, world):
    Household.objects.bulk_create(
        Household(village=world.village1, code=f"H{i:04d}", head_name=f"Chủ hộ {i}")
        for i in range(750)
    )
    client = api(world.alice)
    url = f"/api/units/{world.village1.pk}/households/"
    for page in range(1, 16):
        response = client.get(url, {"page": page, "page_size": 50})
        assert response.status_code == 200 and len(response.json()["results"]) == 50
    entries = _views(object_type="household_list", actor=world.alice)
    assert entries.count() == 15
    assert entries.aggregate(n=Sum("record_count"))["n"] == 750


def test_person_list_and_worklist_pages_carry_their_counts(api, world):
    household = HouseholdFactory(village=world.village1)
    PersonFactory.create_batch(3, household=household)
    client = api(world.alice)
    client.get(f"/api/households/{household.pk}/persons/")
    client.get(f"/api/households/{household.pk}/persons/")
    entries = _views(object_type="person_list")
    assert entries.count() == 2 and {e.record_count for e in entries} == {3}


def test_history_event_and_delete_confirmation_pages_are_logged(client, world):
    household = HouseholdFactory(village=world.village1)
    person = PersonFactory(household=household)
    services.do_update_household(world.alice, household, note="một")
    assert client.login(username="carol", password=PASSWORD)
    client.get(reverse("audit:household_history", args=[household.pk]))
    history = _views(object_type="household_history").get()
    assert history.actor == world.carol and history.record_count >= 1
    assert history.household_id == household.pk
    client.logout()
    assert client.login(username="alice", password=PASSWORD)
    client.get(reverse("registry:household_delete", args=[household.pk]))
    client.get(reverse("registry:person_delete", args=[person.pk]))
    confirmations = _views(note="Xem trang xác nhận xóa").order_by("id")
    assert [e.object_type for e in confirmations] == ["household", "person"]
    assert [e.record_count for e in confirmations] == [2, 1]  # the household names its person


def test_import_event_page_is_logged_with_its_rows(client, world, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from smartvillage.transfer import jobs

    upload = SimpleUploadedFile("a.csv", "Mã hộ,Họ và tên,Năm sinh\nE1,Lò Văn Một,1980\n".encode())
    job = jobs.start_preview(jobs.create_job(world.village1, world.alice, [upload]), False)
    job = jobs.start_apply(job, background=False)
    job.refresh_from_db()
    assert job.event_id is not None
    assert client.login(username="alice", password=PASSWORD)
    page = client.get(reverse("transfer:event", args=[world.village1.pk, job.event_id]))
    assert page.status_code == 200
    entry = _views(object_type="import_event").get()
    assert entry.record_count == 2  # one household, one person


def test_admin_lists_and_change_pages_are_logged(client, world):
    household = HouseholdFactory(village=world.village1)
    PersonFactory.create_batch(2, household=household)
    HouseholdFactory(village=world.village3)
    assert client.login(username="root", password=PASSWORD)
    assert client.get("/admin/registry/household/").status_code == 200
    lists = _views(object_type="admin_household_list")
    assert {(e.unit_id, e.record_count) for e in lists} == {
        (world.village1.pk, 1),
        (world.village3.pk, 1),
    }
    assert client.get("/admin/registry/person/").status_code == 200
    assert _views(object_type="admin_person_list").get().record_count == 2
    assert client.get(f"/admin/registry/household/{household.pk}/change/").status_code == 200
    assert _views(object_type="household", note__startswith="Trang quản trị").count() == 1
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert _views(object_type="admin_auditevent_list").exists()


def test_dumpdata_of_personal_tables_needs_the_flag_in_production(world, settings, capsys):
    HouseholdFactory(village=world.village1)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--allow-personal-data"):
        call_command("dumpdata", "registry")
    with pytest.raises(CommandError, match="dữ liệu cá nhân"):
        call_command("dumpdata")  # everything includes the personal tables
    assert not AuditEvent.objects.filter(object_type="dumpdata").exists()
    call_command("dumpdata", "units")  # no personal data: no flag, no entry
    assert not AuditEvent.objects.filter(object_type="dumpdata").exists()
    capsys.readouterr()
    call_command("dumpdata", "registry", "--allow-personal-data")
    assert "registry.household" in capsys.readouterr().out
    entry = AuditEvent.objects.get(object_type="dumpdata", action=AuditAction.EXPORT)
    assert "registry" in entry.note and entry.record_count == 0  # persons in the dump
    settings.DEBUG = True
    call_command("dumpdata", "registry.household")
    assert AuditEvent.objects.filter(object_type="dumpdata").count() == 2


def test_unit_access_page_says_who_saw_how_many(api, client, world):
    Household.objects.bulk_create(
        Household(village=world.village1, code=f"A{i:03d}", head_name=f"Chủ hộ {i}")
        for i in range(120)
    )
    reader = api(world.alice)
    for page in (1, 2, 3):
        reader.get(f"/api/units/{world.village1.pk}/households/", {"page": page, "page_size": 50})
    assert client.login(username="dave", password=PASSWORD)
    page = client.get(reverse("audit:unit_access", args=[world.commune.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "alice" in html and "120" in html
    people = page.context["people"]
    alice = next(p for p in people if "alice" in p["actor_name"])
    assert alice["views"] == 3 and alice["records"] == 120
    # A village head has no audit right; another commune's leader does not see this one.
    client.logout()
    assert client.login(username="alice", password=PASSWORD)
    assert client.get(reverse("audit:unit_access", args=[world.village1.pk])).status_code == 403
    client.logout()
    assert client.login(username="mallory", password=PASSWORD)
    assert client.get(reverse("audit:unit_access", args=[world.commune.pk])).status_code == 404


def test_import_job_page_with_its_preview_is_logged(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from smartvillage.transfer import jobs

    upload = SimpleUploadedFile("b.csv", "Mã hộ,Họ và tên,Năm sinh\nF1,Lò Văn Hai,1981\n".encode())
    job = jobs.start_preview(jobs.create_job(world.village1, world.alice, [upload]), False)
    assert client.login(username="alice", password=PASSWORD)
    assert client.get(reverse("transfer:job", args=[job.pk])).status_code == 200
    entry = _views(object_type="import_job").get()
    assert entry.record_count >= 1 and entry.unit == world.village1
