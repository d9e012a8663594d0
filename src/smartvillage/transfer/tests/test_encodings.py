import pytest

from smartvillage.core.errors import DomainError
from smartvillage.registry.models import Person
from smartvillage.transfer import importer
from smartvillage.transfer.reader import decode_csv

TEXT = "Mã hộ;Họ và tên;Năm sinh;Quan hệ với chủ hộ;Điện thoại thông minh\r\nĐ1;Nguyễn Thị Hường;1988;Chủ hộ;Có\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_with_and_without_bom(world, tmp_path, encoding):
    path = tmp_path / "u.csv"
    path.write_bytes(TEXT.encode(encoding))
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [e.message() for e in report.errors]
    assert Person.objects.get().full_name == "Nguyễn Thị Hường"
    assert Person.objects.get().smartphone


def test_windows_1258_csv_from_vietnamese_excel(world, tmp_path):
    import unicodedata

    raw = _cp1258(TEXT)
    assert unicodedata.normalize("NFC", raw.decode("cp1258")) == TEXT
    path = tmp_path / "w.csv"
    path.write_bytes(raw)
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [e.message() for e in report.errors]
    assert Person.objects.get().full_name == "Nguyễn Thị Hường"


def _cp1258(text: str) -> bytes:
    """Encode as Excel on Vietnamese Windows does: base letters in the code page, tones combining."""
    import unicodedata

    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            tone = [c for c in decomposed if c in tones]
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
            out += base.encode("cp1258") + "".join(tone).encode("cp1258")
    return bytes(out)


def _windows_cp1252(data: bytes) -> str:
    """Decode as Windows does, keeping the 5 undefined bytes as C1 control characters."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)


def test_utf8_mangled_through_cp1252_is_repaired(world, tmp_path):
    mangled = _windows_cp1252(TEXT.encode("utf-8")).encode("utf-8")
    path = tmp_path / "m.csv"
    path.write_bytes(mangled)
    assert "Há»" in mangled.decode("utf-8")
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [e.message() for e in report.errors]
    assert Person.objects.get().full_name == "Nguyễn Thị Hường"


def test_question_marks_instead_of_letters_are_refused_clearly(world, tmp_path):
    path = tmp_path / "q.csv"
    path.write_bytes(TEXT.encode("cp1252", errors="replace"))
    with pytest.raises(DomainError) as info:
        importer.preview(world.village1, [path])
    assert "mất dấu tiếng Việt" in str(info.value)
    assert not Person.objects.exists()


def test_undecodable_bytes_are_refused_clearly():
    with pytest.raises(DomainError) as info:
        decode_csv(b"\x81\x8d\x8f\x90\x9d" * 10, "x.csv")
    assert "không phải UTF-8" in str(info.value)
