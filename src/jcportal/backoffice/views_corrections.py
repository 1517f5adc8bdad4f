"""Corrections of a document in the back office: type and title, move to another household, split,
merge, rotate, and deletion with a second person's approval. Thin views: access through
``accounts.policy.can_correct_document``, writes through ``documents.corrections``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jcportal.accounts import policy
from jcportal.casework import previews
from jcportal.casework import selectors as case_selectors
from jcportal.documents import corrections
from jcportal.documents.models import DeletionRequest, Document
from jcportal.households.models import Household
from jcportal.inbox.models import InboxItem

from .decorators import staff_required
from .forms_corrections import (
    DecisionForm,
    DeletionRequestForm,
    MergeForm,
    MoveForm,
    MoveSearchForm,
    RetypeForm,
    RotateForm,
    SplitForm,
)

CSS = "css/backoffice.css"


def _document(request: HttpRequest, document_id: Any) -> Document:
    """A document the user may open (case file or inbox) and correct; else 404."""
    document = case_selectors.document_for(request.user, document_id)
    if document is None:
        for item in InboxItem.objects.filter(document_id=document_id).select_related("document")[:20]:
            if policy.can_work_on_item(request.user, item):
                document = item.document
                break
    if document is None or not policy.can_correct_document(request.user, document):
        raise Http404
    return document


def _next(request: HttpRequest, document: Document | None) -> str:
    """Back where the staff member came from (the item or document page), if it is still theirs."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    if document is not None:
        return reverse("backoffice:document", args=[document.pk])
    return reverse("backoffice:inbox")


def _after_move(request: HttpRequest, document: Document) -> str:
    if case_selectors.document_for(request.user, document.pk) is not None:
        return reverse("backoffice:document", args=[document.pk])
    for item in InboxItem.objects.filter(document=document).exclude(state=InboxItem.State.DONE):
        if policy.can_work_on_item(request.user, item):
            return reverse("backoffice:item", args=[item.pk])
    return reverse("backoffice:inbox")


def _page(request: HttpRequest, template: str, document: Document, **context: Any) -> HttpResponse:
    context.update({"document": document, "next": _next(request, document), "css": CSS})
    return render(request, f"backoffice/corrections/{template}", context)


@staff_required(policy.is_case_staff)
def retype(request: HttpRequest, document_id: Any) -> HttpResponse:
    document = _document(request, document_id)
    form = RetypeForm(request.POST or None, initial={"doc_type": document.doc_type, "title": document.title})
    if request.method == "POST" and form.is_valid():
        try:
            changed = corrections.retype(
                request.user,
                document,
                doc_type=form.cleaned_data["doc_type"],
                title=form.cleaned_data["title"],
            )
        except corrections.CorrectionError as error:
            form.add_error(None, str(error))
        else:
            if changed:
                messages.success(request, _("The type and title were corrected."))
            return redirect(_next(request, document))
    return _page(request, "retype.html", document, form=form)


@staff_required(policy.is_case_staff)
def move(request: HttpRequest, document_id: Any) -> HttpResponse:
    document = _document(request, document_id)
    search = MoveSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_bound and search.is_valid() else ""
    if request.method == "POST":
        form = MoveForm(request.POST)
        if form.is_valid():
            household = get_object_or_404(Household, pk=form.cleaned_data["household"])
            if household not in corrections.find_households(request.user, household.bg_number):
                raise PermissionDenied
            try:
                corrections.move(request.user, document, household=household, note=form.cleaned_data["note"])
            except corrections.CorrectionError as error:
                messages.error(request, str(error))
                return redirect(request.get_full_path())
            messages.success(
                request,
                _("The document was moved to household %(bg)s and routed there.")
                % {"bg": household.bg_number},
            )
            return redirect(_after_move(request, document))
    results = corrections.find_households(request.user, query, exclude=document.household_id)
    return _page(
        request, "move.html", document, search=search, query=query, results=results, searched=bool(query)
    )


@staff_required(policy.is_case_staff)
def split(request: HttpRequest, document_id: Any) -> HttpResponse:
    document = _document(request, document_id)
    form = SplitForm(request.POST or None, initial={"doc_type": document.doc_type})
    if request.method == "POST" and form.is_valid():
        try:
            pages = corrections.parse_pages(form.cleaned_data["pages"], document.page_count)
            new = corrections.split(
                request.user,
                document,
                pages=pages,
                doc_type=form.cleaned_data["doc_type"],
                title=form.cleaned_data["title"],
            )
        except corrections.CorrectionError as error:
            form.add_error("pages", str(error))
        else:
            messages.success(
                request,
                _("The pages are now the document %(receipt)s; it was routed like a new document.")
                % {"receipt": new.receipt_number},
            )
            return redirect(_next(request, document))
    return _page(request, "split.html", document, form=form, pages=previews.page_numbers(document))


@staff_required(policy.is_case_staff)
def merge(request: HttpRequest, document_id: Any) -> HttpResponse:
    document = _document(request, document_id)
    candidates = [
        d
        for d in corrections.merge_candidates(request.user, document)[:50]
        if policy.can_correct_document(request.user, d)
    ]
    form = MergeForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        other = next(d for d in candidates if str(d.pk) == form.cleaned_data["other"])
        try:
            corrections.merge(request.user, document, other=other)
        except corrections.CorrectionError as error:
            form.add_error("other", str(error))
        else:
            messages.success(
                request,
                _("The pages of %(receipt)s were appended to this document.")
                % {"receipt": other.receipt_number},
            )
            return redirect(_next(request, document))
    return _page(request, "merge.html", document, form=form, candidates=candidates)


@staff_required(policy.is_case_staff)
def rotate(request: HttpRequest, document_id: Any) -> HttpResponse:
    document = _document(request, document_id)
    form = RotateForm(request.POST or None, page_count=document.page_count)
    if request.method == "POST" and form.is_valid():
        try:
            turned = corrections.rotate(request.user, document, angles=form.angles())
        except corrections.CorrectionError as error:
            form.add_error(None, str(error))
        else:
            if turned:
                messages.success(request, _("The pages were turned."))
            return redirect(_next(request, document))
    return _page(request, "rotate.html", document, form=form, pages=previews.page_numbers(document))


@staff_required(policy.is_case_staff)
def request_deletion(request: HttpRequest, document_id: Any) -> HttpResponse:
    document = _document(request, document_id)
    form = DeletionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            corrections.request_deletion(
                request.user,
                document,
                reason=form.cleaned_data["reason"],
                explanation=form.cleaned_data["explanation"],
            )
        except corrections.CorrectionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "The deletion was requested. A colleague has to approve it; until then nothing is deleted."
                ),
            )
            return redirect(_next(request, document))
    return _page(request, "delete.html", document, form=form, pending=corrections.pending_deletion(document))


@staff_required(policy.is_case_staff)
def deletion_requests(request: HttpRequest) -> HttpResponse:
    """Deletions colleagues asked for that this staff member may approve or refuse."""
    context = {"requests": corrections.pending_requests_for(request.user), "css": CSS}
    return render(request, "backoffice/corrections/requests.html", context)


@staff_required(policy.is_case_staff)
@require_POST
def decide_deletion(request: HttpRequest, deletion_id: int) -> HttpResponse:
    deletion = get_object_or_404(DeletionRequest, pk=deletion_id, state=DeletionRequest.State.PENDING)
    document = deletion.document
    if document is None or not policy.can_correct_document(request.user, document):
        raise Http404
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if request.POST.get("decision") == "approve":
            corrections.approve_deletion(request.user, deletion)
            messages.success(
                request,
                _("The document %(receipt)s was deleted. The reason stays in the audit log.")
                % {"receipt": deletion.receipt_number},
            )
            return redirect("backoffice:deletion-requests")
        if request.POST.get("decision") == "refuse":
            corrections.refuse_deletion(request.user, deletion, note=note)
            messages.success(request, _("The document is kept."))
            return redirect(_next(request, document))
    except corrections.CorrectionError as error:
        messages.error(request, str(error))
        return redirect(_next(request, document))
    return HttpResponseNotAllowed(["POST"])
