"""The command line's help (ours first) and the production server's settings."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from smartvillage import cli
from smartvillage.core.management.commands import serve


def test_help_lists_our_commands_first_with_a_line_each(capsys):
    cli.main(["--help"])
    out = capsys.readouterr().out
    ours, _, django = out.partition("Lệnh của Django")
    for name in ("demo", "serve", "worker", "import", "evaluate"):
        assert f"\n  {name} " in ours
    assert "Chạy các công việc nền" in ours  # the first sentence of the command's help
    assert "migrate" not in ours and "migrate" in django and "db_worker" in django
    cli.main([])
    assert capsys.readouterr().out == out


def test_serve_binds_and_sizes_workers():
    assert serve.bind_address("8001") == "127.0.0.1:8001"
    assert serve.bind_address(":8001") == "127.0.0.1:8001"
    assert serve.bind_address("0.0.0.0:80") == "0.0.0.0:80"
    assert serve.bind_address("unix:/run/sv.sock") == "unix:/run/sv.sock"
    with pytest.raises(CommandError):
        serve.bind_address("localhost")
    assert 3 <= serve.default_workers() <= serve.MAX_WORKERS
    options = serve.gunicorn_options("8001", 3, 1, 60)
    assert options["workers"] == 3 and options["worker_class"] == "sync"
    assert options["accesslog"] == "-" and options["timeout"] == 60 and options["preload_app"]
    assert serve.gunicorn_options("8001", 3, 4, 60)["worker_class"] == "gthread"
