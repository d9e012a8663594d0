import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="RecognitionTarget",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "year",
                    models.PositiveIntegerField(
                        validators=[django.core.validators.MinValueValidator(2020)],
                        verbose_name="năm",
                    ),
                ),
                (
                    "villages",
                    models.PositiveIntegerField(verbose_name="số thôn phấn đấu được công nhận"),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="căn cứ")),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recognition_targets",
                        to="units.adminunit",
                        verbose_name="tỉnh/thành phố",
                    ),
                ),
            ],
            options={
                "verbose_name": "mục tiêu công nhận",
                "verbose_name_plural": "mục tiêu công nhận",
                "ordering": ["unit_id", "-year"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("unit", "year"), name="recognition_target_unique"
                    )
                ],
            },
        ),
    ]
