"""Password rules with Vietnamese messages (settings.AUTH_PASSWORD_VALIDATORS).

Django's own validators have no Vietnamese translation and compare names without folding
diacritics ("Nguyễn Văn An" vs "nguyenvanan"), so the rules are written here:

- at least 10 characters (`MinimumLengthValidator`);
- not like the username, the person's name or e-mail, with or without diacritics, spaces and
  digits (`NotLikeUserValidator`);
- not only digits (`NotOnlyDigitsValidator`);
- not a common password: Django's list of 20.000 plus a vendored Vietnamese list
  (core/data/common-passwords-vi.txt), compared without diacritics, case and trailing digits or
  symbols, so "Matkhau@2024" is refused like "matkhau" (`CommonPasswordValidator`).

The demo creates its users directly (User.objects.create_user does not run validators), so the
demo password keeps working; a real account's password goes through these rules on every form
and in `smartvillage createsuperuser` / `changepassword`.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator as DjangoCommon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

VIETNAMESE_LIST = Path(__file__).parent / "data" / "common-passwords-vi.txt"


def fold(text: str) -> str:
    """Lower case ASCII letters and digits only: "Nguyễn Văn Đức" -> "nguyenvanduc"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in decomposed if ord(c) < 128).lower())


class MinimumLengthValidator:
    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(self.get_help_text(), code="password_too_short")

    def get_help_text(self) -> str:
        return ngettext(
            "Mật khẩu phải có ít nhất %(n)d ký tự.",
            "Mật khẩu phải có ít nhất %(n)d ký tự.",
            self.min_length,
        ) % {"n": self.min_length}


class NotOnlyDigitsValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if password.isdigit():
            raise ValidationError(
                _("Mật khẩu không được chỉ gồm chữ số."), code="password_entirely_numeric"
            )

    def get_help_text(self) -> str:
        return _("Mật khẩu không được chỉ gồm chữ số.")


class NotLikeUserValidator:
    """Refuses a password that is, contains, or closely resembles the user's own names."""

    ATTRIBUTES = ("username", "first_name", "last_name", "email")

    def __init__(self, max_similarity: float = 0.7) -> None:
        self.max_similarity = max_similarity

    def _names(self, user: Any) -> list[str]:
        values = [str(getattr(user, attribute, "") or "") for attribute in self.ATTRIBUTES]
        full = " ".join(v for v in (values[2], values[1]) if v)  # Vietnamese order: family first
        values += [full, " ".join(v for v in (values[1], values[2]) if v)]
        if values[3]:
            values.append(values[3].split("@")[0])
        names = []
        for value in values:
            folded = fold(value)
            if len(folded) >= 3:
                names.append(folded)
            names += [fold(part) for part in re.split(r"\W+", value) if len(fold(part)) >= 4]
        return names

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        folded = fold(password)
        bare = folded.rstrip("0123456789")
        for name in self._names(user):
            if (
                name in folded
                or (len(bare) >= 4 and bare in name)
                or difflib.SequenceMatcher(a=folded, b=name).quick_ratio() >= self.max_similarity
                and difflib.SequenceMatcher(a=folded, b=name).ratio() >= self.max_similarity
            ):
                raise ValidationError(
                    _("Mật khẩu quá giống tên đăng nhập, họ tên hoặc thư điện tử của bạn."),
                    code="password_too_similar",
                )

    def get_help_text(self) -> str:
        return _("Mật khẩu không được giống tên đăng nhập, họ tên hoặc thư điện tử của bạn.")


@functools.cache
def _common_passwords() -> frozenset[str]:
    words: set[str] = set(DjangoCommon().passwords)  # Django's 20.000, loaded from its gz file
    for line in VIETNAMESE_LIST.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line)
    return frozenset(fold(word) for word in words if fold(word))


class CommonPasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        folded = fold(password)
        bare = folded.rstrip("0123456789")
        common = _common_passwords()
        if folded in common or (bare and bare in common) or fold(password[::-1]) in common:
            raise ValidationError(
                _("Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác."),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _("Mật khẩu không được là mật khẩu phổ biến (như “matkhau123”, “123456789”).")
