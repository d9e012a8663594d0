"""Text hygiene (issue 11, item 2): control characters refused at the entry, removed by writers."""

from __future__ import annotations

import io
import zipfile

import pytest
from django import forms
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from smartvillage.core import text
from smartvillage.core.testing import PASSWORD, HouseholdFactory, PersonFactory
from smartvillage.registry.forms import HouseholdForm
from smartvillage.registry.models import Household, Person

BAD = "Nguyễn\x01Văn\x1bAn\x7f\x9f"


def test_rule_refuses_invisible_controls_and_cleans_line_breaks():
    assert text.refusal("Nguyễn Văn An") is None
    assert text.refusal("dòng 1\ndòng 2\tcột") is None
    assert text.refusal("An\x00") == (
        "có ký tự điều khiển không in được (U+0000) ở vị trí 3; hãy gõ lại nội dung này thay vì dán"
    )
    assert text.refusal("\ud800") is not None and text.refusal("a\ufffe") is not None
    assert text.clean_line("Nguyễn\tVăn\r\n\x0bAn") == "Nguyễn Văn An"
    assert text.clean_multiline("một\r\nhai\x0bba\u2028bốn") == "một\nhai\nba\nbốn"
    assert text.printable(BAD) == "NguyễnVănAn"
    assert text.printable(5) == 5


@pytest.mark.django_db
def test_household_form_refuses_a_control_character_and_cleans_a_tab(world):
    data = {"code": "K1", "head_name": f"Lê{chr(1)}Thị", "address": "Xóm 1", "note": ""}
    form = HouseholdForm(data=data, village=world.village1)
    assert not form.is_valid()
    assert "ký tự điều khiển không in được (U+0001)" in str(form.errors["head_name"])
    data = {"code": "K1", "head_name": "Lê\tThị\nHoa", "address": "", "note": "một\r\nhai\x0b"}
    form = HouseholdForm(data=data, village=world.village1)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["head_name"] == "Lê Thị Hoa"
    assert form.cleaned_data["note"] == "một hai"  # a one-line note (CharField, text input)
    form.fields["note"].widget = forms.Textarea()
    form = HouseholdForm(data=data, village=world.village1)
    form.fields["note"].widget = forms.Textarea()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["note"] == "một\nhai"  # a textarea keeps its line break


@pytest.mark.django_db
def test_web_form_with_a_nul_byte_writes_nothing(client, world):
    household = HouseholdFactory(village=world.village1, code="N1", head_name="Cũ")
    assert client.login(username=world.alice.username, password=PASSWORD)
    url = reverse("registry:household_edit", args=[household.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {
        name: (value if value is not None else "")
        for name, value in ((f.html_name, f.value()) for f in form)
    }
    data["head_name"] = "Mới\x00"
    response = client.post(url, data)
    assert response.status_code == 200
    assert Household.objects.get(pk=household.pk).head_name == "Cũ"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["Nguyễn\x00An", "Nguyễn\x01An", "Nguyễn\x9fAn", "Nguyễn\x7f"])
def test_api_patch_with_a_control_character_is_a_400_in_vietnamese(world, value):
    person = PersonFactory(household=HouseholdFactory(village=world.village1))
    client = APIClient()
    client.force_login(world.alice)
    response = client.patch(f"/api/persons/{person.pk}/", {"full_name": value}, format="json")
    assert response.status_code == 400, response.content
    assert "ký tự điều khiển" in response.content.decode()
    assert Person.objects.get(pk=person.pk).full_name == person.full_name


@pytest.mark.django_db
def test_old_data_with_control_characters_never_breaks_an_export(client, world):
    """Stored directly through the ORM (as before the rule): every download still answers 200."""
    household = HouseholdFactory(
        village=world.village1, code="X\x01", head_name=BAD, note="ghi\x1bchú", fibre_internet=True
    )
    PersonFactory(household=household, full_name=BAD)
    assert client.login(username=world.alice.username, password=PASSWORD)

    response = client.get(reverse("transfer:registry_export", args=[world.village1.pk]))
    assert response.status_code == 200
    values = [c for ws in load_workbook(io.BytesIO(response.content)) for r in ws.values for c in r]
    assert "NguyễnVănAn" in values
    for fmt in ("xlsx", "docx"):
        response = client.get(
            reverse("transfer:list_download", args=[world.village1.pk]),
            {"set": "phutho-khu-dan-cu-thong-minh-1491", "criterion": "1.1", "format": fmt},
        )
        assert response.status_code == 200, (fmt, response.status_code)
        assert response["Content-Type"] != "text/html; charset=utf-8"
        if fmt == "xlsx":
            book = load_workbook(io.BytesIO(response.content))
            assert "NguyễnVănAn" in [c for ws in book for r in ws.values for c in r]
        else:
            with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                body = archive.read("word/document.xml")
            assert b"\x01" not in body and "NguyễnVănAn".encode() in body


@pytest.mark.django_db
def test_api_extra_facts_refuse_a_nul_before_the_json_column(world):
    person = PersonFactory(household=HouseholdFactory(village=world.village1))
    client = APIClient()
    client.force_login(world.alice)
    response = client.patch(
        f"/api/persons/{person.pk}/", {"extra": {"village_head": "có\x00"}}, format="json"
    )
    assert response.status_code == 400
    assert "ký tự điều khiển không in được (U+0000)" in response.content.decode()


@pytest.mark.django_db
def test_admin_forms_follow_the_same_rule(world, rf):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = world.root
    form_class = admin.site._registry[Household].get_form(request)
    form = form_class(data={"village": world.village1.pk, "code": "AD1", "head_name": "X\x01"})
    assert not form.is_valid()
    assert "ký tự điều khiển" in str(form.errors["head_name"])
