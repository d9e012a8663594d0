"""Concurrency (issue #11, item 4): an import job applies once, parallel imports cannot add the
same person twice, the same new household codes end in a refusal in words, stale edits overwrite
nothing, and the API's ETag/If-Match refuses a stale PATCH with 412.

The threaded tests run real threads, each with its own database connection, started together at
a barrier. They need writers that wait for each other's row locks: PostgreSQL; on SQLite (no row
locks, and a shared-cache in-memory test database that refuses a second writer thread at once)
they are skipped, with that reason.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from smartvillage.core import concurrency
from smartvillage.core.testing import HouseholdFactory, PersonFactory, build_world
from smartvillage.registry import services
from smartvillage.registry.models import Household, Person
from smartvillage.transfer import jobs
from smartvillage.transfer.models import ImportJob, JobStatus

NEEDS_ROW_LOCKS = pytest.mark.skipif(
    "sqlite" in settings.DATABASES["default"]["ENGINE"],
    reason=(
        "SQLite cannot run concurrent writers here: it has no row locks (SELECT … FOR UPDATE is "
        "ignored), and the test database is shared-cache in-memory, where a second writer thread "
        "fails at once with 'database table is locked' instead of waiting; runs on PostgreSQL"
    ),
)

CSV = "Mã hộ,Họ và tên,Năm sinh,Quan hệ\n"


def _run_together(*fns: Callable[[], Any]) -> list[Any]:
    """Run each fn in its own thread (own connection), released together; results or errors."""
    barrier = threading.Barrier(len(fns))
    results: list[Any] = [None] * len(fns)

    def run(index: int, fn: Callable[[], Any]) -> None:
        try:
            barrier.wait(10)
            results[index] = fn()
        except Exception as exc:  # the test inspects it
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _previewed_job(village, user, tmp_path, name: str, text: str) -> ImportJob:
    upload = SimpleUploadedFile(name, text.encode("utf-8"))
    job = jobs.create_job(village, user, [upload])
    job = jobs.start_preview(job, background=False)
    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEWED and job.report["ok"], job.report
    return job


def _apply(job_id) -> ImportJob:
    job = ImportJob.objects.select_related("village", "user").get(pk=job_id)
    return jobs.start_apply(job, background=False)


# ---- import jobs --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_confirmed_job_does_not_apply_again(tmp_path):
    world = build_world()
    job = _previewed_job(
        world.village1, world.alice, tmp_path, "a.csv", CSV + "C1,Lò Văn Một,1980,Chủ hộ\n"
    )
    jobs.start_apply(job, background=False)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    # A second confirm of the same job (a retried request): nothing happens.
    again = jobs.start_apply(ImportJob.objects.get(pk=job.pk), background=False)
    assert again.status == JobStatus.DONE
    assert Person.objects.filter(village=world.village1).count() == 1


@NEEDS_ROW_LOCKS
@pytest.mark.django_db(transaction=True)
def test_double_confirm_at_once_writes_the_persons_once(tmp_path):
    world = build_world()
    rows = "".join(f"D{i},Nguyễn Văn {i},19{60 + i},Chủ hộ\n" for i in range(5))
    for _ in range(3):  # several trials: the race showed in 4 of 5 before the fix
        Person.objects.all().delete()
        Household.objects.all().delete()
        job = _previewed_job(world.village1, world.alice, tmp_path, "d.csv", CSV + rows)
        results = _run_together(lambda j=job.pk: _apply(j), lambda j=job.pk: _apply(j))
        assert not [r for r in results if isinstance(r, Exception)], results
        assert Person.objects.filter(village=world.village1).count() == 5
        assert Household.objects.filter(village=world.village1).count() == 5
        assert ImportJob.objects.get(pk=job.pk).status == JobStatus.DONE


@NEEDS_ROW_LOCKS
@pytest.mark.django_db(transaction=True)
def test_parallel_imports_of_the_same_persons_add_them_once(tmp_path):
    world = build_world()
    rows = "P1,Lò Văn Hai,1970,Chủ hộ\nP1,Lò Thị Ba,1972,Vợ/Chồng\nP2,Đỗ Văn Tư,1990,Chủ hộ\n"
    first = _previewed_job(world.village1, world.alice, tmp_path, "p1.csv", CSV + rows)
    second = _previewed_job(world.village1, world.alice, tmp_path, "p2.csv", CSV + rows)
    results = _run_together(lambda: _apply(first.pk), lambda: _apply(second.pk))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Person.objects.filter(village=world.village1).count() == 3
    assert Household.objects.filter(village=world.village1).count() == 2
    statuses = sorted(ImportJob.objects.values_list("status", flat=True))
    assert statuses == [JobStatus.DONE, JobStatus.PREVIEWED]
    waiting = ImportJob.objects.get(status=JobStatus.PREVIEWED)
    # The later one refuses in words, with the new preview, and writes nothing.
    assert "sổ của thôn đã thay đổi" in waiting.message and "Chưa ghi gì" in waiting.message
    assert "Error" not in waiting.message
    assert waiting.report["counts"].get("persons_created", 0) == 0
    # Confirmed again on the new preview it adds nobody.
    _apply(waiting.pk)
    assert ImportJob.objects.get(pk=waiting.pk).status == JobStatus.DONE
    assert Person.objects.filter(village=world.village1).count() == 3


@NEEDS_ROW_LOCKS
@pytest.mark.django_db(transaction=True)
def test_the_same_new_household_codes_from_two_imports_end_in_a_refusal(tmp_path):
    world = build_world()
    first = _previewed_job(
        world.village1, world.alice, tmp_path, "a.csv", CSV + "N1,Hà Văn An,1980,Chủ hộ\n"
    )
    second = _previewed_job(
        world.village1, world.alice, tmp_path, "b.csv", CSV + "N1,Vi Thị Bình,1985,Chủ hộ\n"
    )
    results = _run_together(lambda: _apply(first.pk), lambda: _apply(second.pk))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Household.objects.filter(village=world.village1, code="N1").count() == 1
    refused = ImportJob.objects.exclude(status=JobStatus.DONE).get()
    assert refused.status == JobStatus.PREVIEWED
    assert "1 hộ" in refused.message and "Chưa ghi gì" in refused.message
    assert jobs.FAILED_MESSAGE not in refused.message


@pytest.mark.django_db
def test_a_household_code_taken_in_between_is_a_field_error_not_a_system_error(world, monkeypatch):
    HouseholdFactory(village=world.village1, code="K1")
    # As if another request added K1 after this one's check: the constraint decides.
    monkeypatch.setattr(Household, "validate_unique", lambda self, exclude=None: None)
    monkeypatch.setattr(Household, "validate_constraints", lambda self, exclude=None: None)
    with pytest.raises(ValidationError) as caught:
        services.do_create_household(world.alice, world.village1, code="K1", head_name="Lê Văn")
    assert "K1" in caught.value.message_dict["code"][0]
    assert "vừa được người khác thêm" in caught.value.message_dict["code"][0]
    assert Household.objects.filter(code="K1").count() == 1


# ---- stale edits --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_stale_service_edit_is_refused_with_the_other_change(world):
    household = HouseholdFactory(village=world.village1, head_name="Cũ")
    assert household.version == 1
    services.do_update_household(world.carol, household, expected_version=1, head_name="Của Carol")
    with pytest.raises(concurrency.StaleEdit) as caught:
        services.do_update_household(world.alice, household, expected_version=1, note="Của Alice")
    household.refresh_from_db()
    assert household.version == 2 and household.note == "" and household.head_name == "Của Carol"
    message = caught.value.message
    assert "Của Carol" in message and "carol" in message and "chưa ghi gì" in message
    assert caught.value.current.version == 2
    # Saving again based on the version shown goes through.
    services.do_update_household(world.alice, household, expected_version=2, note="Của Alice")
    household.refresh_from_db()
    assert household.version == 3 and household.note == "Của Alice"


@pytest.mark.django_db
def test_an_unchanged_save_keeps_the_version(world):
    person = PersonFactory(household=HouseholdFactory(village=world.village1))
    services.do_update_person(world.alice, person, expected_version=1, full_name=person.full_name)
    person.refresh_from_db()
    assert person.version == 1


@NEEDS_ROW_LOCKS
@pytest.mark.django_db(transaction=True)
def test_two_stale_edits_at_once_one_wins_the_other_is_refused():
    world = build_world()
    household = HouseholdFactory(village=world.village1)
    for round_ in range(3):
        version = Household.objects.get(pk=household.pk).version

        def edit(user, note, version=version):
            return services.do_update_household(
                user, Household.objects.get(pk=household.pk), expected_version=version, note=note
            )

        results = _run_together(
            lambda r=round_: edit(world.alice, f"alice {r}"),
            lambda r=round_: edit(world.carol, f"carol {r}"),
        )
        refused = [r for r in results if isinstance(r, concurrency.StaleEdit)]
        saved = [r for r in results if isinstance(r, Household)]
        assert len(refused) == 1 and len(saved) == 1, results
        current = Household.objects.get(pk=household.pk)
        assert current.note == saved[0].note and current.version == version + 1


# ---- API: ETag and If-Match ---------------------------------------------------------------------


@pytest.mark.django_db
def test_api_etag_and_if_match(api, world):
    household = HouseholdFactory(village=world.village1)
    client = api(world.alice)
    url = f"/api/households/{household.pk}/"
    first = client.get(url)
    etag = first["ETag"]
    assert etag == f'"{household.pk}-1"' and first.json()["version"] == 1
    ok = client.patch(url, {"note": "một"}, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok["ETag"] == f'"{household.pk}-2"'
    stale = client.patch(url, {"note": "hai"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    body = stale.json()
    assert "chưa ghi gì" in body["detail"] and "một" in body["detail"]
    assert body["current_etag"] == f'"{household.pk}-2"'
    assert Household.objects.get(pk=household.pk).note == "một"
    # A tag of another object names no version of this one.
    other = client.patch(url, {"note": "ba"}, format="json", HTTP_IF_MATCH='"999999-2"')
    assert other.status_code == 412
    # Without If-Match the write goes through (documented: If-Match is optional, not 428).
    free = client.patch(url, {"note": "bốn"}, format="json")
    assert free.status_code == 200 and free["ETag"] == f'"{household.pk}-3"'
    # DELETE with a stale tag is refused too.
    gone = client.delete(url, HTTP_IF_MATCH=etag)
    assert gone.status_code == 412 and Household.objects.filter(pk=household.pk).exists()
    assert client.delete(url, HTTP_IF_MATCH=free["ETag"]).status_code == 204


@pytest.mark.django_db
def test_api_person_if_match(api, world):
    person = PersonFactory(household=HouseholdFactory(village=world.village1))
    client = api(world.alice)
    url = f"/api/persons/{person.pk}/"
    etag = client.get(url)["ETag"]
    assert client.patch(url, {"note": "x"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    assert client.patch(url, {"note": "y"}, format="json", HTTP_IF_MATCH=etag).status_code == 412


@NEEDS_ROW_LOCKS
@pytest.mark.django_db(transaction=True)
def test_two_api_patches_with_the_same_etag_at_once_one_is_412():
    from rest_framework.test import APIClient

    world = build_world()
    household = HouseholdFactory(village=world.village1)
    url = f"/api/households/{household.pk}/"

    def patch(user, note):
        client = APIClient()
        client.force_login(user)
        return client.patch(url, {"note": note}, format="json", HTTP_IF_MATCH=f'"{household.pk}-1"')

    results = _run_together(lambda: patch(world.alice, "a"), lambda: patch(world.carol, "c"))
    assert sorted(r.status_code for r in results) == [200, 412], results
    assert Household.objects.get(pk=household.pk).version == 2


@pytest.mark.django_db
def test_an_import_update_is_a_new_version_so_an_older_form_is_refused(tmp_path):
    world = build_world()
    household = HouseholdFactory(village=world.village1, code="V1", head_name="Lò Văn Cũ")
    job = _previewed_job(
        world.village1,
        world.alice,
        tmp_path,
        "v.csv",
        "Mã hộ,Họ tên chủ hộ,Địa chỉ\nV1,Lò Văn Cũ,Xóm Mới\n",
    )
    jobs.start_apply(job, background=False)
    household.refresh_from_db()
    assert household.address == "Xóm Mới" and household.version == 2
    with pytest.raises(concurrency.StaleEdit) as caught:
        services.do_update_household(world.carol, household, expected_version=1, note="cũ")
    assert "Xóm Mới" in caught.value.message


@NEEDS_ROW_LOCKS
@pytest.mark.django_db(transaction=True)
def test_the_village_lock_lets_forms_add_households_meanwhile():
    world = build_world()
    held, release = threading.Event(), threading.Event()
    released_by_the_form: list[bool] = []

    def import_holding_the_lock():
        try:
            with services.village_registry_lock(world.village1):
                held.set()
                released_by_the_form.append(release.wait(20))
        finally:
            connections.close_all()  # this thread's own connection

    def add_household():
        held.wait(10)
        try:
            return services.do_create_household(
                world.alice, world.village1, code="L1", head_name="Lê Văn Một"
            )
        finally:
            release.set()

    holder = threading.Thread(target=import_holding_the_lock)
    holder.start()
    results = _run_together(add_household)
    holder.join(30)
    assert isinstance(results[0], Household), results
    assert released_by_the_form == [True]  # saved while the import still held the lock
