import io
import zipfile
from pathlib import Path

import docx
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from smartvillage.audit.models import AuditEvent
from smartvillage.core.errors import DomainError
from smartvillage.core.testing import PASSWORD
from smartvillage.evidence import services
from smartvillage.evidence.models import EvidenceRecord

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Quyết định thành lập tổ công nghệ số cộng đồng")
    document.save(buf)
    return buf.getvalue()


def _decision(user, unit, upload=None, **extra):
    fields = {
        "category": "document",
        "type": "decision_digital_team",
        "title": "QĐ thành lập tổ CNSCĐ",
        "number": "12/QĐ-UBND",
        "issuer": "UBND xã An",
    }
    fields.update(extra)
    return services.do_create_evidence(user, unit, upload=upload, **fields)


def test_create_with_pdf_stores_outside_static_and_audits(world, settings):
    record = _decision(world.alice, world.village1, SimpleUploadedFile("quyet dinh.pdf", PDF))
    record.refresh_from_db()
    path = Path(record.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert not path.is_relative_to(Path(settings.STATIC_ROOT))
    assert path.read_bytes() == PDF
    assert record.file_name == "quyet dinh.pdf"
    assert record.content_type == "application/pdf"
    assert record.file_size == len(PDF)
    assert len(record.file_sha256) == 64
    # The stored name comes from the hash and checked extension, never from the user's name.
    assert "quyet" not in record.file.name and record.file.name.endswith(".pdf")
    assert AuditEvent.objects.filter(
        object_type="evidencerecord", object_id=str(record.pk), action="create"
    ).exists()


def test_docx_and_png_accepted(world):
    r1 = _decision(world.alice, world.village1, SimpleUploadedFile("kh.docx", _docx_bytes()))
    r2 = services.do_create_evidence(
        world.alice,
        world.village1,
        upload=SimpleUploadedFile("wifi.png", PNG),
        category="facility",
        type="wifi_public",
        title="Wi-Fi nhà văn hóa",
        location="Nhà văn hóa thôn",
    )
    assert r1.content_type.endswith("wordprocessingml.document")
    assert r2.content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("virus.exe", b"MZ\x90\x00", "loại tệp không được phép"),
        ("ghi-chu.txt", b"hello", "loại tệp không được phép"),
        ("gia.pdf", b"MZ\x90\x00 not a pdf", "không khớp nội dung"),
        ("anh.jpg", PDF, "không khớp nội dung"),
    ],
)
def test_forbidden_type_refused_and_nothing_written(world, settings, name, content, needle):
    with pytest.raises(DomainError) as exc:
        _decision(world.alice, world.village1, SimpleUploadedFile(name, content))
    assert needle in exc.value.message and name in exc.value.message
    assert EvidenceRecord.objects.count() == 0
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_zip_renamed_docx_refused(world):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("payload.txt", "x")
    with pytest.raises(DomainError) as exc:
        _decision(world.alice, world.village1, SimpleUploadedFile("kh.docx", buf.getvalue()))
    assert exc.value.code == "upload_content"


def test_oversize_refused_with_sizes_in_message(world, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(DomainError) as exc:
        _decision(world.alice, world.village1, SimpleUploadedFile("lon.pdf", PDF + b"0" * 5000))
    assert exc.value.code == "upload_too_large"
    assert "vượt quá giới hạn 1 KB" in exc.value.message
    assert EvidenceRecord.objects.count() == 0


def test_upload_page_shows_clear_message(world, client, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    client.login(username="alice", password=PASSWORD)
    url = reverse("evidence:add", args=[world.village1.pk])
    response = client.post(
        url,
        {
            "kind": "document:decision_digital_team",
            "title": "QĐ",
            "quantity": 1,
            "upload": SimpleUploadedFile("lon.pdf", PDF + b"0" * 5000),
        },
    )
    assert response.status_code == 400
    assert "vượt quá giới hạn" in response.content.decode()
    response = client.post(
        url,
        {
            "kind": "document:decision_digital_team",
            "title": "QĐ",
            "quantity": 1,
            "upload": SimpleUploadedFile("x.exe", b"MZ"),
        },
    )
    assert "loại tệp không được phép" in response.content.decode()
    assert EvidenceRecord.objects.count() == 0
    response = client.post(
        url,
        {
            "kind": "facility:security_camera",
            "title": "Camera ngã ba",
            "quantity": 2,
            "connected_to_police": "on",
            "issued_date": "05/03/2024",
            "upload": SimpleUploadedFile("cam.pdf", PDF),
        },
    )
    assert response.status_code == 302
    record = EvidenceRecord.objects.get()
    assert record.attributes == {"connected_to_police": True}
    assert record.quantity == 2 and record.issued_date.isoformat() == "2024-03-05"


def test_download_only_for_users_who_see_the_unit(world, client):
    record = _decision(world.bob, world.village2, SimpleUploadedFile("qd.pdf", PDF))
    url = reverse("evidence:download", args=[record.pk])
    client.login(username="alice", password=PASSWORD)  # head of another village
    response = client.get(url)
    assert response.status_code == 404  # another village's file: not even confirmed to exist
    assert PDF not in b"".join(getattr(response, "streaming_content", [response.content]))
    client.login(username="mallory", password=PASSWORD)
    assert client.get(url).status_code == 404
    for user in ("bob", "dave", "erin"):
        client.login(username=user, password=PASSWORD)
        response = client.get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == PDF
        assert 'filename="qd.pdf"' in response["Content-Disposition"]
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_wrong_role_or_unit_cannot_write(world):
    with pytest.raises(PermissionDenied):
        _decision(world.erin, world.village1)  # appraisers read, they do not record evidence
    with pytest.raises(PermissionDenied):
        _decision(world.alice, world.village2)
    record = _decision(world.alice, world.village1)
    with pytest.raises(PermissionDenied):
        services.do_update_evidence(world.bob, record, title="Sửa trộm")
    with pytest.raises(PermissionDenied):
        services.do_delete_evidence(world.mallory, record)
    record.refresh_from_db()
    assert record.title == "QĐ thành lập tổ CNSCĐ"


def test_update_replaces_file_and_delete_removes_it(world, django_capture_on_commit_callbacks):
    record = _decision(world.alice, world.village1, SimpleUploadedFile("a.pdf", PDF))
    old_path = Path(record.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        record = services.do_update_evidence(
            world.carol, record, upload=SimpleUploadedFile("b.png", PNG), title="Mới"
        )
    assert not old_path.exists()
    assert Path(record.file.path).read_bytes() == PNG and record.file_name == "b.png"
    new_path = Path(record.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.do_delete_evidence(world.alice, record)
    assert not new_path.exists()
    assert EvidenceRecord.objects.count() == 0


def test_unknown_type_and_bad_dates_refused(world):
    with pytest.raises(DomainError, match="không có trong danh mục"):
        services.do_create_evidence(
            world.alice, world.village1, category="facility", type="rocket", title="x"
        )
    import datetime as dt

    with pytest.raises(DomainError, match="Hiệu lực đến"):
        _decision(
            world.alice,
            world.village1,
            issued_date=dt.date(2024, 5, 1),
            valid_until=dt.date(2024, 1, 1),
        )


def test_list_page_groups_by_category(world, client):
    _decision(world.alice, world.village1)
    services.do_create_evidence(
        world.alice,
        world.village1,
        category="channel",
        type="zalo_group",
        title="Nhóm Zalo Thôn Một",
        link="https://zalo.me/g/abc",
    )
    client.login(username="alice", password=PASSWORD)
    body = client.get(reverse("evidence:list", args=[world.village1.pk])).content.decode()
    assert "Văn bản" in body and "Nhóm, kênh thông tin" in body and "Nhóm Zalo Thôn Một" in body
    client.login(username="bob", password=PASSWORD)
    assert client.get(reverse("evidence:list", args=[world.village1.pk])).status_code == 404
    client.login(username="erin", password=PASSWORD)  # sees the village, may not record evidence
    assert client.get(reverse("evidence:list", args=[world.village1.pk])).status_code == 200
    assert client.get(reverse("evidence:add", args=[world.village1.pk])).status_code == 403


def _submit_with(world, record):
    import datetime as dt

    from smartvillage.assessments import services as assessments

    a = assessments.do_create(
        world.alice, world.village1, "phutho-khu-dan-cu-thong-minh-1491", dt.date(2024, 3, 5)
    )
    version = assessments.do_submit(world.alice, a)
    frozen = [e for e in version.snapshot["data"]["evidence"] if e["id"] == record.pk]
    assert frozen and frozen[0]["file_sha256"] == record.file_sha256  # the snapshot holds it
    return a


def test_file_frozen_in_a_submitted_snapshot_is_kept(
    world, client, django_capture_on_commit_callbacks
):
    import datetime as dt

    record = _decision(
        world.alice,
        world.village1,
        SimpleUploadedFile("qd.pdf", PDF),
        issued_date=dt.date(2024, 1, 10),
    )
    path = Path(record.file.path)
    # Before any submission the file may still be replaced (see the test above); now submit.
    a = _submit_with(world, record)
    before = (record.file.name, record.file_sha256, record.file_name)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(DomainError) as exc:
            services.do_update_evidence(
                world.alice, record, upload=SimpleUploadedFile("b.png", PNG)
            )
        assert exc.value.code == "upload_frozen"
        assert f"hồ sơ số {a.pk} (phiên bản 1)" in exc.value.message
        assert "qd.pdf" in exc.value.message and "thêm một minh chứng mới" in exc.value.message
        with pytest.raises(DomainError, match="Không thể thay hoặc xóa tệp"):
            services.do_update_evidence(world.alice, record, remove_file=True)
        with pytest.raises(DomainError, match="Không thể xóa minh chứng"):
            services.do_delete_evidence(world.dave, record)
    record.refresh_from_db()
    assert (record.file.name, record.file_sha256, record.file_name) == before
    assert path.read_bytes() == PDF
    # Its other fields stay editable (the file is what the snapshot relies on).
    services.do_update_evidence(world.alice, record, title="QĐ thành lập tổ CNSCĐ (bản chính)")
    record.refresh_from_db()
    assert record.title.endswith("(bản chính)") and path.read_bytes() == PDF
    # Through the pages: a clear message, nothing changed.
    client.login(username="alice", password=PASSWORD)
    response = client.post(reverse("evidence:delete", args=[record.pk]), follow=True)
    assert "đã chốt" in response.content.decode()
    response = client.post(
        reverse("evidence:edit", args=[record.pk]),
        {
            "kind": "document:decision_digital_team",
            "title": record.title,
            "quantity": 1,
            "upload": SimpleUploadedFile("moi.pdf", PDF + b"%new"),
        },
    )
    assert response.status_code == 400 and "đã chốt" in response.content.decode()
    assert EvidenceRecord.objects.filter(pk=record.pk).exists() and path.read_bytes() == PDF


def test_file_not_frozen_or_record_without_file_is_free(world, django_capture_on_commit_callbacks):
    # A record without a file in the snapshot: deleting it loses no file.
    bare = _decision(world.alice, world.village1)
    _submit_with(world, bare)
    with django_capture_on_commit_callbacks(execute=True):
        services.do_delete_evidence(world.alice, bare)
    assert not EvidenceRecord.objects.filter(pk=bare.pk).exists()
    # A file added after the submission is not the frozen one: it may be replaced.
    later = _decision(world.alice, world.village1, SimpleUploadedFile("a.pdf", PDF))
    with django_capture_on_commit_callbacks(execute=True):
        later = services.do_update_evidence(
            world.alice, later, upload=SimpleUploadedFile("b.png", PNG)
        )
    assert later.file_name == "b.png"


def test_oversize_upload_refused_before_the_body_is_read(world, client, settings, monkeypatch):
    """A request declaring more than the limit is answered from its Content-Length: the
    multipart body is never parsed, so nothing is written to a temporary file."""
    from django.http import multipartparser

    settings.UPLOAD_MAX_BYTES = 1024
    parsed = []
    original = multipartparser.MultiPartParser.parse
    monkeypatch.setattr(
        multipartparser.MultiPartParser,
        "parse",
        lambda self: parsed.append(1) or original(self),
    )
    client.login(username="alice", password=PASSWORD)
    url = reverse("evidence:add", args=[world.village1.pk])

    def big():
        return SimpleUploadedFile("lon.pdf", PDF + b"0" * (400 * 1024))

    fields = {"kind": "document:decision_digital_team", "title": "QĐ", "quantity": 1}
    response = client.post(url, {**fields, "upload": big()})
    assert response.status_code == 413
    body = response.content.decode()
    assert "vượt quá giới hạn tệp 1 KB" in body and "tệp chưa được nhận" in body
    assert parsed == []  # refused without reading the upload
    assert EvidenceRecord.objects.count() == 0
    # The edit page too.
    record = _decision(world.alice, world.village1)
    response = client.post(reverse("evidence:edit", args=[record.pk]), {**fields, "upload": big()})
    assert response.status_code == 413 and parsed == []
    # A permission check still comes first: another village's unit is not even confirmed.
    other = reverse("evidence:add", args=[world.village2.pk])
    assert client.post(other, {**fields, "upload": big()}).status_code == 404


def test_oversize_file_within_a_small_request_stops_reading(world, client, settings, monkeypatch):
    """Content-Length within the slack but the file over the limit (or a client that lies about
    the length): the size-limit handler stops at the first chunk past the limit, before Django's
    own handlers store anything."""
    from django.core.files import uploadhandler

    settings.UPLOAD_MAX_BYTES = 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # Django would otherwise spool to a temporary file
    stored = []
    original = uploadhandler.TemporaryFileUploadHandler.receive_data_chunk
    monkeypatch.setattr(
        uploadhandler.TemporaryFileUploadHandler,
        "receive_data_chunk",
        lambda self, raw, start: stored.append(len(raw)) or original(self, raw, start),
    )
    client.login(username="alice", password=PASSWORD)
    url = reverse("evidence:add", args=[world.village1.pk])
    response = client.post(
        url,
        {
            "kind": "document:decision_digital_team",
            "title": "QĐ",
            "quantity": 1,
            "upload": SimpleUploadedFile("lon.pdf", PDF + b"0" * 5000),
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Tệp “lon.pdf” có dung lượng vượt quá giới hạn 1 KB" in body
    assert stored == []
    assert EvidenceRecord.objects.count() == 0
    # A file within the limit still goes through the whole chain and is stored.
    response = client.post(
        url,
        {
            "kind": "document:decision_digital_team",
            "title": "QĐ",
            "quantity": 1,
            "upload": SimpleUploadedFile("nho.pdf", PDF),
        },
    )
    assert response.status_code == 302 and stored
    assert EvidenceRecord.objects.get().file_name == "nho.pdf"


def test_upload_pages_still_check_csrf(world, settings):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.login(username="alice", password=PASSWORD)
    url = reverse("evidence:add", args=[world.village1.pk])
    response = client.post(
        url, {"kind": "document:decision_digital_team", "title": "QĐ", "quantity": 1}
    )
    assert response.status_code == 403
    assert EvidenceRecord.objects.count() == 0
    page = client.get(url)
    token = page.cookies["csrftoken"].value
    response = client.post(
        url,
        {
            "csrfmiddlewaretoken": token,
            "kind": "document:decision_digital_team",
            "title": "QĐ",
            "quantity": 1,
        },
    )
    assert response.status_code == 302 and EvidenceRecord.objects.count() == 1
