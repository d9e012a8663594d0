"""Site-wide behaviour: login, lockout after repeated failures, logout, language switch, formats."""

from __future__ import annotations

import pytest
from django.urls import reverse

from smartvillage.core.testing import PASSWORD, HouseholdFactory


def test_login_and_logout(client, world):
    response = client.post(reverse("core:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert "Thôn Một" in client.get(reverse("core:home")).content.decode()
    response = client.post(reverse("core:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("core:login")
    assert client.get(reverse("core:home")).status_code == 302


def test_wrong_password_message_is_vietnamese(client, world):
    response = client.post(reverse("core:login"), {"username": "alice", "password": "sai"})
    assert response.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.content.decode()


def test_login_lockout_after_repeated_failures(client, world, settings):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(
            reverse("core:login"), {"username": "alice", "password": "sai-mat-khau"}
        )
        assert response.status_code == 200
    response = client.post(reverse("core:login"), {"username": "alice", "password": "sai-mat-khau"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Tài khoản đã bị tạm khóa do đăng nhập sai 5 lần liên tiếp" in html
    assert "15 phút" in html
    # Even the right password is refused while locked, and no session is opened.
    response = client.post(reverse("core:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert client.get(reverse("core:home")).status_code == 302
    # Another account from the same address is not locked (lockout is per username + IP).
    response = client.post(reverse("core:login"), {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302


def test_language_switch_to_english(client, world):
    client.force_login(world.alice)
    html = client.get(reverse("core:home")).content.decode()
    assert "Việc cần xử lý" in html and '<html lang="vi">' in html
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("core:home")}
    )
    assert response.status_code == 302
    html = client.get(reverse("core:home")).content.decode()
    assert '<html lang="en">' in html
    assert "To do" in html and "Log out" in html and "Việc cần xử lý" not in html
    html = client.get(reverse("core:unit", args=[world.village1.pk])).content.decode()
    assert "Households" in html and "Add household" in html


def test_numbers_and_dates_in_vietnamese_format(client, world):
    from django.template import Context, Template
    from django.utils import translation

    with translation.override("vi"):
        assert Template("{{ n }}").render(Context({"n": 1234.5})) == "1.234,5"
        import datetime as dt

        assert (
            Template("{{ d|date:'SHORT_DATE_FORMAT' }}").render(Context({"d": dt.date(2024, 3, 5)}))
            == "05/03/2024"
        )
    for _i in range(3):
        HouseholdFactory(village=world.village1)
    client.force_login(world.erin)
    html = client.get(reverse("core:unit", args=[world.commune.pk])).content.decode()
    assert "<b>3</b>" in html


@pytest.mark.parametrize("name", ["core:home", "core:login"])
def test_pages_load_vendored_htmx_and_css(client, world, name):
    client.force_login(world.alice)
    html = client.get(reverse(name), follow=True).content.decode()
    assert "/static/vendor/htmx.min.js" in html and "/static/css/site.css" in html
    assert "//cdn" not in html and "unpkg" not in html
