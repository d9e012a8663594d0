"""The inbox "Việc cần xử lý" per role, its count in the navigation, and the homes by role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from smartvillage.accounts.models import Role
from smartvillage.assessments import services
from smartvillage.assessments.tests.conftest import AT, PHUTHO, populate
from smartvillage.core.testing import make_user
from smartvillage.homes import inbox
from smartvillage.homes.models import RecognitionTarget
from smartvillage.plans.models import Plan, PlanItem, PlanTask
from smartvillage.transfer.models import ImportJob, JobStatus


def _section(user, key):
    return next((s for s in inbox.counted_sections(user) if s.key == key), None)


def _count_in_nav(client):
    html = client.get(reverse("core:home")).content.decode()
    nav = html.split('id="nav-inbox"')[1].split("</a>")[0]
    return int(nav.split('class="count">')[1].split("<")[0])


@pytest.fixture
def submitted(world):
    populate(world.village1)
    a = services.do_create(world.alice, world.village1, PHUTHO, AT)
    services.do_submit(world.alice, a)
    a.refresh_from_db()
    return a


def test_each_role_gets_its_home(world):
    root = make_user("root2", Role.SYSTEM_ADMIN, None)
    kinds = {u.username: inbox.home_kind(u) for u in (world.alice, world.carol, world.erin, root)}
    assert kinds == {
        "alice": inbox.VILLAGE,
        "carol": inbox.COMMUNE,
        "erin": inbox.APPRAISER,
        "root2": inbox.ADMIN,
    }


def test_a_submission_waits_for_the_commune_then_the_appraiser(world, submitted, client):
    to_confirm = _section(world.dave, "to_confirm")
    assert to_confirm.count == 1
    assert to_confirm.rows[0].url == reverse("assessments:detail", args=[submitted.pk])
    assert "Thôn Một" in to_confirm.rows[0].text and "Xã An" in to_confirm.rows[0].text
    assert _section(world.erin, "to_appraise").count == 0  # not confirmed yet
    client.force_login(world.dave)
    assert _count_in_nav(client) == 1
    home = client.get(reverse("core:home")).content.decode()
    assert 'id="inbox-to_confirm"' in home and 'id="matrix"' in home
    services.do_confirm(world.dave, submitted)
    assert _section(world.dave, "to_confirm").count == 0
    assert _section(world.erin, "to_appraise").count == 1
    # Another province's appraiser sees nothing of it.
    from smartvillage.assessments.tests.conftest import make_unit
    from smartvillage.units.models import Level, UnitType

    other = make_unit("Tỉnh Khác", Level.PROVINCE, UnitType.TINH, code="98")
    zed = make_user("zed", Role.APPRAISER, other)
    assert _section(zed, "to_appraise").count == 0


def test_a_returned_dossier_and_overdue_tasks_wait_for_the_village(world, submitted, client):
    services.do_return(world.dave, submitted, "Thiếu biểu 02")
    returned = _section(world.alice, "returned")
    assert returned.count == 1 and returned.rows[0].url.endswith(f"/assessments/{submitted.pk}/")
    assert _section(world.bob, "returned").count == 0
    plan = Plan.objects.create(
        unit=world.village1,
        criteria_set_slug=PHUTHO,
        criteria_set_version=1,
        title="Kế hoạch thử",
        year=2024,
    )
    item = PlanItem.objects.create(plan=plan, criterion_code="1.1", title="Cáp quang")
    PlanTask.objects.create(item=item, description="Lắp cáp", deadline=dt.date(2024, 1, 1))
    PlanTask.objects.create(
        item=item, description="Đã xong", deadline=dt.date(2024, 1, 1), status="done"
    )
    assert _section(world.alice, "overdue").count == 1
    ImportJob.objects.create(village=world.village1, user=world.alice, status=JobStatus.PREVIEWED)
    assert _section(world.alice, "imports").count == 1
    client.force_login(world.alice)
    assert _count_in_nav(client) == 3
    home = client.get(reverse("core:home")).content.decode()
    # Her village's summary first: pass/fail, failing criteria with gaps and one-tap worklists.
    assert home.index('id="verdict"') < home.index('id="inbox"')
    assert 'id="failing"' in home and "/worklist/" in home


def test_the_admin_sees_users_without_a_role(world, client):
    root = make_user("root2", Role.SYSTEM_ADMIN, None, is_staff=True)
    make_user("newcomer")
    section = _section(root, "no_role")
    assert section.count == 1 and section.rows[0].text == "newcomer"
    client.force_login(root)
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("admin:accounts_roleassignment_add") in home


def test_the_appraisers_home_counts_recognised_villages_against_the_target(world, client):
    RecognitionTarget.objects.create(unit=world.province, year=dt.date.today().year, villages=12)
    client.force_login(world.erin)
    home = client.get(reverse("core:home")).content.decode()
    stat = home.split('id="recognised"')[1].split("</div>")[0]
    assert "0 / 12" in stat
    assert 'id="rollup"' in home and reverse("core:all_units") in home
    # The tree of every unit is one link away, no longer the home page.
    assert 'class="tree"' not in home


def test_unit_search_finds_visible_units_without_diacritics(world, client):
    client.force_login(world.dave)
    html = client.get(reverse("core:unit_search"), {"q": "thon mot"}, HTTP_HX_REQUEST="true")
    body = html.content.decode()
    assert "Thôn Một" in body and "Thôn Ba" not in body  # Thôn Ba is in Xã Bình, not hers
    client.force_login(world.erin)
    body = client.get(reverse("core:unit_search"), {"q": "thon"}).content.decode()
    assert "Thôn Ba" in body


def test_the_village_page_starts_with_its_result_and_failing_criteria(world, client):
    populate(world.village1)
    client.force_login(world.alice)
    page = client.get(reverse("core:unit", args=[world.village1.pk])).content.decode()
    assert page.index('id="verdict"') < page.index('id="failing"') < page.index('id="households"')
    assert 'class="tabs"' in page and 'aria-current="page"' in page


def test_the_admin_sees_failed_imports_and_background_jobs(world):
    from smartvillage.jobs.models import Job, Status

    root = make_user("root2", Role.SYSTEM_ADMIN, None, is_staff=True)
    ImportJob.objects.create(village=world.village1, status=JobStatus.FAILED, message="Tệp hỏng")
    Job.objects.create(target="x", title="Tính lại kết quả", status=Status.FAILED, message="Lỗi")
    Job.objects.create(target="x", title="Xong rồi", status=Status.DONE)
    section = _section(root, "failed_jobs")
    assert section.count == 2
    assert {r.text for r in section.rows} == {"Thôn Một", "Tính lại kết quả"}


def test_earlier_years_recognised_against_their_targets(world, client):
    year = dt.date.today().year
    RecognitionTarget.objects.create(unit=world.province, year=year - 1, villages=7)
    populate(world.village1)
    a = services.do_create(world.alice, world.village1, PHUTHO, AT)
    from smartvillage.assessments.models import Assessment, State

    Assessment.objects.filter(pk=a.pk).update(
        state=State.RECOGNISED, recognition_date=dt.date(year - 1, 12, 1)
    )
    client.force_login(world.erin)
    html = client.get(reverse("core:home")).content.decode()
    row = html.split('id="recognised-years"')[1].split("</table>")[0]
    assert f"<th>{year - 1}</th>" in row and '<td class="num">1</td>' in row and ">7<" in row


def test_the_inbox_costs_the_same_queries_for_one_dossier_or_many(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from smartvillage.accounts.models import RoleAssignment
    from smartvillage.core.testing import make_unit
    from smartvillage.units.models import Level, UnitType

    populate(world.village1)

    def confirmed(village):
        a = services.do_create(world.alice, village, PHUTHO, AT)
        services.do_submit(world.alice, a)
        services.do_confirm(world.dave, a)

    confirmed(world.village1)
    erin = type(world.erin).objects.get(pk=world.erin.pk)
    with CaptureQueriesContext(connection) as one:
        assert inbox.count(erin) == 1
    for index in range(6):
        village = make_unit(f"Thôn {index + 10}", Level.VILLAGE, UnitType.THON, world.commune)
        RoleAssignment.objects.create(user=world.alice, role=Role.VILLAGE_HEAD, unit=village)
        world.alice = type(world.alice).objects.get(pk=world.alice.pk)  # roles are cached
        confirmed(village)
    erin = type(world.erin).objects.get(pk=world.erin.pk)
    with CaptureQueriesContext(connection) as many:
        assert inbox.count(erin) == 7
    assert len(many) == len(one)


def test_the_appraisers_dossiers_are_counted_by_district(world, submitted):
    from smartvillage.core.testing import make_unit
    from smartvillage.units.models import Level, UnitType

    services.do_confirm(world.dave, submitted)
    other = make_unit("Huyện Khác", Level.DISTRICT, UnitType.HUYEN, world.province, code="998")
    commune = make_unit("Xã Xa", Level.COMMUNE, UnitType.XA, other, code="99801")
    village = make_unit("Thôn Xa", Level.VILLAGE, UnitType.THON, commune, code="99801-T001")
    head = make_user("xa", Role.VILLAGE_HEAD, village)
    leader = make_user("xa.lanhdao", Role.COMMUNE_LEADER, commune)
    populate(village)
    a = services.do_create(head, village, PHUTHO, AT)
    services.do_submit(head, a)
    services.do_confirm(leader, a)
    section = _section(world.erin, "to_appraise")
    assert section.count == 2
    assert section.groups == [("Huyện Khác", 1), ("Huyện Thử", 1)]
