"""Writing a generated document to the file named on the command line (`report`, `plan export`).

The path is checked before the document is generated (a PDF takes seconds), and a failed write
becomes a CommandError with a Vietnamese message instead of a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import CommandError


def check_output(path: str | Path) -> Path:
    """The output path, or CommandError when the file cannot be written there."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise CommandError(
            f"Không ghi được tệp “{target}”: đây là một thư mục, hãy ghi cả tên tệp."
        )
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise CommandError(f"Không ghi được tệp “{target}”: thư mục “{parent}” không tồn tại.")
    if not os.access(parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise CommandError(f"Không ghi được tệp “{target}”: không có quyền ghi.")
    return target


def write_output(path: str | Path, data: bytes) -> Path:
    target = check_output(path)
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise CommandError(f"Không ghi được tệp “{target}”: {exc.strerror or exc}.") from exc
    return target
