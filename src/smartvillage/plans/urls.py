from django.urls import path

from smartvillage.plans import views

app_name = "plans"

urlpatterns = [
    path("units/<int:unit_pk>/plans/", views.plan_list, name="list"),
    path("plans/<int:pk>/", views.plan_detail, name="detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="edit"),
    path("plans/<int:pk>/export.<str:fmt>", views.plan_export, name="export"),
    path("plan-items/<int:pk>/", views.item_update, name="item"),
    path("plan-items/<int:item_pk>/tasks/add/", views.task_add, name="task_add"),
    path("plan-tasks/<int:pk>/", views.task_edit, name="task_edit"),
]
