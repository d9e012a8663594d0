"""A stale evidence form (someone saved in between) is shown the other change, writes nothing."""

from django.urls import reverse

from smartvillage.core.testing import PASSWORD
from smartvillage.evidence import services
from smartvillage.evidence.models import EvidenceRecord


def test_stale_evidence_form_writes_nothing(client, world):
    record = services.do_create_evidence(
        world.alice,
        world.village1,
        category="document",
        type="decision_digital_team",
        title="QĐ thành lập tổ CNSCĐ",
    )
    assert client.login(username="alice", password=PASSWORD)
    url = reverse("evidence:edit", args=[record.pk])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    services.do_update_evidence(world.carol, record, title="QĐ số 12 của Carol")
    data = {
        "kind": "document:decision_digital_team",
        "title": "Tên của Alice",
        "quantity": "1",
        "version": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 400  # the form page answers a refused save with 400
    html = response.content.decode()
    assert "người khác đã lưu thay đổi" in html and "QĐ số 12 của Carol" in html
    assert 'name="version" value="2"' in html
    assert EvidenceRecord.objects.get(pk=record.pk).title == "QĐ số 12 của Carol"
    assert client.post(url, {**data, "version": "2"}).status_code == 302
    assert EvidenceRecord.objects.get(pk=record.pk).title == "Tên của Alice"
