"""Media files through Django's storage API: names, never paths (docs/decisions/011).

Every file the product keeps (evidence, pending import files, rejected-rows files, job results)
goes through `default_storage` (settings.STORAGES["default"]): the local folder MEDIA_ROOT by
default, an S3-compatible bucket when MEDIA_STORAGE=s3. With a bucket, the web node that took an
upload and the worker that reads it may be different machines, so nothing here may assume a file
is on this machine's disk. The helpers below are what the apps need on top of the storage API:
delete a folder, list one, and hand a reader that needs a real path a temporary local copy.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage

COPY_CHUNK = 1024 * 1024


class MissingFile(FileNotFoundError):
    """A stored file asked for is not in the storage (purged, erased, or never written)."""


def storage() -> Storage:
    """The media storage (a lazy object: tests that override STORAGES get the new one)."""
    return default_storage


def is_local(store: Storage | None = None) -> bool:
    """True when media files are in a folder of this machine (FileSystemStorage)."""
    return isinstance(store if store is not None else storage(), FileSystemStorage)


def describe(store: Storage | None = None) -> str:
    """Where media files are, for messages: the folder, or the backend and its bucket."""
    store = store if store is not None else storage()
    if isinstance(store, FileSystemStorage):
        return str(store.location)
    cls = type(getattr(store, "_wrapped", store))
    bucket = getattr(store, "bucket_name", "") or ""
    return f"{cls.__module__}.{cls.__qualname__}" + (f" (bucket “{bucket}”)" if bucket else "")


def list_files(prefix: str, store: Storage | None = None) -> list[str]:
    """Every file name under the folder `prefix` (recursively), sorted; [] if there is none."""
    store = store if store is not None else storage()
    prefix = prefix.strip("/")
    try:
        dirs, files = store.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return []
    out = [f"{prefix}/{name}" if prefix else name for name in files]
    for sub in dirs:
        out += list_files(f"{prefix}/{sub}" if prefix else sub, store)
    return sorted(out)


def delete_folder(prefix: str, store: Storage | None = None) -> list[str]:
    """Delete every file under `prefix`; returns their names. On the local folder the emptied
    directories go too (object stores have no directories to leave behind)."""
    store = store if store is not None else storage()
    names = list_files(prefix, store)
    for name in names:
        store.delete(name)
    if isinstance(store, FileSystemStorage) and prefix.strip("/"):
        # Only the emptied directories, bottom up: a file something else just wrote stays.
        for folder, _dirs, _files in os.walk(store.path(prefix.strip("/")), topdown=False):
            with contextlib.suppress(OSError):
                os.rmdir(folder)
    return names


def save_bytes(name: str, data: bytes, store: Storage | None = None) -> str:
    """Write `data` under exactly `name` (replacing a file of that name); returns the name.

    Callers record the name (a job row, a report) only after this returns, so a process killed
    half-way leaves at worst an unnamed partial file that the next attempt replaces."""
    store = store if store is not None else storage()
    store.delete(name)
    return store.save(name, ContentFile(data))


def save_local(name: str, path: os.PathLike[str] | str, store: Storage | None = None) -> str:
    """Copy a local file into the storage under exactly `name`; returns the name."""
    store = store if store is not None else storage()
    store.delete(name)
    with open(path, "rb") as handle:
        return store.save(name, File(handle, name=PurePosixPath(name).name))


@contextlib.contextmanager
def local_copies(names: list[str], store: Storage | None = None) -> Iterator[list[Path]]:
    """Temporary local copies of stored files, for readers that need a real path (openpyxl,
    zipfile, LibreOffice): fetched through the storage, so a worker on another node reads what
    the web node stored. Each copy keeps its name's suffix (the reader goes by it); the copies
    are removed on exit, whatever happens. A name not in the storage raises MissingFile."""
    store = store if store is not None else storage()
    with tempfile.TemporaryDirectory(prefix="sv-media-") as tmp:
        paths = []
        for index, name in enumerate(names):
            target = Path(tmp) / f"{index}{PurePosixPath(name).suffix.lower()[:8]}"
            try:
                source = store.open(name, "rb")
            except FileNotFoundError as exc:
                raise MissingFile(name) from exc
            with source, target.open("wb") as out:
                shutil.copyfileobj(source, out, COPY_CHUNK)
            paths.append(target)
        yield paths
