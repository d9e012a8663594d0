"""Columns the importer is not sure of: asked, never dropped silently; apply refuses until they
are answered (by a mapping or a skip); the CLI names each with the --map that resolves it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smartvillage.core.errors import DomainError
from smartvillage.registry.models import Person
from smartvillage.transfer import importer

CSV = "Mã hộ,Họ và tên,Ngày,Quan hệ,Dân tộc\nQ1,Lê Văn A,01/02/1980,Chủ hộ,Kinh\n"


def _file(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_a_column_that_may_be_a_core_field_is_a_question(world, tmp_path):
    path = _file(tmp_path)
    report = importer.preview(world.village1, [path])
    (question,) = report.questions
    assert question["sheet"] == "q" and question["column"] == "C" and question["header"] == "Ngày"
    assert question["samples"] == ["01/02/1980"]
    assert question["candidates"][0]["field"] == "birth_date"
    assert question["candidates"][0]["label"] == "Ngày sinh"
    assert 0 <= question["candidates"][0]["score"] <= 100 and question["reason"]
    data = report.to_dict()
    assert data["questions"] == report.questions and data["layout_signature"]
    # "Dân tộc" is no field: a warning, not a question.
    assert any("Dân tộc" in w.message() for w in report.warnings)
    with pytest.raises(DomainError) as info:
        importer.apply(report)
    assert info.value.code == "import_has_questions" and "q!C" in info.value.message
    assert not importer.import_files(world.village1, [path], user=world.alice).applied
    assert not Person.objects.exists()

    answered = importer.import_files(
        world.village1, [path], user=world.alice, mapping={"q!C": "birth_date"}
    )
    assert answered.applied and not answered.questions
    assert Person.objects.get().birth_date.year == 1980


def test_cli_names_the_open_columns_and_the_map_that_resolves_each(world, tmp_path):
    path = _file(tmp_path)
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import", str(path), "--village", str(world.village1.pk), stderr=err)
    assert info.value.returncode == 3
    text = err.getvalue()
    assert "Cột q!C “Ngày”" in text
    assert '--map "q!C=birth_date"' in text and '--skip-column "q!C"' in text
    assert not Person.objects.exists()

    out = io.StringIO()
    call_command(
        "import",
        str(path),
        "--village",
        str(world.village1.pk),
        "--skip-column",
        "q!C",
        stdout=out,
    )
    assert "Đã nhập" in out.getvalue()
    assert Person.objects.get().birth_date is None


def test_proposals_wait_for_confirmation(world, tmp_path):
    path = tmp_path / "p.csv"
    # A typo ("thág") leaves two close readings: the birth date, and a man's birth year.
    path.write_text(
        "Mã hộ,Họ và tên,Ngày thág năm sinh,Quan hệ\nR1,Lê Văn B,01/02/1981,Chủ hộ\n",
        encoding="utf-8",
    )
    report = importer.preview(world.village1, [path])
    assert not report.questions
    (proposal,) = report.proposed
    assert (proposal["column"], proposal["field"], proposal["label"]) == (
        "C",
        "birth_date",
        "Ngày sinh",
    )
    assert [c["field"] for c in proposal["candidates"]][:2] == ["birth_date", "birth_male"]
    assert report.to_dict()["proposed"] == [proposal]
    assert not importer.import_files(world.village1, [path], user=world.alice).applied
    # Confirmed: as an explicit mapping (the web step), or all at once (--accept-proposed).
    done = importer.import_files(
        world.village1, [path], user=world.alice, mapping={"p!C": "birth_date"}
    )
    assert done.applied and not done.proposed
    assert Person.objects.get().birth_date.year == 1981
