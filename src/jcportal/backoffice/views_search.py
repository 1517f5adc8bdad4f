"""The one search box of the back office: BG number, name, date of birth, receipt number, Vorgangsnummer
and full text over every case file the staff member may see (``casework.search.global_search``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jcportal.accounts import policy
from jcportal.audit.services import audit
from jcportal.casework import search as case_search

from .decorators import staff_required
from .views_cases import CSS


@staff_required(policy.is_case_staff)
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    results = case_search.global_search(request.user, query)
    if results.query:
        # the query itself may be social data (a name, a birth date): only its kind and the result count
        audit(
            "search.performed",
            request=request,
            details={"kind": results.kind, "results": results.count, "more": results.more},
        )
        only = _single_exact_hit(results)
        if only:
            return redirect(only)
    return render(request, "backoffice/search.html", {"results": results, "css": CSS})


def _single_exact_hit(results: case_search.GlobalResults) -> str:
    """A receipt number or Vorgangsnummer that found exactly one thing opens it directly."""
    from django.urls import reverse

    if results.kind == "receipt_number" and len(results.documents) == 1:
        hit = results.documents[0]
        if hit.item_id is not None:
            return reverse("backoffice:item", args=[hit.item_id])
        return reverse("backoffice:document", args=[hit.document.pk])
    if results.kind == "reference" and len(results.submissions) == 1:
        return reverse("backoffice:submission", args=[results.submissions[0].submission.pk])
    return ""
