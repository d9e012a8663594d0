"""Rendering official documents: a DOCX template (docxtpl, Jinja tags inside Word) filled with a
context, made byte-for-byte reproducible, and converted to PDF by LibreOffice headless.

Templates are ordinary .docx files. The shipped ones live in documents/docx_templates/ (built by
documents/build_templates.py from the Decree 30 layout helpers); an administrator replaces one by
putting a file of the same name in settings.SMARTVILLAGE_DOCUMENT_TEMPLATES_DIR (default
DATA_DIR/document-templates/), e.g. to change the recipients' wording or the fonts, without a code
change. docs/document-templates.md lists every template, when it is used and its context.

Reproducibility: the same context and the same `fixed_time` give the same bytes. python-docx writes
the current time into every ZIP entry and docProps/core.xml, so both are pinned here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import jinja2
from django.conf import settings
from docxtpl import DocxTemplate

from smartvillage.core.errors import DomainError
from smartvillage.core.text import printable

log = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).parent / "docx_templates"
TEMPLATE_NAMES = ("mau01.docx", "criteria.docx", "commune.docx", "plan.docx", "bieu.docx")
_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def override_dir() -> Path:
    return Path(settings.SMARTVILLAGE_DOCUMENT_TEMPLATES_DIR)


def template_path(name: str) -> Path:
    """The administrator's copy of a template if there is one, else the shipped file."""
    if name not in TEMPLATE_NAMES:
        raise DomainError(f"Không có mẫu văn bản “{name}”.", "template_unknown")
    custom = override_dir() / name
    if custom.is_file():
        return custom
    return SHIPPED_DIR / name


def normalise_docx(data: bytes, fixed_time: dt.datetime) -> bytes:
    """Rewrite the ZIP with fixed entry times, in the original entry order."""
    stamp = fixed_time.astimezone(dt.UTC)
    date_time = (
        max(stamp.year, 1980),
        stamp.month,
        stamp.day,
        stamp.hour,
        stamp.minute,
        stamp.second,
    )
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def render_docx(
    name: str,
    context: dict[str, Any],
    *,
    fixed_time: dt.datetime | None = None,
    title: str = "",
    author: str = "smartvillage",
) -> bytes:
    """Fill template `name` with `context`; the result is stable for a given `fixed_time`."""
    fixed_time = fixed_time or _EPOCH
    path = template_path(name)
    template = DocxTemplate(str(path))
    # Every printed value passes core.text.printable before it is escaped: a control character
    # stored before the entry rule would make the XML invalid (Word refuses, LibreOffice fails).
    environment = jinja2.Environment(autoescape=True, finalize=printable)
    try:
        template.render(context, jinja_env=environment, autoescape=True)
    except Exception as exc:  # a replaced template with a broken Jinja tag
        # The administrator reads the details in the log; the page says what to do, in Vietnamese,
        # without the server's paths or Jinja's English.
        log.warning("template %s failed to render", path, exc_info=True)
        line = getattr(exc, "lineno", None)
        where = f" (dòng {line} của phần nội dung)" if line else ""
        raise DomainError(
            f"Mẫu văn bản “{name}” không hợp lệ{where}: có thẻ {{{{ … }}}} hoặc {{% … %}} viết sai "
            "hoặc không khớp. Hãy sửa tệp mẫu thay thế hoặc xóa nó để dùng mẫu có sẵn.",
            "template_error",
        ) from exc
    props = template.docx.core_properties
    naive = fixed_time.astimezone(dt.UTC).replace(tzinfo=None)
    props.created = naive
    props.modified = naive
    props.last_printed = naive
    props.revision = 1
    props.author = author
    props.last_modified_by = author
    props.title = title[:250]
    buffer = io.BytesIO()
    template.save(buffer)
    return normalise_docx(buffer.getvalue(), fixed_time)


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\(D:[^)]*\)")
_PDF_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")
_PDF_CHECKSUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]{32})")


def _pin_pdf(data: bytes, fixed_time: dt.datetime) -> bytes:
    """Replace LibreOffice's creation time and random document id by fixed values of the same
    length, so the cross-reference offsets stay valid and a snapshot's PDF is reproducible."""
    stamp = fixed_time.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S").encode()

    def date_sub(match: re.Match[bytes]) -> bytes:
        original = match.group(0)
        replacement = b"/" + match.group(1) + b"(D:" + stamp + b"Z"
        replacement += b" " * (len(original) - len(replacement) - 1) + b")"
        return replacement if len(replacement) == len(original) else original

    def id_sub(match: re.Match[bytes]) -> bytes:
        length = len(match.group(1))
        fixed = (stamp * 8)[:length]
        out = (
            match.group(0)
            .replace(match.group(1), fixed)
            .replace(match.group(2), fixed[: len(match.group(2))])
        )
        return out if len(out) == len(match.group(0)) else match.group(0)

    data = _PDF_DATE.sub(date_sub, data)
    data = _PDF_ID.sub(id_sub, data)
    # LibreOffice's own checksum covers the creation time; recompute it over the pinned bytes.
    match = _PDF_CHECKSUM.search(data)
    if match:
        blank = data[: match.start(1)] + b"0" * 32 + data[match.end(1) :]
        digest = hashlib.md5(blank, usedforsecurity=False).hexdigest().upper().encode()
        data = blank[: match.start(1)] + digest + blank[match.end(1) :]
    return data


def soffice_binary() -> str:
    return os.environ.get("SOFFICE", "") or shutil.which("soffice") or "/usr/bin/soffice"


def docx_to_pdf(data: bytes, *, fixed_time: dt.datetime | None = None, timeout: int = 180) -> bytes:
    """Convert with LibreOffice headless, in a private profile so parallel conversions do not clash."""
    with tempfile.TemporaryDirectory(prefix="sv-pdf-") as tmp:
        source = Path(tmp) / "document.docx"
        source.write_bytes(data)
        profile = Path(tmp) / "profile"
        command = [
            soffice_binary(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            tmp,
            str(source),
        ]
        try:
            completed = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise DomainError(
                f"Không chuyển được sang PDF: LibreOffice chưa xong sau {timeout} giây. Hãy thử "
                "lại sau, hoặc tải bản DOCX.",
                "pdf_failed",
            ) from exc
        except OSError as exc:
            log.warning("LibreOffice could not start", exc_info=True)
            raise DomainError(
                "Không chuyển được sang PDF: máy chủ chưa cài LibreOffice hoặc không chạy được. "
                "Hãy tải bản DOCX, hoặc báo quản trị viên.",
                "pdf_failed",
            ) from exc
        target = Path(tmp) / "document.pdf"
        if completed.returncode != 0 or not target.exists():
            detail = (completed.stderr or completed.stdout).decode(errors="replace")[-300:]
            log.warning("LibreOffice failed (%s): %s", completed.returncode, detail)
            raise DomainError(
                "Không chuyển được sang PDF: LibreOffice báo lỗi khi chuyển văn bản. Hãy tải bản "
                "DOCX, hoặc báo quản trị viên (chi tiết trong nhật ký máy chủ).",
                "pdf_failed",
            )
        return _pin_pdf(target.read_bytes(), fixed_time or _EPOCH)
