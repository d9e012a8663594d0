"""Start unit ids at 100000, above every official code (at most 5 digits).

`smartvillage units ... UNIT` accepts an id or an official code; with ids and codes in different
ranges a bare number can never mean two units (resolve_unit still refuses one that does, e.g. in a
database created before this migration).
"""

from django.db import migrations

FIRST_ID = 100000


def forwards(apps, schema_editor):
    table = apps.get_model("units", "AdminUnit")._meta.db_table
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" GREATEST({FIRST_ID}, (SELECT COALESCE(MAX(id), 0) + 1 FROM {table})), false)"
            )
        elif vendor == "sqlite":
            # Django declares SQLite primary keys AUTOINCREMENT, so sqlite_sequence drives new ids.
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [FIRST_ID - 1, table]
            )
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT %s, %s"
                " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
                [table, FIRST_ID - 1, table],
            )


class Migration(migrations.Migration):
    dependencies = [("units", "0002_succession_default")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
