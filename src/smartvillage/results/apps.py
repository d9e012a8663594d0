from __future__ import annotations

import gc

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "smartvillage.results"
    label = "results"
    verbose_name = _("Kết quả đánh giá (lưu sẵn)")


def freeze_after_startup() -> None:
    """Move everything loaded at start-up (Django, the apps, the criteria sets) out of the
    garbage collector's generations.

    Call once in each web worker after the application is loaded (gunicorn's `post_fork` or
    the end of wsgi.py): the collector then no longer walks those objects on every collection,
    which a page building thousands of result objects triggers many times, and forked workers
    keep sharing their memory pages with the master (copy-on-write is not broken by the
    collector touching reference counts).
    """
    gc.collect()
    gc.freeze()
