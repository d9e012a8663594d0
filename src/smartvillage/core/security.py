"""Response headers the settings cannot set: Permissions-Policy and no-store on personal data.

- Permissions-Policy: the product uses no camera, microphone, payment or USB; location only on its
  own pages (the household form's "use my position" button).
- Cache-Control: a page, download or API answer for a signed-in user can show personal data
  (names, identity numbers, lists). `no-store` keeps it out of the browser's cache and any shared
  proxy, so the next person at a commune office computer cannot read it back with "Back". A
  response that declared itself public (the village's public page, static files) is left alone.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(self), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in and "public" not in response.headers.get("Cache-Control", ""):
            patch_cache_control(response, private=True, no_store=True)
        return response
