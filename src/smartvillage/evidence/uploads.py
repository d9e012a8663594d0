"""Checking uploaded evidence files before anything is stored.

A file is accepted only when its extension is on the allowlist AND its first bytes say the same
thing (a renamed .exe is refused), and when it is not larger than settings.UPLOAD_MAX_BYTES.
DOCX and XLSX are ZIP packages, so for them the package must also contain the part that makes it
a Word document or an Excel workbook. Messages are Vietnamese and name the file.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from smartvillage.core.errors import DomainError
from smartvillage.core.formats import format_number

# extension -> (content type, kind of signature)
ALLOWED: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jpg": ("image/jpeg", "jpeg"),
    "jpeg": ("image/jpeg", "jpeg"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
ALLOWED_LABEL = "PDF, ảnh PNG/JPEG, Word (.docx), Excel (.xlsx)"
ACCEPT_ATTR = ",".join(f".{ext}" for ext in ALLOWED)

_MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
}
# The part that distinguishes a Word document / an Excel workbook from any other ZIP.
_ZIP_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 20 * 1024 * 1024))


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{format_number(size / (1024 * 1024), 1)} MB"
    return f"{format_number(max(1, round(size / 1024)))} KB"


def check_upload(name: str, stream: IO[bytes], size: int | None = None) -> CheckedUpload:
    """Validate an upload; DomainError with a clear message when it is refused.

    `stream` is read from the start and rewound, so the caller can store it afterwards.
    """
    display = name or "(không tên)"
    ext = display.rsplit(".", 1)[-1].lower() if "." in display else ""
    if ext not in ALLOWED:
        raise DomainError(
            f"Tệp “{display}”: loại tệp không được phép. Chỉ nhận {ALLOWED_LABEL}.", "upload_type"
        )
    limit = max_bytes()
    stream.seek(0, 2)
    actual = stream.tell()
    stream.seek(0)
    size = actual if size is None else max(size, actual)
    if size > limit:
        raise DomainError(
            f"Tệp “{display}” có dung lượng {size_label(size)}, vượt quá giới hạn {size_label(limit)}.",
            "upload_too_large",
        )
    if size == 0:
        raise DomainError(f"Tệp “{display}” rỗng.", "upload_empty")
    content_type, kind = ALLOWED[ext]
    head = stream.read(16)
    stream.seek(0)
    if not any(head.startswith(sig) for sig in _MAGIC[kind]):
        raise DomainError(
            f"Tệp “{display}”: nội dung không phải tệp .{ext} hợp lệ (đuôi tệp không khớp nội dung).",
            "upload_content",
        )
    if kind in _ZIP_PART:
        try:
            with zipfile.ZipFile(stream) as package:
                names = set(package.namelist())
        except zipfile.BadZipFile:
            names = set()
        stream.seek(0)
        if _ZIP_PART[kind] not in names:
            raise DomainError(
                f"Tệp “{display}”: nội dung không phải tệp .{ext} hợp lệ (đuôi tệp không khớp nội dung).",
                "upload_content",
            )
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return CheckedUpload(
        name=display, extension=ext, content_type=content_type, size=size, sha256=digest.hexdigest()
    )


# Room for the form's other fields and the multipart headers around the file, in a request whose
# Content-Length is compared with the file limit before the body is read.
REQUEST_SLACK = 256 * 1024


def request_too_large(request: Any) -> str:
    """A message when the request's declared size already exceeds the file limit ("" otherwise).

    Checked before the body is read, so an oversize upload is refused without being received.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = max_bytes()
    if length > limit + REQUEST_SLACK:
        return (
            f"Dữ liệu gửi lên có dung lượng {size_label(length)}, vượt quá giới hạn tệp "
            f"{size_label(limit)}; tệp chưa được nhận. Hãy chọn tệp nhỏ hơn."
        )
    return ""


class SizeLimitUploadHandler(FileUploadHandler):
    """First of the request's upload handlers: stops reading the body as soon as a file passes
    the limit, so it is never written in full to memory or to a temporary file (a request without
    an honest Content-Length gets here). `refused` then holds the message for the form."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.limit = max_bytes()
        self.refused = ""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.refused = (
                f"Tệp “{self.file_name or '(không tên)'}” có dung lượng vượt quá giới hạn "
                f"{size_label(self.limit)}; tệp chưa được nhận. Hãy chọn tệp nhỏ hơn."
            )
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
