"""Evidence files go through the media storage (docs/decisions/011): with the default storage in
memory, an upload, its permission-checked download, a replacement and a deletion all work by name
and nothing is written to this machine's disk."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from smartvillage.core.testing import PASSWORD
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.jobs import media
from smartvillage.jobs.tests.storage import use_memory_media

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def memory_media(settings):
    media_root = use_memory_media(settings)
    yield
    assert not media_root.exists(), "a media file was written to the local disk"


def _fields(**extra):
    return {"kind": "document:decision_digital_team", "title": "QĐ", "quantity": 1, **extra}


def test_upload_download_replace_and_delete_through_the_storage(
    client, world, memory_media, django_capture_on_commit_callbacks
):
    assert client.login(username=world.alice.username, password=PASSWORD)
    add = reverse("evidence:add", args=[world.village1.pk])
    response = client.post(add, _fields(upload=SimpleUploadedFile("quyet dinh.pdf", PDF)))
    assert response.status_code == 302
    record = EvidenceRecord.objects.get()
    first = record.file.name
    assert default_storage.exists(first) and default_storage.open(first).read() == PDF

    response = client.get(reverse("evidence:download", args=[record.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert 'filename="quyet dinh.pdf"' in response["Content-Disposition"]
    client.logout()
    client.force_login(world.bob)  # another village's head: not even confirmed to exist
    assert client.get(reverse("evidence:download", args=[record.pk])).status_code == 404
    client.logout()
    assert client.login(username=world.alice.username, password=PASSWORD)

    newer = PDF + b"%moi"
    edit = reverse("evidence:edit", args=[record.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the old file goes on commit
        response = client.post(edit, _fields(upload=SimpleUploadedFile("moi.pdf", newer)))
    assert response.status_code == 302, response.content.decode()[:300]
    record.refresh_from_db()
    assert record.file.name != first and not default_storage.exists(first)
    response = client.get(reverse("evidence:download", args=[record.pk]))
    assert b"".join(response.streaming_content) == newer

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evidence:delete", args=[record.pk]))
    assert response.status_code == 302 and not EvidenceRecord.objects.exists()
    assert media.list_files("") == []


def test_a_file_gone_from_the_storage_is_a_404(client, world, memory_media):
    assert client.login(username=world.alice.username, password=PASSWORD)
    client.post(
        reverse("evidence:add", args=[world.village1.pk]),
        _fields(upload=SimpleUploadedFile("qd.pdf", PDF)),
    )
    record = EvidenceRecord.objects.get()
    default_storage.delete(record.file.name)
    assert client.get(reverse("evidence:download", args=[record.pk])).status_code == 404
