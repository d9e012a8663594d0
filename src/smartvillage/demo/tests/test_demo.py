"""`smartvillage demo`: the seed villages with generated data, demo users, and idempotency."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from smartvillage.accounts.models import Role, RoleAssignment
from smartvillage.audit.models import AuditEvent
from smartvillage.criteria.working_age import is_working_age
from smartvillage.demo import demo
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.registry.models import Household, Person, Relationship
from smartvillage.units.models import AdminUnit, Level, Scheme


def _run() -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", "--units", "demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "units": AdminUnit.objects.count(),
        "households": Household.objects.count(),
        "persons": Person.objects.count(),
        "users": User.objects.count(),
        "roles": RoleAssignment.objects.count(),
        "evidence": EvidenceRecord.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _village(commune: str, name: str) -> AdminUnit:
    return AdminUnit.objects.get(level=Level.VILLAGE, parent__name=commune, name=name)


@pytest.mark.django_db
def test_demo_creates_the_seed_villages_and_rerun_adds_nothing(client):
    output = _run()
    first = _counts()

    an_phu = _village("An Nhơn", "An Phú")
    assert an_phu.get_unit_type_display() == "Ấp"
    assert an_phu.households.count() == 761
    assert Person.objects.filter(village=an_phu).count() == 2420
    # Person.village is kept in step with the household's village.
    assert not Person.objects.filter(village=an_phu).exclude(household__village=an_phu).exists()
    assert "761 hộ, 2.420 nhân khẩu" in output

    # Every seed village hangs under its official (pre-2025) commune, district and province.
    expected = {
        ("Hải Dương", "Tứ Kỳ", "An Thanh"): ["Mỹ Nam (thôn Thanh Kỳ)"],
        ("Thanh Hóa", "Hà Trung", "Hà Sơn"): ["Chí Phúc"],
        ("Phú Thọ", "Việt Trì", "Hy Cương"): ["Khu dân cư số 3"],
        ("Đồng Tháp", "Châu Thành", "An Nhơn"): ["An Phú"],
        ("Kon Tum", "Kon Tum", "Vinh Quang"): ["Kon Rơ Bàng 1", "Kon Rơ Bàng 2", "Thôn 3"],
    }
    for (province, district, commune_name), names in expected.items():
        commune = AdminUnit.objects.get(
            level=Level.COMMUNE,
            scheme=Scheme.PRE_2025,
            name=commune_name,
            parent__name=district,
            parent__parent__name=province,
        )
        villages = list(commune.children.filter(level=Level.VILLAGE).order_by("name"))
        assert sorted(v.name for v in villages) == sorted(names)
        for village in villages:
            assert village.path.startswith(commune.path)
            assert village.households.count() > 50
    kon_tum = AdminUnit.objects.get(
        level=Level.COMMUNE, name="Vinh Quang", parent__parent__name="Kon Tum"
    )
    assert kon_tum.attributes["ethnic_minority_mountainous"] is True
    assert kon_tum.evidence.filter(category="recognition", type="ntm_advanced").exists()

    # Evidence the seeds describe.
    assert an_phu.evidence.get(category="product", type="ocop").attributes["stars"] == 3
    decision = EvidenceRecord.objects.get(
        unit__name="Khu dân cư số 3", type="decision_digital_team"
    )
    assert decision.number and decision.issued_date
    my_nam = _village("An Thanh", "Mỹ Nam (thôn Thanh Kỳ)")
    assert set(my_nam.evidence.values_list("type", flat=True)) >= {
        "wifi_public",
        "security_camera",
        "zalo_group",
    }
    assert EvidenceRecord.objects.filter(category="it_model").count() >= 5

    # One user per role, all able to log in with the printed password.
    for role in Role:
        if role == Role.SYSTEM_ADMIN:
            continue
        assert RoleAssignment.objects.filter(role=role, user__username__contains=".").exists(), role
    assert RoleAssignment.objects.get(user__username="truongthon.mynam").unit == my_nam
    assert RoleAssignment.objects.get(user__username="lanhdao.annhon").unit == an_phu.parent
    assert (
        RoleAssignment.objects.get(user__username="thamdinh.dongthap").unit.level == Level.PROVINCE
    )
    assert User.objects.get(username="admin").is_superuser
    usernames = [
        "truongthon.mynam",
        "truongthon.chiphuc",
        "truongthon.khu3",
        "truongthon.anphu",
        "truongthon.konrobang1",
        "tocns.anphu",
        "canbo.annhon",
        "lanhdao.annhon",
        "lanhdao.vinhquang",
        "thamdinh.dongthap",
        "lanhdao.hycuong",
        "thamdinh.phutho",
        "admin",
    ]
    for username in usernames:
        assert username in output
        assert client.login(username=username, password=demo.PASSWORD), username
        client.logout()
    assert demo.PASSWORD in output

    # A second run changes nothing.
    second_output = _run()
    assert _counts() == first
    assert "đã có, giữ nguyên" in second_output
    assert "Minh chứng mới: 0" in second_output


@pytest.mark.django_db
def test_generated_people_are_plausible_and_rates_follow_the_seeds():
    demo.build_demo(units="demo")
    an_phu = _village("An Nhơn", "An Phú")
    persons = list(Person.objects.filter(village=an_phu))
    at = demo.REF_DATE
    working = [p for p in persons if is_working_age(p.birth_date, p.sex, at)]
    smartphone = sum(p.smartphone for p in working) / len(working)
    online = sum(p.online_public_services for p in working) / len(working)
    assert 0.89 <= smartphone <= 0.95  # seed: 92 %
    assert 0.85 <= online <= 0.91  # seed: 87,9 %

    # Phú Thọ residential area: fibre at its 80 % threshold, e-payment left a little short of 80 %.
    khu3 = _village("Hy Cương", "Khu dân cư số 3")
    households = list(khu3.households.all())
    fibre = sum(h.fibre_internet for h in households) / len(households)
    assert 0.80 <= fibre <= 0.88
    working3 = [
        p for p in Person.objects.filter(village=khu3) if is_working_age(p.birth_date, p.sex, at)
    ]
    epay = sum(p.epayment_account for p in working3) / len(working3)
    assert 0.70 <= epay < 0.80

    all_persons = list(Person.objects.all())
    all_households = Household.objects.count()
    assert 3.2 <= len(all_persons) / all_households <= 3.5
    ages = [demo._age(p.birth_date) for p in all_persons]
    children = sum(a < 15 for a in ages) / len(ages)
    elderly = [p for p, a in zip(all_persons, ages, strict=True) if a >= 60]
    assert 0.15 <= children <= 0.30
    assert 0.08 <= len(elderly) / len(ages) <= 0.25
    year_only = [p for p in all_persons if p.birth_year_only]
    assert all(p.birth_date.month == 1 and p.birth_date.day == 1 for p in year_only)
    assert 0.05 <= len(year_only) / len(elderly) <= 0.16
    assert all(demo._age(p.birth_date) >= 60 for p in year_only)

    # Every household has exactly one head, listed first; adults have a 12-digit identity number.
    heads = Counter(
        Person.objects.filter(relationship=Relationship.HEAD).values_list("household_id", flat=True)
    )
    assert len(heads) == all_households and set(heads.values()) == {1}
    for household in Household.objects.filter(village=an_phu)[:50]:
        members = list(household.persons.all())
        assert members[0].relationship == Relationship.HEAD
        assert household.head_name == members[0].full_name
        assert household.code.startswith("AP-")
    adults = [p for p, a in zip(all_persons, ages, strict=True) if a >= 18]
    assert all(len(p.identity_number) == 12 and p.identity_number.isdigit() for p in adults)
    assert all(p.identity_number.startswith("087") for p in persons if p.identity_number)
    assert len({p.identity_number for p in adults}) == len(adults)
    # Vietnamese names: a family name from the usual list, a middle name, a given name.
    kinh = [p.full_name for p in persons]
    surnames = Counter(name.split()[0] for name in kinh)
    assert surnames.most_common(1)[0][0] == "Nguyễn"
    assert all(len(name.split()) >= 3 for name in kinh)


def test_generation_is_deterministic_and_sizes_sum_exactly():
    assert demo.household_sizes(random.Random(1), 761, 2420) == demo.household_sizes(
        random.Random(1), 761, 2420
    )
    sizes = demo.household_sizes(random.Random(7), 761, 2420)
    assert len(sizes) == 761 and sum(sizes) == 2420 and min(sizes) >= 1 and max(sizes) <= 7
    namer = demo._Namer(random.Random(3), "north")
    members = demo.compose_household(random.Random(5), namer, 5)
    assert len(members) == 5 and members[0].relationship in {Relationship.HEAD, Relationship.PARENT}
    assert sum(m.relationship == Relationship.HEAD for m in members) == 1


@pytest.mark.django_db
def test_unknown_units_option_is_refused():
    with pytest.raises(CommandError):
        call_command("demo", "--no-serve", "--units", "everything")
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_the_demo_has_a_plan_and_a_submitted_assessment_to_work_on():
    from smartvillage.assessments.models import Assessment
    from smartvillage.assessments.services import allowed_steps
    from smartvillage.plans.models import Plan, PlanTask

    demo.build_demo(units="demo")
    chiphuc = _village("Hà Sơn", "Chí Phúc")
    plan = Plan.objects.get(unit=chiphuc)
    tasks = PlanTask.objects.filter(item__plan=plan)
    # Seed 001: 70 million for the loudspeakers, 5 for cameras, 5 for the digital team; the plan
    # itself "Dự kiến khoảng 90 triệu đồng", to be completed "trước 30/11/2022".
    assert sum(t.budget or 0 for t in tasks) == 80_000_000
    assert plan.budget_planned == 90_000_000
    assert plan.deadline == dt.date(2022, 11, 30)
    assert tasks.filter(status="in_progress").count() == 4
    # Criterion 6: "Thời gian điều tra tổng hợp, lập danh sách các hộ hoàn thành trước 10/10/2022.
    # Thời gian hoàn thành trước 30/11/2022."
    six = tasks.get(item__criterion_code="6", executor="village")
    assert (six.survey_deadline, six.deadline) == (dt.date(2022, 10, 10), dt.date(2022, 11, 30))
    assert tasks.filter(executor="head", item__criterion_code="2").exists()
    assert tasks.get(item__criterion_code="1", executor="commune").budget_note == (
        "Do Viễn thông Hà Trung chịu trách nhiệm"
    )
    khu3 = _village("Hy Cương", "Khu dân cư số 3")
    assessment = Assessment.objects.get(unit=khu3)
    assert assessment.current_version == 1
    leader = User.objects.get(username="lanhdao.hycuong")
    assert "confirm" in allowed_steps(leader, assessment)
    demo.build_demo(units="none")
    assert Plan.objects.count() == 1 and Assessment.objects.count() == 1


@pytest.mark.django_db
def test_the_demo_publishes_an_phu_with_an_open_survey(client):
    import re

    from smartvillage.surveys.models import Response, Survey

    output = _run()
    line = next(x for x in output.splitlines() if x.startswith("Trang công khai:"))
    path = re.search(r"https?://[^/]+(/\S+)", line).group(1)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ấp An Phú" in html and "Trả lời khảo sát" in html
    an_phu = _village("An Nhơn", "An Phú")
    heads = set(an_phu.households.values_list("head_name", flat=True)[:50])
    assert not [name for name in heads if name in html]
    survey = Survey.objects.get(village=an_phu)
    assert Response.objects.filter(survey=survey).count() == demo.SURVEY_SAMPLE_ANSWERS
    _run()  # a second run adds no survey, answer or announcement
    assert Survey.objects.filter(village=an_phu).count() == 1
    assert Response.objects.filter(survey=survey).count() == demo.SURVEY_SAMPLE_ANSWERS
