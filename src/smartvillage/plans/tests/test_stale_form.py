"""Stale plan and task forms (someone saved in between) show the other change, write nothing."""

from django.urls import reverse

from smartvillage.core.testing import PASSWORD
from smartvillage.plans import services
from smartvillage.plans.models import Plan, PlanTask

THANHHOA = "thanhhoa-thon-thong-minh-35"


def test_stale_plan_and_task_forms_write_nothing(client, world):
    plan = services.do_create_plan(world.dave, world.village1, THANHHOA, year=2025)
    item = plan.items.first()
    task = services.do_add_task(world.dave, item, executor="village", description="Lắp loa")
    assert client.login(username="dave", password=PASSWORD)

    url = reverse("plans:edit", args=[plan.pk])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    services.do_update_plan(world.dave, plan, title="Kế hoạch đã sửa ở tab khác")
    data = {name: getattr(plan, name) or "" for name in services.PLAN_FIELDS}
    data.update(title="Kế hoạch của form cũ", issued_date="", deadline="", version="1")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Kế hoạch đã sửa ở tab khác" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).title == "Kế hoạch đã sửa ở tab khác"

    url = reverse("plans:task_edit", args=[task.pk])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    services.do_update_task(world.dave, task, description="Lắp loa và camera")
    response = client.post(
        url,
        {"executor": "village", "description": "Chỉ lắp loa", "status": "todo", "version": "1"},
    )
    assert response.status_code == 200 and "Lắp loa và camera" in response.content.decode()
    assert PlanTask.objects.get(pk=task.pk).description == "Lắp loa và camera"
