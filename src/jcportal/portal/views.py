from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jcportal.docrequests import selectors as request_selectors

from .decorators import citizen_required


@citizen_required
def dashboard(request: HttpRequest) -> HttpResponse:
    household = request.portal_household  # type: ignore[attr-defined]
    return render(
        request,
        "portal/dashboard.html",
        {"household": household, "waiting_for": request_selectors.waiting_for(household)},
    )
