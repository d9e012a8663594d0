"""`AdminUnit.change_stamp`: raised by every write that can change a result under the unit (the
key of the cached area summaries, criteria/areas.py).

SQLite adds the column by rebuilding the table, which resets its id sequence: the ids-above-codes
start of 0003 is applied again after it.
"""

import importlib

from django.db import migrations, models

_ids_above_codes = importlib.import_module(
    "smartvillage.units.migrations.0003_unit_ids_above_codes"
).forwards


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0003_unit_ids_above_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="adminunit",
            name="change_stamp",
            field=models.PositiveBigIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(_ids_above_codes, migrations.RunPython.noop),
    ]
