from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "smartvillage.assessments"
    label = "assessments"
    verbose_name = "Đánh giá, thẩm định, công nhận"
