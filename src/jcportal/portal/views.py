from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .decorators import citizen_required


@citizen_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/dashboard.html", {"household": request.portal_household})
