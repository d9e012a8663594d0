"""Backup -> restore round trip (issue 11, item 5): every table and every file comes back."""

from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from smartvillage.core import backup
from smartvillage.core.testing import HouseholdFactory, PersonFactory, build_world
from smartvillage.jobs import media
from smartvillage.jobs.tests.storage import use_memory_media
from smartvillage.registry.models import Household, Person


def _tables() -> dict[str, list[tuple]]:
    """Every row of every table in the database (not only Django's models), sorted."""
    out = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            out[table] = sorted(tuple(map(str, row)) for row in cursor.fetchall())
    return out


def _files() -> dict[str, str]:
    out = {}
    for root in (Path(settings.MEDIA_ROOT), Path(settings.SMARTVILLAGE_DOCUMENT_TEMPLATES_DIR)):
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            if path.is_file():
                out[f"{root.name}/{path.relative_to(root)}"] = hashlib.sha256(
                    path.read_bytes()
                ).hexdigest()
    return out


needs_pg_dump = pytest.mark.skipif(
    connection.vendor == "postgresql" and shutil.which("pg_dump") is None,
    reason="PostgreSQL without pg_dump/pg_restore on this machine",
)


@pytest.mark.django_db(transaction=True)
@needs_pg_dump
def test_backup_then_restore_brings_back_every_table_and_file(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SMARTVILLAGE_DOCUMENT_TEMPLATES_DIR = str(tmp_path / "document-templates")
    world = build_world()
    household = HouseholdFactory(village=world.village1, code="B1", head_name="Đào Thị Sao Lưu")
    PersonFactory(household=household, full_name="Đào Thị Sao Lưu")
    evidence = Path(settings.MEDIA_ROOT) / "evidence" / "2026" / "bien-ban.pdf"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"%PDF-1.4 bien ban\n" * 100)
    pending = Path(settings.MEDIA_ROOT) / "imports" / "job-1" / "danh sách.xlsx"
    pending.parent.mkdir(parents=True)
    pending.write_bytes(b"PK\x03\x04 data")
    template = Path(settings.SMARTVILLAGE_DOCUMENT_TEMPLATES_DIR) / "mau01.docx"
    template.parent.mkdir(parents=True)
    template.write_bytes(b"replaced template")
    tables, files = _tables(), _files()
    assert tables["registry_household"] and len(files) == 3

    out = tmp_path / "backups"
    out.mkdir()
    call_command("backup", "-o", str(out))
    [archive] = list(out.glob("smartvillage-backup-*.tar.gz"))
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"manifest.json", "media/evidence/2026/bien-ban.pdf"} <= names
    assert ("database.sqlite3" if connection.vendor == "sqlite" else "database.pgdump") in names

    # Everything changes after the backup ...
    Person.objects.all().delete()
    Household.objects.all().delete()
    HouseholdFactory(village=world.village2, code="SAU", head_name="Sau Sao Lưu")
    evidence.unlink()
    (Path(settings.MEDIA_ROOT) / "new.txt").write_text("mới")

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive))
    assert Household.objects.filter(code="SAU").exists()

    call_command("restore", str(archive), "--yes")
    connection.close()  # the next query opens a fresh connection on the restored database
    assert _tables() == tables
    assert _files() == files


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_and_changes_nothing(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    HouseholdFactory(village=build_world().village1, code="G1")
    out = tmp_path / "b.tar.gz"
    call_command("backup", "-o", str(out))
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(out) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("database"):
                data = data[:-10] + b"0123456789"
            member.size = len(data)
            import io

            target.addfile(member, io.BytesIO(data))
    Household.objects.create(village=Household.objects.get().village, code="G2", head_name="Sau")
    with pytest.raises(CommandError, match="sai tổng kiểm tra"):
        call_command("restore", str(damaged), "--yes")
    assert set(Household.objects.values_list("code", flat=True)) == {"G1", "G2"}
    (tmp_path / "rac.tar.gz").write_bytes(b"not a backup")
    with pytest.raises(CommandError, match="không phải bản sao lưu"):
        call_command("restore", str(tmp_path / "rac.tar.gz"), "--yes")


# ---- media files in an object storage (docs/decisions/011) ------------------------------------


@pytest.mark.django_db(transaction=True)
@needs_pg_dump
def test_media_in_an_object_storage_is_said_to_be_outside_the_backup_and_left_alone(
    tmp_path, settings
):
    media_root = use_memory_media(settings)  # not this machine's folder, as with a bucket
    settings.SMARTVILLAGE_DOCUMENT_TEMPLATES_DIR = str(tmp_path / "document-templates")
    HouseholdFactory(village=build_world().village1, code="S1")
    default_storage.save("evidence/2026/bien-ban.pdf", ContentFile(b"%PDF-1.4 bien ban"))
    out = tmp_path / "b.tar.gz"
    said = io.StringIO()
    call_command("backup", "-o", str(out), stdout=said)
    assert "kho lưu trữ đối tượng" in said.getvalue()
    assert "KHÔNG có trong bản sao lưu" in said.getvalue()
    with tarfile.open(out) as tar:
        assert not [n for n in tar.getnames() if n.startswith("media")]
    manifest = backup.read_manifest(out)
    assert manifest["media"] == "object-storage" and "InMemoryStorage" in manifest["media_storage"]

    # Restoring the database does not touch the object storage: it has its own backup.
    default_storage.save("evidence/2026/sau.pdf", ContentFile(b"sau"))
    said = io.StringIO()
    call_command("restore", str(out), "--yes", stdout=said)
    connection.close()
    assert "giữ nguyên" in said.getvalue()
    assert media.list_files("") == ["evidence/2026/bien-ban.pdf", "evidence/2026/sau.pdf"]
    assert Household.objects.filter(code="S1").exists() and not media_root.exists()


@pytest.mark.django_db(transaction=True)
@needs_pg_dump
def test_a_backup_of_the_media_folder_restores_into_an_object_storage(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SMARTVILLAGE_DOCUMENT_TEMPLATES_DIR = str(tmp_path / "document-templates")
    build_world()
    evidence = Path(settings.MEDIA_ROOT) / "evidence" / "2026" / "bien-ban.pdf"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"%PDF-1.4 bien ban")
    out = tmp_path / "b.tar.gz"
    call_command("backup", "-o", str(out), stdout=io.StringIO())
    assert backup.read_manifest(out)["media"] == "included"

    # The deployment moves its media to a bucket: the backup's files are written into it.
    settings.MEDIA_ROOT = str(tmp_path / "absent")
    use_memory_media(settings)
    default_storage.save("evidence/2026/khac.pdf", ContentFile(b"khac"))
    said = io.StringIO()
    call_command("restore", str(out), "--yes", stdout=said)
    connection.close()
    assert "Đã ghi 1 tệp" in said.getvalue()
    assert default_storage.open("evidence/2026/bien-ban.pdf").read() == b"%PDF-1.4 bien ban"
    assert default_storage.exists("evidence/2026/khac.pdf")  # a bucket is never emptied
    assert not (tmp_path / "absent").exists()
