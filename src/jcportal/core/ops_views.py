"""Probes and metrics for operators: GET /livez, GET /readyz, GET /metrics (behind METRICS_TOKEN).

/healthz (core.views) is the public overview of every component; these answer the orchestrator
(Kubernetes probes) and Prometheus.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health, metrics


@never_cache
@require_GET
def livez(request: HttpRequest) -> JsonResponse:
    """The process answers (no dependency is asked: a database outage must not restart every pod)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    ready, components = health.readiness()
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "components": components}, status=200 if ready else 503
    )


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(offered.encode(), token.encode()):
        response = HttpResponse(status=401)
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics.render(), content_type="text/plain; version=0.0.4; charset=utf-8")
