"""The citizen's list of online services, drafts and filed submissions with their status."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jcportal.eforms import registry, selectors

from .decorators import citizen_required


@citizen_required(scope="services")
def services(request: HttpRequest) -> HttpResponse:
    household = request.portal_household  # type: ignore[attr-defined]
    offered = [registry.current(slug) for slug in registry.slugs() if registry.current(slug).needs_account]
    return render(
        request,
        "portal/services/list.html",
        {
            "household": household,
            "offered": offered,
            "drafts": selectors.drafts_for(household),
            "submissions": selectors.submissions_for(household),
        },
    )
