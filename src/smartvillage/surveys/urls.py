from django.urls import path

from smartvillage.surveys import views

app_name = "surveys"

urlpatterns = [
    path("khao-sat/<int:pk>/", views.answer, name="answer"),
    path("units/<int:unit_id>/khao-sat/moi/", views.create, name="create"),
    path("khao-sat/<int:pk>/ket-qua/", views.detail, name="detail"),
    path("khao-sat/<int:pk>/phieu-giay/", views.paper, name="paper"),
    path("khao-sat/<int:pk>/ma-tra-loi/", views.codes, name="codes"),
    path("khao-sat/<int:pk>/tra-loi.xlsx", views.answers_xlsx, name="answers_xlsx"),
    path("khao-sat/<int:pk>/xlsform.xlsx", views.xlsform, name="xlsform"),
    path("khao-sat/<int:pk>/nhap-kobo/", views.kobo_import, name="kobo_import"),
]
