"""The page of a background job (polled with htmx until it is done), its download, /healthz."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from smartvillage.jobs import services
from smartvillage.jobs.models import Job


def _own_job(request: HttpRequest, job_id: Any) -> Job:
    """Only the user who asked sees a job (its file may hold personal data); 404 otherwise."""
    job = get_object_or_404(Job, pk=job_id)
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return job


@login_required
def job_detail(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = _own_job(request, job_id)
    no_worker = job.is_running and not services.workers_alive()
    return render(request, "jobs/job.html", {"job": job, "no_worker": no_worker})


@login_required
def job_progress(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = _own_job(request, job_id)
    if not job.is_running:
        response = HttpResponse("")
        response["HX-Refresh"] = "true"  # finished: reload the page to show the result
        return response
    return render(request, "jobs/_progress.html", {"job": job})


@login_required
def job_download(request: HttpRequest, job_id: Any) -> FileResponse:
    job = _own_job(request, job_id)
    handle = services.open_job_file(job)  # through the media storage: any node serves it
    if handle is None:
        raise Http404
    response = FileResponse(
        handle, as_attachment=True, filename=job.file_name, content_type=job.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For a load balancer: 200 when the database answers, 503 when it does not. No session,
    no login; says nothing about the data."""
    body: dict[str, Any] = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        body["database"] = "ok"
    except DatabaseError:
        body["status"] = body["database"] = "error"
    if body["status"] == "ok":
        # Informative only: no worker slows jobs down but does not take a web node out.
        try:
            body["queue"] = services.queue_state()
        except DatabaseError:  # e.g. a migration not yet applied: say so, stay in
            body["queue"] = "error"
    try:
        cache.get("healthz")
        body["cache"] = "ok"
    except Exception:  # a cache outage degrades pages but does not take the node out
        body["cache"] = "error"
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
