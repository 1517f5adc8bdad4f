"""The letters postbox for staff (§ 37 (2a) SGB X): how each released letter was made known, and the
letters that have to go by post. Thin: reads through ``postbox.selectors``, writes through its services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jcportal.accounts import policy
from jcportal.postbox import selectors, services

from .decorators import staff_required

RULE_LABELS = {
    "third_day": gettext_lazy("the third day after the e-mail notice"),
    "retrieval": gettext_lazy("the day after the first retrieval"),
}


@staff_required(policy.is_case_staff)
def postbox(request: HttpRequest) -> HttpResponse:
    household = request.GET.get("haushalt", "")
    letters = selectors.letters_for(request.user)
    to_post = selectors.to_send_by_post(request.user)
    if household.isdigit():
        letters = letters.filter(household_id=int(household))
        to_post = to_post.filter(household_id=int(household))
    page = Paginator(letters, 50).get_page(request.GET.get("page"))
    for letter in page:
        letter.notified_on = selectors.notified_on(letter)  # type: ignore[attr-defined]
    context = {
        "page": page,
        "to_post": to_post[:200],
        "rule": RULE_LABELS[services.rule()],
        "days": services.unretrieved_days(),
        "household": household if household.isdigit() else "",
        "query": f"haushalt={household}" if household.isdigit() else "",
    }
    return render(request, "backoffice/postbox/list.html", context)


@require_POST
@staff_required(policy.is_case_staff)
def sent_by_post(request: HttpRequest, document_id: Any) -> HttpResponse:
    letter = selectors.letter_for(request.user, document_id)
    if letter is None:
        raise Http404
    services.record_sent_by_post(letter, by=request.user, request=request)
    messages.success(request, _("Recorded: the letter was sent by post."))
    return redirect("backoffice:postbox")
