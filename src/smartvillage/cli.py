"""The `smartvillage` console command: our own commands first, then Django's management commands.

`smartvillage`, `smartvillage help` and `smartvillage --help` list the product's commands with a
line each, and Django's own (and its libraries') under a second heading; everything else is
Django's command line as usual (`smartvillage help migrate`, `smartvillage migrate`, …).
"""

from __future__ import annotations

import os
import sys
import textwrap

HELP_ARGS = ({"help"}, {"--help"}, {"-h"})


def _first_line(text: str) -> str:
    text = " ".join(str(text or "").split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def main_help() -> str:
    """The command list: product commands (apps under smartvillage.) and then the others."""
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    ours: list[tuple[str, str]] = []
    theirs: dict[str, list[str]] = {}
    for name, app in sorted(get_commands().items()):
        if app.startswith("smartvillage."):
            try:
                line = _first_line(load_command_class(app, name).help)
            except Exception:  # a broken command must not hide the list
                line = ""
            ours.append((name, line))
        else:
            label = app.split(".")[0]  # the package: django, axes, rest_framework, …
            theirs.setdefault(label, []).append(name)
    width = max((len(name) for name, _ in ours), default=10) + 2
    out = [
        "Cách dùng: smartvillage <lệnh> [tùy chọn]   (smartvillage help <lệnh>: chi tiết một lệnh)",
        "",
        "Lệnh của smartvillage:",
    ]
    out += [f"  {name.ljust(width)}{line}" for name, line in ours]
    out += ["", "Lệnh của Django và các thư viện (dùng khi quản trị, nâng cấp):"]
    for label, names in sorted(theirs.items()):
        out += textwrap.wrap(
            ", ".join(names), 100, initial_indent=f"  [{label}] ", subsequent_indent="    "
        )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartvillage.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["smartvillage", *argv])
    args[0] = "smartvillage"
    if len(args) == 1 or set(args[1:]) in HELP_ARGS:
        sys.stdout.write(main_help())
        return
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
