"""The `smartvillage` console command: Django's management commands plus our own."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartvillage.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["smartvillage", *argv])
    args[0] = "smartvillage"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
