"""`smartvillage report`: reports that do not fit the unit or the set, conflicting options and an
unwritable output are refused with a Vietnamese message and a non-zero exit status."""

import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from smartvillage.assessments import services
from smartvillage.assessments.tests.conftest import AT, PHUTHO
from smartvillage.audit.models import AuditEvent

KONTUM_XA = "kontum-xa-ntm-thong-minh-2431"
THANHHOA = "thanhhoa-thon-thong-minh-35"


def _report(*args):
    call_command("report", *args)


@pytest.mark.parametrize(
    ("kind", "unit", "slug", "needle"),
    [
        ("commune", "village1", PHUTHO, "không phải xã"),
        ("criteria", "village1", KONTUM_XA, "dùng để đánh giá xã"),
        ("mau01", "commune", PHUTHO, "không lập báo cáo Mẫu số 01"),
        ("mau01", "village1", THANHHOA, "không áp dụng cho bộ tiêu chí"),
        ("criteria", "commune", PHUTHO, r"dùng báo cáo tổng hợp \(commune\)"),
    ],
)
def test_unsuitable_kind_or_level_exits_2(world, village_data, tmp_path, kind, unit, slug, needle):
    out = tmp_path / "r.docx"
    with pytest.raises(CommandError, match=needle) as exc:
        _report(kind, "--unit", getattr(world, unit).code, "--criteria-set", slug, "-o", str(out))
    assert exc.value.returncode == 2
    assert not out.exists()


def test_suitable_kinds_still_work(world, village_data, tmp_path):
    for kind, unit, slug in [
        ("commune", world.commune, KONTUM_XA),
        ("commune", world.commune, PHUTHO),  # a village set summarised village by village
        ("criteria", world.commune, KONTUM_XA),
        ("criteria", world.village1, THANHHOA),
        ("mau01", world.village1, PHUTHO),
    ]:
        out = tmp_path / f"{kind}-{unit.pk}-{slug}.docx"
        _report(kind, "--unit", unit.code, "--criteria-set", slug, "--at", "2024-03-05", "-o", out)
        assert out.read_bytes().startswith(b"PK"), (kind, slug)


def test_at_with_assessment_is_refused(world, village_data, tmp_path):
    a = services.do_create(world.alice, world.village1, PHUTHO, AT)
    services.do_submit(world.alice, a)
    out = tmp_path / "r.docx"
    with pytest.raises(CommandError, match="Không dùng --at cùng --assessment") as exc:
        _report(
            "mau01",
            "--unit",
            world.village1.code,
            "--criteria-set",
            PHUTHO,
            "--assessment",
            str(a.pk),
            "--at",
            "2024-03-05",
            "-o",
            str(out),
        )
    assert exc.value.returncode == 2 and not out.exists()
    with pytest.raises(CommandError, match="cần đi cùng --assessment"):
        args = ["--unit", world.village1.code, "--criteria-set", PHUTHO]
        _report("mau01", *args, "--assessment-version", "1", "-o", str(out))


def test_unwritable_output_is_a_command_error(world, village_data, tmp_path):
    for target, needle in [
        (tmp_path / "khong-co" / "r.docx", "không tồn tại"),
        (tmp_path, "là một thư mục"),
    ]:
        with pytest.raises(CommandError, match=needle):
            args = ["--unit", world.village1.code, "--criteria-set", PHUTHO]
            _report("criteria", *args, "-o", str(target))


def test_cli_mau01_export_is_audited(world, village_data, tmp_path):
    out = tmp_path / "m.docx"
    _report("mau01", "--unit", world.village1.code, "--criteria-set", PHUTHO, "-o", str(out))
    event = AuditEvent.objects.get(action="export")
    assert event.actor is None and event.actor_name == "system"
    assert event.unit == world.village1 and "Dòng lệnh" in event.note and str(out) in event.note
    _report("criteria", "--unit", world.village1.code, "--criteria-set", PHUTHO, "-o", str(out))
    assert AuditEvent.objects.filter(action="export").count() == 1  # no person lists, no entry


def test_console_exit_status_and_no_traceback(tmp_path):
    """The installed command as a user runs it: a message on stderr and the exit status, never a
    Python traceback (these refusals come before any database access)."""
    env = {**os.environ, "SMARTVILLAGE_DATA_DIR": str(tmp_path / "data")}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "smartvillage.cli", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    common = ["--unit", "x", "--criteria-set", PHUTHO]
    both = run("report", "mau01", *common, "--assessment", "1", "--at", "2024-03-05", "-o", "r")
    assert both.returncode == 2 and "Không dùng --at cùng --assessment" in both.stderr
    missing = run("report", "mau01", *common, "-o", str(tmp_path / "khong-co" / "r.docx"))
    assert missing.returncode == 1 and "thư mục" in missing.stderr
    plan = run("plan", "export", "--plan", "1", "-o", str(tmp_path / "khong-co" / "k.docx"))
    assert plan.returncode == 1
    for result in (both, missing, plan):
        assert "Traceback" not in result.stderr
