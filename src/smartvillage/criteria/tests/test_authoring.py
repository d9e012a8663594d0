"""Authoring a new criteria-set version in the app: copy, edit (form and YAML), live validation,
preview on the province's villages, publish, versions pinned, diff; drafts stay in their unit."""

import datetime as dt
import textwrap
from decimal import Decimal

import pytest

from smartvillage.accounts.models import Role
from smartvillage.assessments.services import get_set_for
from smartvillage.core.errors import DomainError
from smartvillage.core.testing import HouseholdFactory, make_user
from smartvillage.criteria import drafts, loader
from smartvillage.criteria.loader import get_set
from smartvillage.criteria.models import SetStatus, UploadedCriteriaSet

PHUTHO = "phutho-khu-dan-cu-thong-minh-1491"
AT = dt.date(2025, 6, 30)


@pytest.fixture(autouse=True)
def _fresh_registry():
    loader.reload()
    yield
    loader.reload()


@pytest.fixture
def villages(world):
    """Fibre: village1 7 of 8 households (87,5 %), village2 4 of 4, village3 (another commune) 1 of
    4: at 80 % two villages pass, at 90 % one."""
    for village, fibre, total in (
        (world.village1, 7, 8),
        (world.village2, 4, 4),
        (world.village3, 1, 4),
    ):
        for i in range(total):
            HouseholdFactory(village=village, code=f"{village.code}-{i}", fibre_internet=i < fibre)
    return world


def _criterion_post(**over):
    data = {
        "group": "1",
        "code": "1.8",
        "title": "Tỷ lệ hộ gia đình sử dụng thông tin di động 3G/4G/5G",
        "kind": "ratio",
        "population": "households",
        "numerator_facts": ["mobile_broadband"],
        "threshold": "50",
    }
    data.update(over)
    return data


def test_appraiser_copies_edits_previews_publishes_and_versions_stay_pinned(client, villages):
    world = villages
    client.force_login(world.erin)
    page = client.get("/criteria/authoring/")
    assert page.status_code == 200 and PHUTHO in page.content.decode()
    response = client.post("/criteria/authoring/new/", {"base": f"{PHUTHO}@1"})
    draft = UploadedCriteriaSet.objects.get(status=SetStatus.DRAFT)
    assert response.url == f"/criteria/authoring/{draft.pk}/"
    assert draft.version == 2 and draft.based_on == f"{PHUTHO}@1"
    assert draft.author_unit == world.province
    # The copy keeps the file's comments (only its version line changed).
    assert "# Phú Thọ" in draft.content

    # 1.1 raised from 80 % to 90 % by the form; 1.8 added.
    edit = client.get(f"/criteria/authoring/{draft.pk}/criterion/1.1/")
    initial = edit.context["form"].initial
    assert (initial["threshold"], initial["numerator_facts"], initial["numerator"]) == (
        "80",
        ["fibre_internet"],
        "",
    )
    assert 'value="80"' in edit.content.decode()
    original = get_set(PHUTHO).criterion("1.1")
    post = _criterion_post(code="1.1", title=original.title, requirement=original.requirement)
    post.update(numerator_facts=["fibre_internet"], threshold="90")
    assert client.post(f"/criteria/authoring/{draft.pk}/criterion/1.1/", post).status_code == 302
    assert (
        client.post(f"/criteria/authoring/{draft.pk}/criterion/", _criterion_post()).status_code
        == 302
    )
    draft.refresh_from_db()
    cset = loader.load_text(draft.content, "d.yaml")
    assert cset.criterion("1.1").threshold == Decimal("0.9")
    assert cset.criterion("1.1").list_code == "Biểu 01"  # kept from the original
    assert cset.criterion("1.8").numerator == "mobile_broadband"

    # Preview on the province's three villages: 1.1 passes in 2 under v1 (87,5 % and 100 %), in 1
    # under the draft (87,5 % < 90 %); village1 now misses one household (8 × 0,9 = 7,2 → 8).
    preview = client.get(f"/criteria/authoring/{draft.pk}/preview/?at=30/06/2025")
    rows = {r.code: r for r in preview.context["preview"].rows}
    assert (rows["1.1"].base_passing, rows["1.1"].passing) == (2, 1)
    assert (rows["1.1"].base_worklist, rows["1.1"].worklist) == (3, 4)
    assert rows["1.8"].is_new and rows["1.8"].passing == 0
    assert len(preview.context["preview"].units) == 3

    # An assessment submitted on v1 before publishing keeps v1.
    from smartvillage.assessments.models import Assessment

    old = Assessment.objects.create(
        unit=world.village1,
        criteria_set_slug=PHUTHO,
        criteria_set_version=1,
        at=AT,
        created_by=world.alice,
    )

    response = client.post(
        f"/criteria/authoring/{draft.pk}/publish/",
        {
            "legal_number": "99/QĐ-UBND",
            "legal_date": "15/01/2026",
            "legal_issuer": "UBND tỉnh Thử",
            "legal_title": "Quyết định ban hành tiêu chí khu dân cư thông minh 2026-2030",
            "guidance_title": "Hướng dẫn thực hiện tiêu chí khu dân cư thông minh",
            "guidance_issuer": "Sở Khoa học và Công nghệ tỉnh Thử",
            "guidance_number": "5/HD-SKHCN",
            "guidance_date": "20/01/2026",
            "valid_from": "15/01/2026",
            "valid_to": "31/12/2030",
            "level": "village",
            "areas": [world.province.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    loader.reload()
    new = get_set(PHUTHO)
    assert new.version == 2
    assert str(new.legal_basis).startswith("99/QĐ-UBND ngày 15/01/2026")
    assert new.guidance is not None and new.guidance.number == "5/HD-SKHCN"
    assert new.valid_to == dt.date(2030, 12, 31)
    assert new.area == {"pre2025": [world.province.code]}
    assert get_set_for(old).version == 1
    assert get_set(PHUTHO, 1).criterion("1.1").threshold == Decimal("0.8")

    diff = client.get(f"/criteria/authoring/diff/{PHUTHO}/1/2/")
    changes = {c.code: c for c in diff.context["changes"]}
    assert changes["1.8"].what == "added"
    assert changes["1.1"].details == [("Ngưỡng", "≥ 80 %", "≥ 90 %")]


def test_live_validation_names_the_line_in_vietnamese(client, world):
    client.force_login(world.erin)
    draft = drafts.do_create_draft(world.erin, get_set(PHUTHO))
    broken = draft.content.replace("threshold: 0.85", "threshold: 85")
    line = broken.splitlines().index("        threshold: 85") + 1
    html = client.post(f"/criteria/authoring/{draft.pk}/validate/", {"content": broken}).content
    text = html.decode()
    assert f"Dòng {line}" in text and "tiêu chí 1.2" in text and "từ 0 đến 1" in text
    ok = client.post(f"/criteria/authoring/{draft.pk}/validate/", {"content": draft.content})
    assert "Hợp lệ: 7 tiêu chí" in ok.content.decode()


def test_drafts_are_seen_only_by_their_authors_unit(client, world):
    other_province = world.province.__class__.objects.create(
        name="Tỉnh Khác", level="province", unit_type="tinh", code="97", scheme="pre2025"
    )
    other = make_user("olga", Role.APPRAISER, other_province)
    draft = drafts.do_create_draft(world.erin, None)
    client.force_login(other)
    assert client.get(f"/criteria/authoring/{draft.pk}/").status_code == 404
    assert draft.slug not in client.get("/criteria/authoring/").content.decode()
    client.force_login(world.carol)  # a commune officer may not author at all
    assert client.get("/criteria/authoring/").status_code == 403
    client.force_login(world.erin)
    assert client.get(f"/criteria/authoring/{draft.pk}/").status_code == 200
    # A draft is never loaded as a set.
    loader.reload()
    with pytest.raises(DomainError):
        get_set(draft.slug)


def test_the_form_refuses_an_unknown_fact_and_a_duplicate_code(client, world):
    client.force_login(world.erin)
    draft = drafts.do_create_draft(world.erin, get_set(PHUTHO))
    url = f"/criteria/authoring/{draft.pk}/criterion/"
    page = client.post(url, _criterion_post(code="1.2"))
    assert "đã có trong bộ" in page.content.decode()
    page = client.post(url, _criterion_post(numerator_facts=[], numerator="khong_co"))
    assert "không có trong danh mục chỉ tiêu" in page.content.decode()


def test_commune_group_threshold_rule_from_the_form(client, world):
    client.force_login(world.erin)
    draft = drafts.do_create_draft(world.erin, get_set(PHUTHO))
    post = _criterion_post(rule_attr_1="commune_group", rule_value_1="1", rule_threshold_1="70")
    assert client.post(f"/criteria/authoring/{draft.pk}/criterion/", post).status_code == 302
    draft.refresh_from_db()
    c = loader.load_text(draft.content, "d.yaml").criterion("1.8")
    assert float(c.threshold_for({"commune_group": 1})) == pytest.approx(0.7)
    assert float(c.threshold_for({"commune_group": 2})) == pytest.approx(0.5)


CHECK_BROKEN = textwrap.dedent(
    """\
    slug: hong
    version: 1
    title: Bộ hỏng
    level: village
    legal_basis: {number: 1/QĐ, date: 2026-01-01, issuer: UBND tỉnh}
    valid_from: 2026-01-01
    groups:
      - code: "1"
        criteria:
          - code: "1.1"
            title: Cáp quang
            kind: ratio
            population: households
            numerator: fibre_internet
            threshold: 80
    """
)


def test_criteria_check_reports_a_broken_file_with_its_line(tmp_path, db):
    from django.core.management import CommandError, call_command

    path = tmp_path / "hong.yaml"
    path.write_text(CHECK_BROKEN, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("criteria", "check", str(path))
    assert "hong.yaml, dòng 15, tiêu chí 1.1, trường “threshold”" in str(caught.value)
    path.write_text(CHECK_BROKEN.replace("threshold: 80", "threshold: 0.8"), encoding="utf-8")
    from io import StringIO

    out = StringIO()
    call_command("criteria", "check", str(path), stdout=out)
    assert "OK: hong v1, 1 tiêu chí" in out.getvalue()
    assert "1.1" in out.getvalue() and "≥ 80 %" in out.getvalue()


def test_evaluate_a_file_without_publishing_it(tmp_path, villages):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "nhap.yaml"
    path.write_text(CHECK_BROKEN.replace("threshold: 80", "threshold: 0.7"), encoding="utf-8")
    out = StringIO()
    call_command(
        "evaluate",
        "--criteria-file",
        str(path),
        "--unit",
        villages.village1.code,
        "--at",
        "2026-06-30",
        "--format",
        "json",
        stdout=out,
    )
    import json

    data = json.loads(out.getvalue())
    assert data["criteria"][0]["numerator"] == 7 and data["criteria"][0]["status"] == "pass"
    loader.reload()
    with pytest.raises(DomainError):
        get_set("hong")


def test_a_published_version_reaches_other_workers_and_a_draft_does_not(world, monkeypatch):
    """No reload(): another web worker notices the published row by the table's stamp."""
    loader.get_set(PHUTHO)  # this worker has loaded the sets
    monkeypatch.setattr(loader, "_REFRESH_SECONDS", 0.0)
    draft = drafts.do_create_draft(world.erin, get_set(PHUTHO))
    stamp = loader._upload_stamp()
    drafts.do_save_draft(
        world.erin, draft, draft.content.replace("threshold: 0.85", "threshold: 0.9")
    )
    assert loader._upload_stamp() == stamp  # editing a draft changes nothing the workers load
    assert get_set(PHUTHO).version == 1
    drafts.do_publish(
        world.erin,
        draft,
        drafts.Publication(
            legal_number="7/QĐ-UBND",
            legal_date=dt.date(2026, 2, 1),
            legal_issuer="UBND tỉnh Thử",
            legal_title="",
            valid_from=dt.date(2026, 2, 15),
            valid_to=None,
            level="village",
            areas=[world.province],
        ),
    )
    assert get_set(PHUTHO).version == 2
    assert get_set(PHUTHO).criterion("1.2").threshold == Decimal("0.9")


def test_the_diff_names_kinds_populations_and_evidence_in_words(world):
    base = get_set(PHUTHO)
    text = drafts.set_text(base).replace("version: 1", "version: 2")
    text = text.replace(
        "        kind: ratio\n        population: working_age\n        numerator: smartphone\n",
        "        kind: ratio\n        population: adults\n        numerator: smartphone\n",
    )
    text = text.replace(
        "          - {category: document, type: digital_team_activity_report}\n", ""
    )
    changes = {c.code: c for c in drafts.diff_sets(base, loader.load_text(text, "v2.yaml"))}
    assert ("Đối tượng", "người trong độ tuổi lao động", "người trưởng thành") in changes[
        "1.2"
    ].details
    (label, before, after) = changes["1.6"].details[0]
    assert label == "Minh chứng bắt buộc" and "Báo cáo kết quả hoạt động" in before
    assert "Báo cáo kết quả hoạt động" not in after


def test_a_draft_is_deleted_by_its_unit_only_and_audited(client, world):
    from smartvillage.audit.models import AuditEvent

    draft = drafts.do_create_draft(world.erin, get_set(PHUTHO))
    client.force_login(world.carol)
    assert client.post(f"/criteria/authoring/{draft.pk}/delete/").status_code == 403
    client.force_login(world.erin)
    assert client.post(f"/criteria/authoring/{draft.pk}/delete/").status_code == 302
    assert not UploadedCriteriaSet.objects.filter(pk=draft.pk).exists()
    event = AuditEvent.objects.get(action="delete", object_type="uploadedcriteriaset")
    assert event.before["based_on"] == f"{PHUTHO}@1"


def test_two_drafts_of_one_set_publish_as_successive_versions(world):
    first = drafts.do_create_draft(world.erin, get_set(PHUTHO))
    second = drafts.do_create_draft(world.erin, get_set(PHUTHO))
    assert (first.version, second.version) == (2, 3)
    pub = drafts.Publication(
        legal_number="7/QĐ-UBND",
        legal_date=dt.date(2026, 2, 1),
        legal_issuer="UBND tỉnh Thử",
        legal_title="",
        valid_from=dt.date(2026, 2, 15),
        valid_to=None,
        level="village",
        areas=[],
    )
    loader.reload()
    assert drafts.do_publish(world.erin, second, pub).version == 3
    loader.reload()
    # The first draft was numbered 2, but 3 is out: it becomes 4, never a version under 3.
    assert drafts.do_publish(world.erin, first, pub).version == 4


def test_the_form_writes_an_open_list_count(client, world):
    client.force_login(world.erin)
    draft = drafts.do_create_draft(world.erin, get_set(PHUTHO))
    post = _criterion_post(
        code="1.9",
        title="Có ít nhất một mô hình chuyển đổi số",
        kind="count",
        numerator_facts=[],
        threshold="",
        evidence=["it_model/health", "it_model/education"],
        open_list="on",
        minimum="1",
    )
    assert client.post(f"/criteria/authoring/{draft.pk}/criterion/", post).status_code == 302
    draft.refresh_from_db()
    c = loader.load_text(draft.content, "d.yaml").criterion("1.9")
    assert c.count == [
        {"category": "it_model", "type": ["health", "education"]},
        {"category": "it_model", "type": "other", "fields": ["description"]},
    ]
    assert (
        client.get(f"/criteria/authoring/{draft.pk}/criterion/1.9/")
        .context["form"]
        .initial["open_list"]
    )
