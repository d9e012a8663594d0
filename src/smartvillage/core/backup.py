"""Backup and restore of everything a deployment holds: the database and the uploaded files.

One backup is one `.tar.gz` file:

    manifest.json           what, when, which database engine, file count and checksums
    database.sqlite3        SQLite: a consistent copy made with SQLite's online backup API
    database.pgdump         PostgreSQL: `pg_dump --format=custom` (restored with pg_restore)
    media/...               the media files (evidence, pending import files, job results),
                            when the media storage is this machine's folder MEDIA_ROOT
    document-templates/...  an administrator's replacement report templates, if any

With MEDIA_STORAGE=s3 the media files live in the object storage (a bucket shared by every
node): the backup holds no copy of them, its manifest says so ("media": "object-storage") and
`backup` says so in words: the bucket is backed up by the object storage itself (versioning,
replication), to the same point in time. Restoring such a backup leaves the media files as they
are; restoring a backup that holds media files while the media storage is a bucket writes them
into the bucket under their names (other objects are kept: a bucket is never emptied).

The secret key is not in the backup (keep it in the deployment's environment). A backup holds
personal data: store it like the database (README "Sao lưu").

Restore replaces the database and the local files with the backup's: SQLite through the same
backup API into the live database; PostgreSQL by emptying the schema and running pg_restore.
Every file is checked against the manifest's checksum before anything is replaced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection

from smartvillage.core.errors import DomainError
from smartvillage.jobs import media

FORMAT = "smartvillage-backup/1"


MEDIA_IN_OBJECT_STORAGE = (
    "Tệp minh chứng, tệp đang chờ nhập và tệp kết quả nằm trong kho lưu trữ đối tượng {where}, "
    "KHÔNG có trong bản sao lưu này: chúng được sao lưu bởi chính kho đó (bật lưu nhiều phiên bản "
    "hoặc sao chép bucket định kỳ). Khi khôi phục, hãy khôi phục cả kho về cùng thời điểm."
)
RESTORE_WITHOUT_MEDIA = (
    "Bản sao lưu này không chứa tệp minh chứng, tệp đang chờ nhập và tệp kết quả (lúc sao lưu "
    "chúng nằm trong kho lưu trữ đối tượng {where}): các tệp đó được giữ nguyên như hiện có; nếu "
    "cần, hãy khôi phục kho lưu trữ đối tượng về cùng thời điểm."
)
RESTORE_INTO_OBJECT_STORAGE = (
    "Đã ghi {count} tệp của bản sao lưu vào kho lưu trữ đối tượng {where} (cùng tên, thay tệp "
    "trùng tên); các tệp khác đang có trong kho được giữ nguyên."
)


@dataclass
class BackupResult:
    path: Path
    engine: str
    files: int
    size: int
    # What an operator must know about this backup (e.g. media files not in it), in words.
    notes: list[str] = field(default_factory=list)


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise DomainError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu loại “{vendor}”.", "backup_engine")
    return vendor


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    params = connection.settings_dict
    env = dict(os.environ)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    args = []
    if params.get("HOST"):
        args += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", str(params["USER"])]
    return env, args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DomainError(
            f"Không tìm thấy chương trình {name} (gói postgresql-client) trên máy chủ; hãy cài "
            "rồi chạy lại.",
            "backup_tool_missing",
        )
    return path


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise DomainError(
            f"{what} không thành công: {detail[-1] if detail else 'lỗi không rõ'}.", "backup_failed"
        )


def _dump_database(target: Path) -> str:
    engine = _engine()
    connection.ensure_connection()
    if engine == "sqlite":
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
    else:
        env, args = _pg_env_and_args()
        name = str(connection.settings_dict["NAME"])
        command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
        _run([*command, *args, "--file", str(target), name], env, "Sao lưu PostgreSQL (pg_dump)")
    return engine


def _media_root() -> Path | None:
    """The local media folder, or None when media files are in an object storage."""
    store = media.storage()
    return Path(store.location) if media.is_local(store) else None


def _file_roots() -> dict[str, Path]:
    roots = {"document-templates": Path(settings.SMARTVILLAGE_DOCUMENT_TEMPLATES_DIR)}
    root = _media_root()
    return {"media": root, **roots} if root is not None else roots


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files() -> list[tuple[str, Path]]:
    out = []
    for prefix, root in _file_roots().items():
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                out.append((f"{prefix}/{path.relative_to(root).as_posix()}", path))
    return out


def default_name(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"smartvillage-backup-{now:%Y%m%d-%H%M%S}.tar.gz"


def backup(output: Path) -> BackupResult:
    """Write a backup of the database and the files to `output` (a directory or a file name)."""
    output = Path(output)
    if output.is_dir():
        output = output / default_name()
    if not output.parent.is_dir():
        raise DomainError(f"Thư mục “{output.parent}” không tồn tại.", "backup_output")
    with tempfile.TemporaryDirectory(prefix="sv-backup-", dir=output.parent) as tmp:
        engine_file = Path(tmp) / "database"
        engine = _dump_database(engine_file)
        db_name = "database.sqlite3" if engine == "sqlite" else "database.pgdump"
        files = _files()
        local_media = _media_root() is not None
        notes = [] if local_media else [MEDIA_IN_OBJECT_STORAGE.format(where=_where())]
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "engine": engine,
            "database": {"name": db_name, "sha256": _sha256(engine_file)},
            "files": {name: _sha256(path) for name, path in files},
            # Where the media files were: in this backup, or in an object storage (not in it).
            "media": "included" if local_media else "object-storage",
            "media_storage": media.describe(),
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(engine_file, arcname=db_name)
            for name, path in files:
                archive.add(path, arcname=name)
        partial.chmod(0o600)  # personal data
        partial.replace(output)  # a crashed backup never looks like a finished one
    return BackupResult(output, engine, len(files), output.stat().st_size, notes)


def _where() -> str:
    return f"“{media.describe()}”"


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def read_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            manifest = json.load(member)
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise DomainError(
            f"Tệp “{Path(path).name}” không phải bản sao lưu của smartvillage hoặc bị hỏng.",
            "backup_unreadable",
        ) from exc
    if manifest.get("format") != FORMAT:
        raise DomainError(
            f"Tệp “{Path(path).name}” là bản sao lưu định dạng khác ({manifest.get('format')}).",
            "backup_format",
        )
    return manifest


def _extract(path: Path, manifest: dict, into: Path) -> None:
    expected = {manifest["database"]["name"]: manifest["database"]["sha256"], **manifest["files"]}
    with tarfile.open(path, "r:gz") as archive:
        for member in archive.getmembers():
            if member.name == "manifest.json":
                continue
            if not member.isfile() or not _safe_member(member.name) or member.name not in expected:
                raise DomainError(
                    f"Bản sao lưu có mục lạ “{member.name}”; không khôi phục.", "backup_member"
                )
            archive.extract(member, into, filter="data")
    for name, digest in expected.items():
        extracted = into / name
        if not extracted.is_file() or _sha256(extracted) != digest:
            raise DomainError(
                f"Tệp “{name}” trong bản sao lưu bị thiếu hoặc sai tổng kiểm tra; không khôi phục.",
                "backup_checksum",
            )


def _restore_database(source: Path, engine: str) -> None:
    if engine != _engine():
        raise DomainError(
            f"Bản sao lưu là cơ sở dữ liệu {engine}, máy này dùng {_engine()}; hãy dùng "
            "`smartvillage dumpdata`/`loaddata` để chuyển giữa hai loại.",
            "backup_engine_mismatch",
        )
    connection.ensure_connection()
    if engine == "sqlite":
        backup_db = sqlite3.connect(source)
        try:
            backup_db.backup(connection.connection)
        finally:
            backup_db.close()
        return
    env, args = _pg_env_and_args()
    name = str(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    if not connection.get_autocommit():
        connection.commit()
    command = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
    _run([*command, *args, "--dbname", name, str(source)], env, "Khôi phục PostgreSQL (pg_restore)")


def _restore_files(staged: Path, manifest: dict, notes: list[str]) -> int:
    count = 0
    roots = {"document-templates": Path(settings.SMARTVILLAGE_DOCUMENT_TEMPLATES_DIR)}
    # Backups made before the manifest said where media was always held the media folder.
    media_in_backup = manifest.get("media", "included") == "included"
    local = _media_root()
    if not media_in_backup:
        where = manifest.get("media_storage") or "S3"
        notes.append(RESTORE_WITHOUT_MEDIA.format(where=f"“{where}”"))
    elif local is not None:
        roots["media"] = local
    else:
        count += _restore_media_into_storage(staged / "media")
        notes.append(RESTORE_INTO_OBJECT_STORAGE.format(count=count, where=_where()))
    for prefix, root in roots.items():
        if root.is_dir():
            shutil.rmtree(root)
        source = staged / prefix
        if source.is_dir():
            shutil.copytree(source, root)
            count += sum(1 for p in root.rglob("*") if p.is_file())
        elif prefix == "media":
            root.mkdir(parents=True, exist_ok=True)
    return count


def _restore_media_into_storage(source: Path) -> int:
    """The backup's media files written into the (object) media storage under their names."""
    count = 0
    for path in sorted(source.rglob("*")) if source.is_dir() else []:
        if path.is_file():
            name = path.relative_to(source).as_posix()
            if media.save_local(name, path) != name:
                raise DomainError(
                    f"Không ghi được tệp “{name}” vào kho lưu trữ đối tượng với đúng tên.",
                    "backup_media_name",
                )
            count += 1
    return count


def restore(path: Path, notes: list[str] | None = None) -> dict:
    """Replace the database and the files with those of backup `path`; returns its manifest.
    What the operator must know (media files left as they are, or written into a bucket) is
    appended to `notes`, in words."""
    path = Path(path)
    notes = notes if notes is not None else []
    manifest = read_manifest(path)
    with tempfile.TemporaryDirectory(prefix="sv-restore-") as tmp:
        staged = Path(tmp)
        _extract(path, manifest, staged)
        _restore_database(staged / manifest["database"]["name"], manifest["engine"])
        _restore_files(staged, manifest, notes)
    return manifest
