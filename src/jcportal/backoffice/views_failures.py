"""Back office: documents the intake parked as failed (a job that crashed its worker three times, or
failed three times), with the reason, and a "retry" action. Administrators and the clearing team."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jcportal.accounts import policy
from jcportal.documents import lifecycle, pipeline

from .decorators import staff_required

failures_staff = staff_required(policy.can_handle_intake_failures)


def _failures(request: HttpRequest):  # type: ignore[no-untyped-def]
    return policy.visible_intake_failures(request.user, pipeline.failed_documents()).select_related(
        "household"
    )


@failures_staff
def failure_list(request: HttpRequest) -> HttpResponse:
    listing = _failures(request).defer("ocr_text", "note").order_by("received_at", "pk")
    page = Paginator(listing, 50).get_page(request.GET.get("page"))
    return render(request, "backoffice/failures/list.html", {"page": page})


@failures_staff
@require_POST
def failure_retry(request: HttpRequest, document_id: str) -> HttpResponse:
    document = _failures(request).filter(pk=document_id).first()
    if document is None:
        raise Http404
    if lifecycle.retry_intake(document, actor=request.user):
        messages.success(
            request,
            _("The intake of %(receipt)s has started again.") % {"receipt": document.receipt_number},
        )
    return redirect("backoffice:intake-failures")
