"""Refusals in plain Vietnamese (issue 11, item 9): no server paths, no Jinja/OS English."""

from __future__ import annotations

import io

import pytest
from docx import Document

from smartvillage.core.errors import DomainError
from smartvillage.documents import rendering


def test_a_broken_replacement_template_is_named_without_the_server_path(settings, tmp_path):
    settings.SMARTVILLAGE_DOCUMENT_TEMPLATES_DIR = str(tmp_path)
    doc = Document()
    doc.add_paragraph("{{ unit.name ")  # an unclosed tag
    buffer = io.BytesIO()
    doc.save(buffer)
    (tmp_path / "plan.docx").write_bytes(buffer.getvalue())
    with pytest.raises(DomainError) as info:
        rendering.render_docx("plan.docx", {})
    message = info.value.message
    assert message.startswith("Mẫu văn bản “plan.docx” không hợp lệ")
    assert str(tmp_path) not in message and "Error" not in message and "expected" not in message


def test_a_missing_libreoffice_is_said_in_vietnamese(monkeypatch):
    monkeypatch.setenv("SOFFICE", "/khong/co/soffice")
    with pytest.raises(DomainError) as info:
        rendering.docx_to_pdf(b"PK")
    message = info.value.message
    assert "chưa cài LibreOffice" in message
    assert "/khong/co" not in message and "Errno" not in message
