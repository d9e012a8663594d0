"""Erasure that erases (issue 11, item 3): after `erase`, the name is nowhere in the database or
media; `export` holds everything kept about the person; both on the web for the right roles."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from smartvillage.assessments.models import Assessment, AssessmentVersion
from smartvillage.audit.models import AuditEvent
from smartvillage.core.testing import PASSWORD, HouseholdFactory
from smartvillage.registry import erasure, services
from smartvillage.registry.models import Household, Person
from smartvillage.transfer import jobs
from smartvillage.transfer.models import ImportJob, JobStatus

NAME = "Phùng Thị Xoá Bỏ"
IDENTITY = "036912345678"


@pytest.fixture
def subject(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    household = services.do_create_household(
        world.alice, world.village1, code="E1", head_name=NAME, note=f"Chủ hộ {NAME} đi làm xa"
    )
    person = services.do_create_person(
        world.alice, household, full_name=NAME, identity_number=IDENTITY, relationship="head"
    )
    mate = services.do_create_person(
        world.alice, household, full_name="Phùng Văn Ở Lại", note=f"con của {NAME}"
    )
    services.do_update_household(world.alice, household, address=f"Nhà {NAME}, xóm 2")
    household.refresh_from_db()
    services.record_household_view(world.carol, household)
    # A frozen, submitted assessment whose member list names her.
    assessment = Assessment.objects.create(
        unit=world.village1,
        criteria_set_slug="phutho-khu-dan-cu-thong-minh-1491",
        criteria_set_version=1,
        at=dt.date(2026, 1, 1),
        state="submitted",
        current_version=1,
    )
    AssessmentVersion.objects.create(
        assessment=assessment,
        number=1,
        snapshot={
            "schema": 1,
            "data": {
                "members": {
                    "1.1": [
                        {"name": NAME, "household_code": "E1", "met": True},
                        {"name": "Người Khác", "household_code": "E2", "met": False},
                    ]
                }
            },
            "narrative": {"strengths": f"Hộ {NAME} tiêu biểu"},
        },
        content_hash="a" * 64,
        data_hash="b" * 64,
        submitted_at=timezone.now(),
    )
    # A survey answer of the household that names her.
    from smartvillage.surveys.models import Answer, Question, Response, Survey

    survey = Survey.objects.create(
        village=world.village1,
        title="Hài lòng",
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2026, 12, 31),
    )
    question = Question.objects.create(survey=survey, kind="text", text="Ý kiến khác")
    response = Response.objects.create(survey=survey, household=household, channel="paper")
    Answer.objects.create(response=response, question=question, value=f"{NAME} góp ý")
    # A pending import whose file and preview name her.
    job = ImportJob.objects.create(
        village=world.village1,
        user=world.alice,
        status=JobStatus.PREVIEWED,
        files=[{"name": "ds.csv"}],
        report={"rows": [{"name": NAME, "identity": IDENTITY}]},
    )
    default_storage.save(
        f"{jobs.job_folder(job)}/ds.csv",
        ContentFile(f"Mã hộ,Họ và tên\nE1,{NAME}\n".encode()),
    )
    return person, mate, job


def _dump() -> str:
    out = io.StringIO()
    try:
        call_command("dumpdata", "--allow-personal-data", stdout=out)
    except (CommandError, TypeError):  # an older dumpdata without the flag
        out = io.StringIO()
        call_command("dumpdata", stdout=out)
    return json.dumps(json.loads(out.getvalue()), ensure_ascii=False)


def test_export_includes_household_history_snapshots_and_pending_files(world, subject):
    person, _mate, job = subject
    data = services.do_export_person_data(world.alice, person)
    assert data["person"]["identity_number"] == IDENTITY
    assert any(e["action"] == "update" for e in data["household_history"])
    assert data["snapshots"][0]["rows"] == [
        {"criterion": "1.1", "name": NAME, "household_code": "E1", "met": True}
    ]
    assert data["pending_imports"][0]["job"] == str(job.pk)
    assert data["pending_imports"][0]["files"] == ["ds.csv"]


def test_erase_leaves_the_name_nowhere_in_the_dump_or_the_media(world, subject):
    person, mate, job = subject
    dump_before = _dump()
    assert NAME in dump_before and IDENTITY in dump_before

    result = services.do_erase_person(world.alice, person)

    dump = _dump()
    assert NAME not in dump and IDENTITY not in dump
    assert erasure.media_mentions([NAME, IDENTITY]) == []
    assert erasure.media_mentions([NAME, IDENTITY], Path(settings.MEDIA_ROOT)) == []
    assert not Person.objects.filter(pk=person.pk).exists()
    household = Household.objects.get(code="E1")
    assert household.head_name == erasure.PSEUDONYM
    assert household.note == f"Chủ hộ {erasure.PSEUDONYM} đi làm xa"
    assert Person.objects.get(pk=mate.pk).note == f"con của {erasure.PSEUDONYM}"
    # The snapshot keeps the row (the counts do not change) under a pseudonym, with the basis.
    version = AssessmentVersion.objects.get()
    rows = version.snapshot["data"]["members"]["1.1"]
    assert rows[0] == {"name": erasure.PSEUDONYM, "household_code": "E1", "met": True}
    assert rows[1]["name"] == "Người Khác"
    assert "91/2025/QH15" in version.snapshot["erasures"][0]["basis"]
    assert version.content_hash == "a" * 64
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "91/2025/QH15" in job.message
    assert result.snapshots == 1 and result.import_jobs == 1 and result.files == ["ds.csv"]
    entry = AuditEvent.objects.filter(action="delete", object_type="person").latest("pk")
    assert entry.object_repr == erasure.PSEUDONYM and "1 hồ sơ đã chốt" in entry.note


def test_a_one_word_name_is_not_cut_out_of_other_words(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    household = HouseholdFactory(village=world.village1, code="A1", head_name="An")
    person = services.do_create_person(world.alice, household, full_name="An")
    services.do_erase_person(world.alice, person)
    household.refresh_from_db()
    assert household.head_name == erasure.PSEUDONYM
    assert "Xã An" in _dump()  # the commune's name is untouched


def test_web_page_download_and_erase_for_the_personal_data_right(client, world, subject):
    person, _mate, _job = subject
    url = reverse("registry:person_data", args=[person.pk])
    client.force_login(world.bob)  # another village's head
    assert client.get(url).status_code in (403, 404)
    assert client.post(reverse("registry:person_erase", args=[person.pk])).status_code in (
        403,
        404,
    )
    assert client.login(username=world.alice.username, password=PASSWORD)
    page = client.get(url)
    assert page.status_code == 200 and "Xóa dữ liệu cá nhân" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    download = client.get(reverse("registry:person_data_download", args=[person.pk]))
    assert download.status_code == 200
    assert json.loads(download.content)["person"]["full_name"] == NAME
    refused = client.post(reverse("registry:person_erase", args=[person.pk]))
    assert refused.status_code == 302 and Person.objects.filter(pk=person.pk).exists()
    done = client.post(reverse("registry:person_erase", args=[person.pk]), {"confirm": "yes"})
    assert done.status_code == 302 and not Person.objects.filter(pk=person.pk).exists()
    actions = set(
        AuditEvent.objects.filter(actor=world.alice, object_type="person").values_list(
            "action", flat=True
        )
    )
    assert {"view", "export", "delete"} <= actions
