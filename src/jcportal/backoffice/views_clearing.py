"""Back office: the clearing inbox (Eingangszone) and the clearing actions on an item: "assign to
household" (search by BG number, name, date of birth) and "register the Erstantrag as a new household".
Thin views: access in ``accounts.policy``, writes in ``inbox.clearing`` and ``eforms.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jcportal.accounts import policy, selectors
from jcportal.accounts.forms import PersonSearchForm
from jcportal.households.models import Household
from jcportal.inbox import clearing
from jcportal.inbox import selectors as inbox_selectors
from jcportal.inbox.models import InboxItem

from .decorators import staff_required

CSS = "css/backoffice.css"


@staff_required(policy.can_open_clearing)
def clearing_inbox(request: HttpRequest) -> HttpResponse:
    """Open items of the clearing teams the user belongs to (all of them for an administrator, who sees
    the list and the reasons, not the documents)."""
    teams = list(policy.clearing_teams(request.user).order_by("name"))
    items = (
        InboxItem.objects.filter(team__in=teams, active=1)
        .select_related("document", "household", "team")
        .defer("document__ocr_text", "document__note")
        .order_by("-received_at", "-pk")
    )
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "item": item,
            "why": clearing.why(item),
            "verdict": clearing.quarantine_verdict(item.document),
        }
        for item in page
    ]
    context = {
        "teams": teams,
        "page": page,
        "rows": rows,
        "can_open_items": policy.is_case_staff(request.user),
        "can_see_failures": policy.can_handle_intake_failures(request.user),
        "css": CSS,
    }
    return render(request, "backoffice/clearing/inbox.html", context)


def item_panel(request: HttpRequest, item: InboxItem) -> dict[str, Any] | None:
    """What the item page shows for a clearing item (the item page's ``clearing``), else None."""
    if not clearing.needs_clearing(item):
        return None
    may_clear = policy.can_clear_items(request.user) and item.state != InboxItem.State.DONE
    searching = any(request.GET.get(k) for k in ("name", "bg_number", "date_of_birth"))
    form = PersonSearchForm(request.GET if searching else None)
    results = []
    if may_clear and searching and form.is_valid():
        results = list(selectors.search_persons(**form.cleaned_data))
    verdict = clearing.quarantine_verdict(item.document)
    return {
        "why": clearing.why(item),
        "verdict": verdict,
        "may_clear": may_clear and not verdict and item.document.household_id is None,
        "form": form,
        "searching": searching,
        "results": results,
        "submission": clearing.submission_of(item) if may_clear and not verdict else None,
    }


def _clearable_item_or_404(request: HttpRequest, item_id: int) -> InboxItem:
    item = inbox_selectors.item_for(request.user, item_id)
    if item is None or not clearing.needs_clearing(item) or not policy.can_clear_items(request.user):
        raise Http404
    return item


@require_POST
@staff_required(policy.can_clear_items)
def item_assign_household(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _clearable_item_or_404(request, item_id)
    household_id = request.POST.get("household", "")
    household = Household.objects.filter(pk=int(household_id) if household_id.isdigit() else 0).first()
    if household is None:
        raise Http404
    try:
        routed = clearing.assign_to_household(item, household, actor=request.user, request=request)
    except clearing.ClearingError as error:
        messages.error(request, str(error))
        return redirect("backoffice:item", item_id=item.pk)
    target = routed[0] if routed else None
    where = (
        (target.assignee.get_full_name() or target.assignee.get_username())
        if target and target.assignee
        else (target.team.name if target and target.team else "–")
    )
    messages.success(
        request,
        _("The document was assigned to household %(bg)s and routed to %(where)s.")
        % {"bg": household.bg_number, "where": where},
    )
    return redirect("backoffice:clearing")


@require_POST
@staff_required(policy.can_clear_items)
def item_register_household(request: HttpRequest, item_id: int) -> HttpResponse:
    """One step: the Erstantrag of the item becomes a new household, which then takes the item."""
    from jcportal.eforms import services as eforms_services

    item = _clearable_item_or_404(request, item_id)
    submission = clearing.submission_of(item)
    if submission is None:
        raise Http404
    try:
        household = eforms_services.convert_preregistration(submission, request.user, request=request)
    except eforms_services.IncompleteApplication as error:
        messages.error(request, str(error))
        return redirect("backoffice:item", item_id=item.pk)
    except eforms_services.WorkflowError:
        messages.error(request, _("This application was already registered."))
        return redirect("backoffice:item", item_id=item.pk)
    messages.success(
        request,
        _("Household %(bg)s was created from the application; its documents went to the responsible inbox.")
        % {"bg": household.bg_number},
    )
    return redirect("backoffice:clearing")
