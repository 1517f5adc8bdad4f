"""Back office: document requests (Mitwirkungsaufforderung) – create, list (incl. overdue), detail."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jcportal.accounts import policy
from jcportal.docrequests import selectors, services
from jcportal.docrequests.forms import DocumentRequestForm, HouseholdLookupForm
from jcportal.households.models import Household, normalise_bg_number

from .decorators import staff_required

STATES = ("open", "overdue", "complete", "withdrawn")


def _visible_household_or_404(user, household_id: int) -> Household:  # type: ignore[no-untyped-def]
    return get_object_or_404(policy.visible_households(user), pk=household_id)


@staff_required(policy.is_case_staff)
def request_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "open")
    if state not in STATES:
        state = "open"
    lookup = HouseholdLookupForm(request.GET if "bg_number" in request.GET else None)
    if lookup.is_bound and lookup.is_valid():
        household = (
            policy.visible_households(request.user)
            .filter(bg_number=normalise_bg_number(lookup.cleaned_data["bg_number"]))
            .first()
        )
        if household is not None:
            return redirect("backoffice:document-request-create", household_id=household.pk)
        lookup.add_error("bg_number", _("No household with this BG number in your case files."))
    page = Paginator(selectors.requests_for_staff(request.user, state=state), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "state": state,
        "states": [
            ("open", _("Open")),
            ("overdue", _("Overdue")),
            ("complete", _("Complete")),
            ("withdrawn", _("Withdrawn")),
        ],
        "doc_requests": page.object_list,
        "page": page,
        "overdue_count": selectors.overdue_count(request.user),
        "form": lookup,
    }
    return render(request, "backoffice/requests/list.html", context)


@staff_required(policy.is_case_staff)
def request_create(request: HttpRequest, household_id: int) -> HttpResponse:
    household = _visible_household_or_404(request.user, household_id)
    form = DocumentRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        doc_request = services.create_request(
            household=household,
            created_by=request.user,
            explanation=form.cleaned_data["explanation"],
            deadline=form.cleaned_data["deadline"],
            items=form.items(),
            request=request,
        )
        messages.success(request, _("The document request was sent to the household's portal."))
        return redirect("backoffice:document-request", request_id=doc_request.pk)
    return render(request, "backoffice/requests/create.html", {"form": form, "household": household})


@staff_required(policy.is_case_staff)
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    doc_request = selectors.request_for_staff(request.user, request_id)
    if doc_request is None:
        raise Http404
    if doc_request.withdrawn_at is None:
        services.refresh_completion(doc_request)
    items = [{"item": item, "arrived": services.item_has_arrived(item)} for item in doc_request.items.all()]
    return render(
        request,
        "backoffice/requests/detail.html",
        {"doc_request": doc_request, "items": items, "household": doc_request.household},
    )


@require_POST
@staff_required(policy.is_case_staff)
def request_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    doc_request = selectors.request_for_staff(request.user, request_id)
    if doc_request is None:
        raise Http404
    services.withdraw_request(doc_request=doc_request, actor=request.user, request=request)
    messages.success(request, _("The document request was withdrawn."))
    return redirect("backoffice:document-request", request_id=doc_request.pk)
