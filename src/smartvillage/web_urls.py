"""Page URLs of every app, collected in one place so each app owns its own urls.py."""

from importlib import util

from django.conf import settings
from django.urls import include, path

urlpatterns = []
for app in settings.INSTALLED_APPS:
    if not app.startswith("smartvillage.") or app.endswith(".api"):
        continue
    if util.find_spec(f"{app}.urls") is not None:
        urlpatterns.append(path("", include(f"{app}.urls")))
