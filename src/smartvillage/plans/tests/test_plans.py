import datetime as dt
import io

import docx
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from smartvillage.core.errors import DomainError
from smartvillage.core.testing import PASSWORD, HouseholdFactory
from smartvillage.documents.plan_export import export_plan
from smartvillage.plans import services
from smartvillage.plans.models import Plan, PlanTask, TaskStatus

THANHHOA = "thanhhoa-thon-thong-minh-35"


def _text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


@pytest.fixture
def plan(world):
    for i in range(4):
        HouseholdFactory(village=world.village1, digital_address=i < 1)
    plan = services.do_create_plan(
        world.dave,
        world.village1,
        THANHHOA,
        year=2022,
        signer_name="Phạm Văn Định",
        number="25/KH-UBND",
        issued_date=dt.date(2022, 9, 5),
    )
    items = {i.criterion_code: i for i in plan.items.all()}
    first, second = list(items.values())[:2]
    services.do_add_task(
        world.alice,
        first,
        executor="village",
        description="Bổ sung thiết bị kết nối Internet tại nhà văn hóa",
        responsible="Trưởng thôn và ban phát triển thôn",
        budget_note="Thôn chịu trách nhiệm",
        deadline=dt.date(2022, 11, 30),
    )
    services.do_add_task(
        world.dave,
        second,
        executor="commune",
        description="Đầu tư lắp đặt máy truyền thanh không dây cho thôn",
        responsible="Đc Chủ tịch UBND xã",
        budget=70_000_000,
        deadline=dt.date(2022, 11, 30),
        status=TaskStatus.IN_PROGRESS,
        progress_note="Đã khảo sát vị trí",
    )
    services.do_add_task(
        world.dave,
        second,
        executor="commune",
        description="Hỗ trợ tổ CNSCĐ",
        budget=5_000_000,
        deadline=dt.date(2099, 1, 1),
    )
    return services.plan_with_tasks(plan.pk)


def test_plan_created_from_set_with_items(plan):
    from smartvillage.criteria.loader import get_set

    cset = get_set(THANHHOA)
    assert [i.criterion_code for i in plan.items.all()] == [c.code for c in cset.criteria]
    first = plan.items.all()[0]
    assert first.requirement == cset.criteria[0].requirement
    # Seed 001's wording: the unit's type word in lower case inside the title, the set's own period
    # ("giai đoạn 2022 - 2025") and province left out of a one-year plan's title.
    assert plan.title == "Xây dựng thôn Một đạt tiêu chí thôn thông minh năm 2022"
    assert "Trưởng thôn Một (để t/h);" in plan.recipients
    assert "Quyết định số 35/QĐ-UBND ngày 12 tháng 8 năm 2022" in plan.preamble


def test_totals_and_overdue(plan):
    model = services.plan_view_model(plan, today=dt.date(2023, 1, 1))
    assert model["total_budget"] == 75_000_000 and model["total_budget_text"] == "75.000.000 đồng"
    budgets = [entry["budget"] for entry in model["items"]]
    assert budgets[:2] == [0, 75_000_000] and sum(budgets) == 75_000_000
    late = [t.description for entry in model["items"] for t in entry["tasks"] if t.is_late]
    assert late == [
        "Bổ sung thiết bị kết nối Internet tại nhà văn hóa",
        "Đầu tư lắp đặt máy truyền thanh không dây cho thôn",
    ]
    assert model["overdue_count"] == 2
    task = PlanTask.objects.get(budget=70_000_000)
    task.status = TaskStatus.DONE
    assert not task.is_overdue(dt.date(2023, 1, 1))
    assert plan.total_budget == 75_000_000


def test_permissions(world, plan):
    item = plan.items.all()[0]
    with pytest.raises(PermissionDenied):
        services.do_add_task(world.bob, item, executor="village", description="x")
    with pytest.raises(PermissionDenied):
        services.do_add_task(world.erin, item, executor="village", description="x")
    with pytest.raises(PermissionDenied):
        services.do_create_plan(world.mallory, world.village1, THANHHOA)
    task = PlanTask.objects.first()
    with pytest.raises(PermissionDenied):
        services.do_update_task(world.bob, task, status=TaskStatus.DONE)
    task.refresh_from_db()
    assert task.status != TaskStatus.DONE
    with pytest.raises(DomainError, match="dành cho thôn"):
        services.do_create_plan(world.dave, world.commune, THANHHOA)
    with pytest.raises(DomainError, match="trạng thái"):
        services.do_update_task(world.dave, task, status="bogus")


def test_plan_page_highlights_overdue_and_totals(world, plan, client):
    client.login(username="alice", password=PASSWORD)
    body = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert body.count('class="overdue"') == 2 and "Quá hạn" in body
    assert "75.000.000 đồng" in body and "70.000.000" in body
    client.login(username="bob", password=PASSWORD)
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 404


def test_task_add_through_page_with_vietnamese_money(world, plan, client):
    client.login(username="alice", password=PASSWORD)
    item = plan.items.all()[3]
    client.post(
        reverse("plans:task_add", args=[item.pk]),
        {
            "executor": "village",
            "description": "Lập danh sách hộ để gắn mã địa chỉ",
            "responsible": "Trưởng thôn",
            "budget": "1.234.000",
            "deadline": "10/10/2022",
            "status": "todo",
        },
    )
    task = PlanTask.objects.get(item=item)
    assert task.budget == 1_234_000 and task.deadline == dt.date(2022, 10, 10)
    response = client.post(
        reverse("plans:task_add", args=[item.pk]),
        {"executor": "village", "description": "x", "budget": "bảy triệu", "status": "todo"},
        follow=True,
    )
    assert "không hợp lệ" in response.content.decode()
    assert PlanTask.objects.filter(item=item).count() == 1


def test_export_docx_layout(plan):
    data = export_plan(plan, "docx", at=dt.date(2022, 9, 1))
    text = _text(data)
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "ỦY BAN NHÂN DÂN",
        "XÃ AN",
        "Số: 25/KH-UBND",
        "Xã An, ngày 05 tháng 9 năm 2022",
        "KẾ HOẠCH",
        plan.title,
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. NỘI DUNG THỰC HIỆN",
        "1. Tiêu chí",
        "Yêu cầu của tiêu chí:",
        "Kết quả tiêu chí:",
        "Nhiệm vụ thực hiện:",
        "Đối với thôn:",
        "Đối với UBND xã:",
        "Kinh phí: Thôn chịu trách nhiệm",
        "Kinh phí: 70.000.000 đồng",
        "Trách nhiệm thực hiện: Đc Chủ tịch UBND xã",
        "thời gian hoàn thành trước 30/11/2022",
        "Tình hình thực hiện: Đang thực hiện – Đã khảo sát vị trí",
        "III. THỜI GIAN:",
        "IV. KINH PHÍ THỰC HIỆN: Dự kiến khoảng 75.000.000 đồng.",
        "Tổng cộng | 75.000.000",
        "V. TỔ CHỨC THỰC HIỆN",
        "Nơi nhận:",
        "- Lưu: VT.",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Phạm Văn Định",
    ]:
        assert expected in text, expected
    assert "{{" not in text and "{%" not in text
    assert export_plan(plan, "docx", at=dt.date(2022, 9, 1)) == data


def test_cli_plan_export(plan, tmp_path):
    out = tmp_path / "kh.docx"
    call_command("plan", "export", "--plan", str(plan.pk), "--format", "docx", "-o", str(out))
    assert "KẾ HOẠCH" in _text(out.read_bytes())
    with pytest.raises(CommandError, match="Không có kế hoạch"):
        call_command("plan", "export", "--plan", "999999", "--format", "docx", "-o", str(out))
    assert Plan.objects.count() == 1


def test_export_marks_overdue_tasks(plan):
    """As at 01/01/2023 two tasks are past their 30/11/2022 deadline and not done: the document
    marks them as the page does; the task due in 2099 and a done task are not marked."""
    text = _text(export_plan(plan, "docx", at=dt.date(2023, 1, 1)))
    assert "Tình hình thực hiện: Chưa thực hiện (quá hạn)" in text
    assert "Tình hình thực hiện: Đang thực hiện (quá hạn) – Đã khảo sát vị trí" in text
    assert text.count("(quá hạn)") == 2
    task = PlanTask.objects.get(budget=70_000_000)
    services.do_update_task(_dave(), task, status=TaskStatus.DONE)
    text = _text(export_plan(services.plan_with_tasks(plan.pk), "docx", at=dt.date(2023, 1, 1)))
    assert text.count("(quá hạn)") == 1 and "Tình hình thực hiện: Hoàn thành" in text
    # Before the deadline nothing is late.
    assert "(quá hạn)" not in _text(export_plan(plan, "docx", at=dt.date(2022, 9, 1)))


def _dave():
    from django.contrib.auth.models import User

    return User.objects.get(username="dave")


def test_plan_list_shows_overdue_counts(world, plan, client):
    other = services.do_create_plan(world.dave, world.village1, THANHHOA, year=2023)
    client.login(username="alice", password=PASSWORD)
    body = client.get(reverse("plans:list", args=[world.village1.pk])).content.decode()
    assert "Quá hạn" in body
    # Real today is past 30/11/2022: the first plan has 2 overdue of 3 tasks, the new one none.
    assert f'<a href="{reverse("plans:detail", args=[plan.pk])}">' in body
    rows = body.split("<tr")
    first = next(r for r in rows if reverse("plans:detail", args=[plan.pk]) in r)
    second = next(r for r in rows if reverse("plans:detail", args=[other.pk]) in r)
    assert 'data-overdue="2"' in first and ">3</td>" in first
    assert 'data-overdue="0"' in second
    counts = {p.pk: p.overdue_count for p in services.plans_with_overdue(Plan.objects.all())}
    assert counts == {plan.pk: 2, other.pk: 0}
    as_of_2022 = services.plans_with_overdue(Plan.objects.all(), today=dt.date(2022, 9, 1))
    assert {p.pk: p.overdue_count for p in as_of_2022} == {plan.pk: 0, other.pk: 0}


def test_undated_plan_is_dated_in_its_year(world):
    plan = services.do_create_plan(world.dave, world.village1, THANHHOA, year=2022)
    text = _text(export_plan(services.plan_with_tasks(plan.pk), "docx", at=dt.date(2022, 9, 1)))
    assert "Xã An, ngày     tháng     năm 2022" in text
    assert "KẾ HOẠCH" in text and "Xây dựng thôn Một đạt tiêu chí thôn thông minh năm 2022" in text
    assert "UBND xã An ban hành kế hoạch xây dựng thôn Một" in text
    assert "giai đoạn 2022 - 2025 năm 2022" not in text


def test_cli_plan_export_unwritable_output(plan, tmp_path):
    for target, needle in [
        (tmp_path / "khong-co" / "kh.docx", "không tồn tại"),
        (tmp_path, "là một thư mục"),
    ]:
        with pytest.raises(CommandError, match=needle):
            call_command(
                "plan", "export", "--plan", str(plan.pk), "--format", "docx", "-o", str(target)
            )


def test_plan_as_the_seeds_have_it(world):
    """Seed 001: "IV. KINH PHÍ THỰC HIỆN : Dự kiến khoảng 90 triệu đồng", "Đối với Trưởng thôn",
    "Thời gian điều tra tổng hợp hoàn thành trước 30/10/2022. Thời gian hoàn thành trước
    30/11/2022"; seed 000: "Nguồn kinh phí của các hộ gia đình trong khu dân cư đóng góp và nguồn
    kinh phí xã hội hóa"; seed 003: "II. HIỆN TRẠNG …", "Diện tích tự nhiên: 251,3 ha.",
    "Dân số: 2420 người (761 hộ).", "III. PHƯƠNG HƯỚNG THỰC HIỆN"."""
    plan = services.do_create_plan(
        world.dave,
        world.village1,
        THANHHOA,
        year=2022,
        deadline=dt.date(2022, 11, 30),
        budget_planned=90_000_000,
        funding_socialisation=20_000_000,
        funding_households=None,
        funding_note="Nguồn kinh phí của các hộ gia đình trong khu dân cư đóng góp và nguồn kinh "
        "phí xã hội hóa.",
        area_ha="251.3",
        population=2420,
        households=761,
        directions="Tiếp tục tuyên truyền, vận động người dân sử dụng dịch vụ công trực tuyến.",
    )
    item = plan.items.get(criterion_code="4")
    services.do_add_task(
        world.dave,
        item,
        executor="village",
        description="Thành lập tổ công nghệ số cộng đồng, điều tra rà soát tổng hợp số người",
        survey_deadline=dt.date(2022, 10, 30),
        deadline=dt.date(2022, 11, 30),
    )
    services.do_add_task(
        world.dave,
        plan.items.get(criterion_code="2"),
        executor="head",
        description="Nắm bắt các kỹ thuật sử dụng thiết bị truyền thanh không dây",
    )
    services.do_add_task(
        world.dave,
        plan.items.get(criterion_code="1"),
        executor="org",
        owner="Viễn thông Hà Trung",
        description="Duy trì kết nối, cung cấp gói dịch vụ phù hợp cho thôn",
        budget_note="Do Viễn thông Hà Trung chịu trách nhiệm",
    )
    text = _text(export_plan(Plan.objects.get(pk=plan.pk), at=dt.date(2022, 9, 10)))
    for expected in (
        "II. HIỆN TRẠNG",
        "Diện tích tự nhiên: 251,3 ha.",
        "Dân số: 2.420 người (761 hộ).",
        "III. NỘI DUNG THỰC HIỆN",
        "Đối với Trưởng thôn:",
        "Đối với Viễn thông Hà Trung:",
        "Thời gian điều tra tổng hợp hoàn thành trước 30/10/2022.",
        "Thời gian hoàn thành trước 30/11/2022.",
        "IV. PHƯƠNG HƯỚNG THỰC HIỆN",
        "V. THỜI GIAN: Hoàn thành trước ngày 30 tháng 11 năm 2022.",
        "VI. KINH PHÍ THỰC HIỆN: Dự kiến khoảng 90 triệu đồng.",
        "- Xã hội hóa: 20.000.000 đồng.",
        "Nguồn kinh phí của các hộ gia đình trong khu dân cư đóng góp",
        "VII. TỔ CHỨC THỰC HIỆN",
    ):
        assert expected in text, expected


def test_a_task_for_an_organisation_needs_its_name_and_the_survey_comes_first(world, client):
    plan = services.do_create_plan(world.dave, world.village1, THANHHOA, year=2022)
    item = plan.items.first()
    client.force_login(world.dave)
    page = client.post(
        reverse("plans:task_add", args=[item.pk]),
        {
            "executor": "org",
            "description": "Hỗ trợ gắn mã địa chỉ",
            "status": "todo",
            "survey_deadline": "30/11/2022",
            "deadline": "30/10/2022",
        },
    )
    assert not PlanTask.objects.filter(item=item).exists()
    assert page.status_code in (200, 302)


def test_plan_frame_edited_on_the_page_the_vietnamese_way(world, client):
    plan = services.do_create_plan(world.dave, world.village1, THANHHOA, year=2022)
    client.login(username="dave", password=PASSWORD)
    data = {
        "title": plan.title,
        "year": "2022",
        "place": plan.place,
        "signer_authority": plan.signer_authority,
        "signer_title": plan.signer_title,
        "area_ha": "251,3",
        "population": "2420",
        "households": "761",
        "budget_planned": "90.000.000",
        "funding_state": "70.000.000",
        "funding_note": "Nguồn kinh phí của các hộ gia đình đóng góp và nguồn xã hội hóa.",
        "version": str(plan.version),
    }
    response = client.post(reverse("plans:edit", args=[plan.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan.refresh_from_db()
    assert (plan.budget_planned, plan.funding_state, str(plan.area_ha)) == (
        90_000_000,
        70_000_000,
        "251.30",
    )
    page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Diện tích tự nhiên: 251,3 ha." in page and "Dân số: 2.420 người (761 hộ)." in page
    assert "90.000.000" in page and "Ngân sách nhà nước: 70.000.000" in page
