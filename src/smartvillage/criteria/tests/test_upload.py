"""A system admin uploads a province's new criteria set through the admin; it is validated."""

from django.core.files.uploadedfile import SimpleUploadedFile

from smartvillage.criteria import loader
from smartvillage.criteria.models import UploadedCriteriaSet
from smartvillage.criteria.tests.conftest import TEST_SET


def _post(client, text):
    return client.post(
        "/admin/criteria/uploadedcriteriaset/add/",
        {
            "upload": SimpleUploadedFile("tinh-moi.yaml", text.encode("utf-8")),
            "filename": "",
            "content": "",
            "is_active": "on",
        },
    )


def test_admin_upload_of_a_valid_set_makes_it_available(client, world):
    client.force_login(world.root)
    response = _post(client, TEST_SET.replace("slug: test-set", "slug: tinh-moi-2026"))
    assert response.status_code == 302
    loader.reload()
    try:
        assert loader.get_set("tinh-moi-2026").criterion("1.2").threshold is not None
    finally:
        UploadedCriteriaSet.objects.all().delete()
        loader.reload()


def test_admin_upload_of_a_broken_set_is_refused_with_the_place(client, world):
    client.force_login(world.root)
    response = _post(client, TEST_SET.replace("threshold: 0.85", "threshold: 85"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "tiêu chí 1.2" in html and "threshold" in html
    assert not UploadedCriteriaSet.objects.exists()


def test_only_system_admins_may_upload(client, world):
    world.carol.is_staff = True
    world.carol.save()
    client.force_login(world.carol)
    assert _post(client, TEST_SET).status_code == 403
    assert not UploadedCriteriaSet.objects.exists()


def test_a_set_uploaded_in_another_process_is_seen_without_a_restart(world, monkeypatch):
    """No reload() here: the row appears as if another web worker had saved it."""
    import pytest

    from smartvillage.core.errors import DomainError

    loader.reload()
    with pytest.raises(DomainError):
        loader.get_set("tinh-khac-2026")
    monkeypatch.setattr(loader, "_REFRESH_SECONDS", 0.0)
    row = UploadedCriteriaSet(
        filename="tinh-khac.yaml",
        content=TEST_SET.replace("slug: test-set", "slug: tinh-khac-2026"),
    )
    row.full_clean()
    row.save()
    try:
        assert loader.get_set("tinh-khac-2026").title == "Bộ thử"
        row.is_active = False
        row.save()
        with pytest.raises(DomainError):
            loader.get_set("tinh-khac-2026")
    finally:
        UploadedCriteriaSet.objects.all().delete()
        loader.reload()
