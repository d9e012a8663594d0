"""The settings refuse to start without SECRET_KEY when DEBUG is off, with a clear message;
they are run in a fresh interpreter, as a deployment would import them."""

from __future__ import annotations

import os
import subprocess
import sys

IMPORT_SETTINGS = "import smartvillage.settings as s; print('DEBUG', s.DEBUG)"


def _run(tmp_path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    base["SMARTVILLAGE_DATA_DIR"] = str(tmp_path)
    return subprocess.run(
        [sys.executable, "-c", IMPORT_SETTINGS],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_secret_key_is_required_when_debug_is_off(tmp_path):
    result = _run(tmp_path, DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off" in result.stderr
    # Nothing was generated in the data directory to paper over it.
    assert not (tmp_path / "secret_key").exists()


def test_blank_secret_key_counts_as_missing(tmp_path):
    result = _run(tmp_path, DEBUG="off", SECRET_KEY="   ")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_with_a_secret_key_the_settings_load(tmp_path):
    result = _run(tmp_path, DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout


def test_debug_on_generates_and_keeps_a_key(tmp_path):
    assert _run(tmp_path, DEBUG="true").returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert _run(tmp_path, DEBUG="true").returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
