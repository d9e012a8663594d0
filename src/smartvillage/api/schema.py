"""OpenAPI postprocessing: every operation documents every status the API can answer it with.

Views declare their own successes and specific errors (`extend_schema(responses=...)`); this hook
adds what every path shares, so no status goes undocumented (schemathesis checks it):
401 (not logged in), 403 (no right), 404 (not found or not visible), 400 (bad query or body,
field errors in Vietnamese) where the operation takes input, 412 where it takes If-Match, and
the ETag header on the 200 of operations that take If-Match.
"""

from __future__ import annotations

from typing import Any

_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "Lý do, bằng tiếng Việt."}},
    "required": ["detail"],
}
_FIELD_ERRORS = {
    "type": "object",
    "description": (
        "Lỗi theo từng trường: {tên trường: [thông báo]}; lỗi chung ở `detail` hoặc "
        "`non_field_errors`."
    ),
    "additionalProperties": {},
}
_STALE = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "Thay đổi của người khác, bằng tiếng Việt."},
        "current_etag": {"type": "string"},
    },
    "required": ["detail"],
}
_COMMON = {
    "401": ("Chưa đăng nhập (phiên đăng nhập hoặc xác thực Basic).", _DETAIL),
    "403": ("Không có quyền.", _DETAIL),
    "404": ("Không tìm thấy (hoặc không được xem).", _DETAIL),
}
_METHODS = {"get", "post", "put", "patch", "delete"}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            if path in ("/api/schema/", "/api/docs/"):
                continue
            for code, (description, schema) in _COMMON.items():
                responses.setdefault(code, _json(description, schema))
            takes_input = bool(operation.get("parameters")) or "requestBody" in operation
            if takes_input or method in ("post", "put", "patch"):
                response = responses.setdefault(
                    "400", _json("Dữ liệu không hợp lệ: lỗi theo từng trường.", _FIELD_ERRORS)
                )
                response.setdefault("content", {"application/json": {"schema": _FIELD_ERRORS}})
            if any(p.get("name") == "If-Match" for p in operation.get("parameters", [])):
                responses.setdefault("412", _json("If-Match không khớp; chưa ghi gì.", _STALE))
                for code in ("200", "201"):
                    if code in responses:
                        responses[code].setdefault("headers", {})["ETag"] = {
                            "description": "Phiên bản của đối tượng (gửi lại trong If-Match).",
                            "schema": {"type": "string"},
                        }
    return result
