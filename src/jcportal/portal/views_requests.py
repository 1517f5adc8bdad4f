"""Citizen portal: the checklist of documents the Jobcenter asked for, with an upload per item."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jcportal.docrequests import selectors, services
from jcportal.docrequests.forms import ItemUploadForm
from jcportal.docrequests.models import DocumentRequest
from jcportal.documents import problems, types

from .decorators import citizen_required, household_object_or_404

SCOPE = "upload"


@citizen_required(scope=SCOPE)
def request_list(request: HttpRequest) -> HttpResponse:
    doc_requests = list(selectors.requests_for_household(request.portal_household))
    open_requests = [r for r in doc_requests if r.completed_at is None]
    complete_requests = [r for r in doc_requests if r.completed_at is not None]
    return render(
        request,
        "portal/requests/list.html",
        {"open_requests": open_requests, "complete_requests": complete_requests},
    )


@citizen_required(scope=SCOPE)
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    doc_request = household_object_or_404(
        request, DocumentRequest, scope=SCOPE, pk=request_id, withdrawn_at__isnull=True
    )
    services.refresh_completion(doc_request)
    items = list(doc_request.items.select_related("document"))
    posted_item = None
    if request.method == "POST":
        try:
            posted_item = next(i for i in items if str(i.pk) == request.POST.get("item", ""))
        except StopIteration:
            posted_item = None
        if posted_item is not None and services.item_has_arrived(posted_item):
            posted_item = None  # answered already (being checked or accepted): nothing to send for it
    rows = []
    for item in items:
        arrived = services.item_has_arrived(item)
        bound = posted_item is not None and item.pk == posted_item.pk
        form = ItemUploadForm(
            request.POST if bound else None, request.FILES if bound else None, prefix=f"item{item.pk}"
        )
        unusable = item.document is not None and not arrived and not item.is_rejected
        problem = problems.get(item.document.rejection_code) if unusable else None
        rows.append(
            {
                "item": item,
                "arrived": arrived,
                # accepted (or ticked by hand): the citizen's part is done
                "done": services.item_is_done(item),
                "checking": arrived and item.is_received,
                "rejected": item.is_rejected,
                "unusable": unusable,
                "form": form,
                "bound": bound,
                "problem": problem,
                "type_explanation": types.get(item.doc_type).explanation,
            }
        )
    if posted_item is not None:
        row = next(r for r in rows if r["bound"])
        form = row["form"]
        if form.is_valid():
            try:
                services.upload_for_item(
                    item=posted_item,
                    uploaded_by=request.user,
                    files=form.cleaned_data["upload"],
                    note=form.cleaned_data["note"],
                    by_representative=request.acting_as_representative,
                    request=request,
                )
            except ValidationError as error:
                form.add_error("upload", error)
            else:
                messages.success(
                    request,
                    _("Thank you. We received your document: %(type)s. Your Jobcenter will check it.")
                    % {"type": posted_item.type_label},
                )
                return redirect("portal:request", request_id=doc_request.pk)
    return render(
        request,
        "portal/requests/detail.html",
        {
            "doc_request": doc_request,
            "rows": rows,
            "missing": _missing(rows),
            "checking": _checking(rows),
            "form": next((r["form"] for r in rows if r["bound"]), None),
        },
    )


def _missing(rows: list[dict]) -> int:
    """How many documents are still missing; optional ones count only when nothing else is requested."""
    required = [r for r in rows if not r["item"].optional]
    return sum(1 for r in (required or rows) if not r["arrived"])


def _checking(rows: list[dict]) -> int:
    return sum(1 for r in rows if r["checking"])
