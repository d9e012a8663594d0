from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("smartvillage.web_urls")),
]
for app in settings.INSTALLED_APPS:
    if app.startswith("smartvillage.") and app.split(".")[1] in {"api"}:
        urlpatterns.insert(0, path("api/", include(f"{app}.urls")))
