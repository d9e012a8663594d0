"""The API's work objects through the web's action functions: evidence, plans and tasks,
assessments and their workflow, import jobs; JSON errors in Vietnamese on every API path."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartvillage.assessments.models import Assessment
from smartvillage.audit.models import AuditEvent
from smartvillage.core.testing import HouseholdFactory
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.plans.models import PlanTask
from smartvillage.registry.models import Person
from smartvillage.transfer.models import ImportJob

THANHHOA = "thanhhoa-thon-thong-minh-35"
INTERNAL = ("Error", "Exception", "Traceback", "on assessment", "/work/", "_")


def _plain_vietnamese(text: str) -> None:
    assert not any(word in text for word in INTERNAL[:5]), text


# ---- JSON errors on every path ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/nope/", "/api/units/abc/", "/api/units", "/api/x/y/z"])
def test_unknown_api_paths_are_json_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "Không có đường dẫn API" in response.json()["detail"]
    assert client.post(path, {}).status_code == 404


def test_401_405_and_400_are_json_in_vietnamese(api, world):
    anonymous = api()
    response = anonymous.get("/api/units/")
    assert response.status_code == 401 and "Chưa đăng nhập" in response.json()["detail"]
    household = HouseholdFactory(village=world.village1)
    response = api(world.alice).put(f"/api/households/{household.pk}/", {}, format="json")
    assert response.status_code == 405 and "không được chấp nhận" in response.json()["detail"]
    response = api(world.alice).post(
        f"/api/units/{world.village1.pk}/households/", {"head_name": ""}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == ["Trường này là bắt buộc."] or "bắt buộc" in body["code"][0]


# ---- evidence ---------------------------------------------------------------------------------


def test_evidence_crud_with_etag(api, world):
    client = api(world.alice)
    url = f"/api/units/{world.village1.pk}/evidence/"
    created = client.post(
        url,
        {"category": "document", "type": "decision_digital_team", "title": "QĐ tổ CNSCĐ"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    record = EvidenceRecord.objects.get()
    assert client.get(url).json()["results"][0]["title"] == "QĐ tổ CNSCĐ"
    detail = f"/api/evidence/{record.pk}/"
    etag = client.get(detail)["ETag"]
    ok = client.patch(detail, {"number": "12/QĐ"}, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(detail, {"number": "13/QĐ"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and "12/QĐ" in stale.json()["detail"]
    # Unknown type: refused in Vietnamese, nothing written.
    bad = client.post(url, {"category": "document", "type": "nope", "title": "x"}, format="json")
    assert bad.status_code == 400 and EvidenceRecord.objects.count() == 1
    # A viewer without the right: 403 before the body is read; another commune: 404.
    assert api(world.erin).patch(detail, {"title": "x"}, format="json").status_code == 403
    assert api(world.mallory).get(detail).status_code == 404
    assert client.delete(detail, HTTP_IF_MATCH=ok["ETag"]).status_code == 204
    assert not EvidenceRecord.objects.exists()


# ---- plans and tasks --------------------------------------------------------------------------


def test_plan_task_flow_with_stale_task_edit(api, world):
    client = api(world.dave)
    created = client.post(
        f"/api/units/{world.village1.pk}/plans/",
        {"criteria_set": THANHHOA, "year": 2025},
        format="json",
    )
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert plan["items"] and plan["version"] == 1
    item = plan["items"][0]["id"]
    task = client.post(
        f"/api/plan-items/{item}/tasks/",
        {
            "executor": "village",
            "description": "Lắp loa truyền thanh",
            "budget": 5_000_000,
            "owner": "Viettel Thanh Hóa",
            "survey_deadline": "2022-09-30",
        },
        format="json",
    )
    assert task.status_code == 201, task.json()
    assert (task.json()["owner"], task.json()["survey_deadline"]) == (
        "Viettel Thanh Hóa",
        "2022-09-30",
    )
    # The plan's budget and funding sources (seed 000) are part of the plan resource too.
    funded = client.patch(
        f"/api/plans/{plan['id']}/",
        {"budget_planned": 90_000_000, "funding_households": 10_000_000},
        format="json",
    )
    assert funded.status_code == 200, funded.json()
    assert funded.json()["budget_planned"] == 90_000_000
    url = f"/api/tasks/{task.json()['id']}/"
    etag = client.get(url)["ETag"]
    done = client.patch(url, {"status": "done"}, format="json", HTTP_IF_MATCH=etag)
    assert done.status_code == 200, done.json()
    stale = client.patch(url, {"status": "cancelled"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert PlanTask.objects.get().status == "done"
    detail = client.get(f"/api/plans/{plan['id']}/").json()
    assert any(
        t["description"] == "Lắp loa truyền thanh" for i in detail["items"] for t in i["tasks"]
    )
    # The appraiser may read but not plan.
    assert (
        api(world.erin)
        .post(f"/api/plan-items/{item}/tasks/", {"description": "x"}, format="json")
        .status_code
        == 403
    )


# ---- assessments ------------------------------------------------------------------------------


def test_assessment_workflow_through_the_same_actions(api, world):
    HouseholdFactory(village=world.village1)
    alice = api(world.alice)
    created = alice.post(
        f"/api/units/{world.village1.pk}/assessments/",
        {"criteria_set": THANHHOA, "at": "2025-06-30"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["state"] == "draft" and "submit" in created.json()["allowed_steps"]
    edited = alice.patch(f"/api/assessments/{pk}/", {"strengths": "Tổ CNSCĐ hoạt động tốt"})
    assert edited.status_code == 200 and edited.json()["strengths"] == "Tổ CNSCĐ hoạt động tốt"
    submitted = alice.post(f"/api/assessments/{pk}/submit/", {"comment": "Nộp"}, format="json")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    # The village head cannot confirm: a 403 in plain Vietnamese, no internal words.
    refused = alice.post(f"/api/assessments/{pk}/confirm/", {}, format="json")
    assert refused.status_code == 403
    _plain_vietnamese(refused.json()["detail"])
    # Returning needs a reason: the action's own Vietnamese refusal, as a 400.
    dave = api(world.dave)
    no_reason = dave.post(f"/api/assessments/{pk}/return/", {}, format="json")
    assert no_reason.status_code == 400 and "lý do" in no_reason.json()["detail"]
    confirmed = dave.post(f"/api/assessments/{pk}/confirm/", {}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    assert [s["action"] for s in confirmed.json()["steps"]][-1] == "confirm"
    assert Assessment.objects.get(pk=pk).state == "confirmed"
    # Confirming twice: the state machine's refusal, not a second step.
    again = dave.post(f"/api/assessments/{pk}/confirm/", {}, format="json")
    assert again.status_code == 400 and "trạng thái" in again.json()["detail"]


# ---- import jobs ------------------------------------------------------------------------------


def test_import_job_upload_answer_confirm_once(api, world):
    client = api(world.alice)
    upload = SimpleUploadedFile(
        "ds.csv",
        "Mã hộ,Họ và tên,Năm sinh,Quan hệ,App ngân hàng\nJ1,Lò Văn Một,1980,Chủ hộ,x\n".encode(),
    )
    created = client.post(
        f"/api/units/{world.village1.pk}/imports/", {"files": [upload]}, format="multipart"
    )
    assert created.status_code == 201, created.json()
    job = created.json()
    assert job["status"] == "previewed" and not Person.objects.exists()
    url = f"/api/imports/{job['id']}/"
    refs = {c["header"]: c["ref"] for c in job["columns"]}
    wrong = client.post(
        url + "mapping/", {"mapping": {refs["App ngân hàng"]: "nope"}}, format="json"
    )
    assert wrong.status_code == 400 and "nope" in str(wrong.json())
    mapped = client.post(
        url + "mapping/", {"mapping": {refs["App ngân hàng"]: "epayment_account"}}, format="json"
    )
    assert mapped.status_code == 200 and mapped.json()["ok"], mapped.json()
    done = client.post(url + "confirm/")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert Person.objects.get().epayment_account
    # Confirmed again: nothing more is written.
    assert client.post(url + "confirm/").json()["status"] == "done"
    assert Person.objects.count() == 1
    assert client.post(url + "mapping/", {"mapping": {}}, format="json").status_code == 409
    # Another commune's village head does not see it.
    assert api(world.mallory).get(url).status_code == 404
    assert ImportJob.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="import").count() == 1


def test_malformed_json_and_unforeseen_errors_are_plain_vietnamese(api, world, monkeypatch):
    client = api(world.alice)
    url = f"/api/units/{world.village1.pk}/households/"
    broken = client.post(url, "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert "không đọc được" in broken.json()["detail"]
    _plain_vietnamese(broken.json()["detail"])
    assert "Expecting" not in broken.json()["detail"]

    from smartvillage.registry import services

    def boom(*args, **kwargs):
        raise RuntimeError("/srv/secret/path KeyError")

    monkeypatch.setattr(services, "do_create_household", boom)
    failed = client.post(url, {"code": "Z1", "head_name": "Lò Văn Z"}, format="json")
    assert failed.status_code == 500 and failed["Content-Type"].startswith("application/json")
    assert "Lỗi hệ thống" in failed.json()["detail"]
    assert "/srv" not in failed.json()["detail"] and "KeyError" not in failed.json()["detail"]


def test_evidence_file_upload_and_audited_download(api, world):
    client = api(world.alice)
    record = client.post(
        f"/api/units/{world.village1.pk}/evidence/",
        {"category": "document", "type": "decision_digital_team", "title": "QĐ"},
        format="json",
    ).json()
    url = f"/api/evidence/{record['id']}/file/"
    assert client.get(url).status_code == 404  # no file yet
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    sent = client.post(url, {"file": SimpleUploadedFile("qd.pdf", pdf)}, format="multipart")
    assert sent.status_code == 200, sent.json()
    assert sent.json()["has_file"] and sent.json()["file_name"] == "qd.pdf"
    assert sent["ETag"].endswith('-2"')
    wrong = client.post(url, {"file": SimpleUploadedFile("x.exe", b"MZ")}, format="multipart")
    assert wrong.status_code == 400 and "không được phép" in wrong.json()["detail"]
    got = client.get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == pdf
    assert AuditEvent.objects.filter(action="view", object_type="evidencerecord").exists()
    assert api(world.erin).post(url, {"file": SimpleUploadedFile("a.pdf", pdf)}).status_code == 403
