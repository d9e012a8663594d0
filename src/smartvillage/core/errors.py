"""Domain errors carry a stable code (for the API/CLI) and a message for people."""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message: str, code: str = "error") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message
