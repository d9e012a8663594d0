import copy
import hashlib

from django.urls import reverse

from smartvillage.assessments import services, snapshot
from smartvillage.assessments.tests.conftest import AT, PHUTHO
from smartvillage.core.testing import PASSWORD
from smartvillage.documents import reports
from smartvillage.evidence import services as evidence
from smartvillage.registry import services as registry


def _submit(world):
    a = services.do_create(world.alice, world.village1, PHUTHO, AT, signer_name="Phạm Văn Định")
    version = services.do_submit(world.alice, a)
    a.refresh_from_db()
    return a, version


def test_snapshot_content(world, village_data):
    a, version = _submit(world)
    data = version.snapshot["data"]
    assert version.content_hash == hashlib.sha256(snapshot.canonical(version.snapshot)).hexdigest()
    assert version.data_hash == snapshot.content_hash(data)
    fibre = next(c for c in data["result"]["criteria"] if c["code"] == "1.1")
    assert (fibre["numerator"], fibre["denominator"], fibre["status"]) == (4, 5, "pass")
    members = data["members"]["1.1"]
    assert len(members) == 5 and sum(m["met"] for m in members) == 4
    assert members[0] == {
        "name": village_data[0].head_name,
        "household_code": village_data[0].code,
        "met": True,
    }
    phones = data["members"]["1.2"]
    assert {m["name"] for m in phones} == {f"Lê Thị Dân {world.village1.pk}-{i}" for i in range(5)}
    assert data["unit"]["commune"]["name"] == "Xã An"
    assert data["criteria_set"]["legal_basis"]["number"] == "1491/QĐ-UBND"
    assert version.snapshot["narrative"]["signer_name"] == "Phạm Văn Định"


def test_registry_edit_after_submission_leaves_snapshot_and_report_unchanged(
    world, village_data, client
):
    a, version = _submit(world)
    frozen = copy.deepcopy(version.snapshot)
    report_before = reports.render_report("mau01", reports.source_for_assessment(a), "docx")
    criteria_before = reports.render_report("criteria", reports.source_for_assessment(a), "docx")
    assert not services.data_changed(a)

    registry.do_update_household(world.alice, village_data[4], fibre_internet=True)
    evidence.do_create_evidence(
        world.alice,
        world.village1,
        category="it_model",
        type="health",
        title="Sổ khám bệnh điện tử",
        since=AT.replace(day=1),
    )

    version.refresh_from_db()
    assert version.snapshot == frozen
    assert snapshot.content_hash(version.snapshot) == version.content_hash
    assert reports.render_report("mau01", reports.source_for_assessment(a), "docx") == report_before
    assert (
        reports.render_report("criteria", reports.source_for_assessment(a), "docx")
        == criteria_before
    )
    # ... while the live view changes.
    live = services.live_data(a)
    assert next(c for c in live["result"]["criteria"] if c["code"] == "1.1")["numerator"] == 5
    assert next(c for c in live["result"]["criteria"] if c["code"] == "1.7")["status"] == "pass"
    assert services.data_changed(a)
    assert [d["code"] for d in services.differences(a, version)] == ["1.1", "1.7"]

    client.login(username="dave", password=PASSWORD)
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "Dữ liệu đã thay đổi kể từ khi nộp" in page
    assert "4/5 → 5/5" in page


def test_no_banner_when_unchanged(world, village_data, client):
    a, _version = _submit(world)
    client.login(username="alice", password=PASSWORD)
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "Dữ liệu đã thay đổi" not in page
    assert "Kết quả đã chốt – phiên bản 1" in page


def test_frozen_report_pdf_is_byte_identical_after_registry_edit(world, village_data, tmp_path):
    """The PDF of a frozen version does not move when the registry changes after submission.

    LibreOffice's PDF is byte-stable here (rendering._pin_pdf pins its creation time and document
    id to the submission time), so the bytes themselves are compared; the page text is checked
    with pdftotext as well, so a failure says whether the content or only the bytes moved."""
    import subprocess

    a, _version = _submit(world)
    before = reports.render_report("mau01", reports.source_for_assessment(a), "pdf")
    registry.do_update_household(world.alice, village_data[4], fibre_internet=True)
    registry.do_update_household(world.alice, village_data[0], head_name="Tên Đã Sửa")
    after = reports.render_report("mau01", reports.source_for_assessment(a), "pdf")

    def text(pdf: bytes, name: str) -> str:
        path = tmp_path / name
        path.write_bytes(pdf)
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
        ).stdout.decode()

    assert text(after, "after.pdf") == text(before, "before.pdf")
    assert "Tên Đã Sửa" not in text(after, "after.pdf")
    assert after == before
    # The live report does see the edit.
    from smartvillage.documents.tests.test_reports import _text

    live = reports.render_report(
        "mau01", reports.source_live(world.village1, services.get_set_for(a), AT), "docx"
    )
    assert "Tên Đã Sửa" in _text(live)
