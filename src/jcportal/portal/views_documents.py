"""Citizen portal: send documents, proof of receipt, "My documents". Thin views over documents.*"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from jcportal.accounts import policy
from jcportal.audit.services import audit
from jcportal.core.pdf import render_pdf
from jcportal.docrequests import selectors as request_selectors
from jcportal.docrequests import services as request_services
from jcportal.docrequests.models import DocumentRequestItem
from jcportal.documents import selectors, services
from jcportal.documents.models import Document, OriginalFile, ServiceRating
from jcportal.documents.uploadhandlers import SizeLimitUploadHandler

from .decorators import citizen_required
from .forms_documents import RatingForm, UploadForm, downscaled_notices

STATUS_TAGS: dict[str, str] = {
    Document.Status.RECEIVED: "tag--info",
    Document.Status.CHECKED: "tag--info",
    Document.Status.DELIVERED: "tag--success",
    Document.Status.OPENED: "tag--success",
    Document.Status.PROCESSED: "tag--success",
    Document.Status.REJECTED: "tag--error",
    Document.Status.QUARANTINED: "tag--error",
}


def _own_document(request: HttpRequest, document_id: object) -> Document:
    """A document the portal user may see: their household's inbound documents (never a foreign one)."""
    household = request.portal_household  # type: ignore[attr-defined]
    document = get_object_or_404(  # the same set as "My documents": a moved-in document only if theirs
        selectors.sent_by_household(household).select_related("household", "uploaded_by"),
        pk=document_id,
        household=household,
        direction=Document.Direction.INBOUND,
        channel__in=selectors.CITIZEN_CHANNELS,
    )
    user = request.user
    household = document.household
    if household is not None and (
        policy.can_read_documents_of(user, household) or document.uploaded_by_id == user.pk
    ):
        return document
    raise Http404


def _document_context(request: HttpRequest, document: Document) -> dict[str, object]:
    return {
        "document": document,
        "status_tag": STATUS_TAGS.get(document.status, "tag--info"),
        "in_progress": document.status in selectors.IN_PROGRESS,
        "at_the_jobcenter": document.status in selectors.AT_THE_JOBCENTER,
        "rejection": selectors.rejection(document),
        "notices": selectors.file_notices(document),
        "earlier_copies": selectors.earlier_copies(document),
        "originals": list(document.originals.all()),
        "may_download": services.may_download(request.user, document),
    }


def _already_rated(request: HttpRequest, document: Document) -> bool:
    return ServiceRating.objects.filter(document=document, user__pk=request.user.pk or 0).exists()


@csrf_exempt  # only to put the size limit first among the upload handlers; _upload checks the token
def upload(request: HttpRequest) -> HttpResponse:
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    return _upload(request)


@csrf_protect
@citizen_required(scope="upload")
def _upload(request: HttpRequest) -> HttpResponse:
    household = request.portal_household  # type: ignore[attr-defined]
    requested = request_selectors.missing_items(household)
    if request.method == "POST":
        form = UploadForm(
            request.POST,
            request.FILES,
            too_large_files=getattr(request, "too_large_files", []),
            requested_items=requested,
        )
        if request.POST.get("complete") != "1":
            # The sentinel field comes after the files: without it the request broke off mid-upload.
            return render(
                request,
                "portal/documents/upload.html",
                {"form": UploadForm(requested_items=requested), "interrupted": True, "limits": _limits()},
                status=400,
            )
        if form.is_valid():
            downscaled = downscaled_notices(
                form.cleaned_data.get("downscaled") or "", [f.name or "" for f in form.accepted]
            )
            document = services.accept_upload(
                household=household,
                uploaded_by=request.user,
                doc_type=form.cleaned_data["doc_type"],
                title=form.cleaned_data["title"],
                note=form.cleaned_data["note"],
                files=form.accepted,
                by_representative=request.acting_as_representative,  # type: ignore[attr-defined]
                request=request,
                file_notices=form.refused + downscaled,
            )
            request_services.answer_from_upload(
                document, item=form.cleaned_data.get("request_item"), actor=request.user, request=request
            )
            return redirect("portal:upload-done", document_id=document.pk)
    else:
        form = UploadForm(requested_items=requested)
    return render(request, "portal/documents/upload.html", {"form": form, "limits": _limits()})


def _limits() -> dict[str, object]:
    return {
        "files": settings.UPLOAD_MAX_FILES,
        "size": filesizeformat(settings.UPLOAD_MAX_FILE_BYTES),
        "pages": settings.UPLOAD_MAX_PAGES,
    }


@citizen_required(scope="upload")
def upload_done(request: HttpRequest, document_id: object) -> HttpResponse:
    document = _own_document(request, document_id)
    context = _document_context(request, document)
    if request.GET.get("format") == "status":
        return render(request, "portal/documents/_status.html", context)
    already_rated = _already_rated(request, document)
    context.update({"rating_form": None if already_rated else RatingForm(), "already_rated": already_rated})
    context["answered_items"] = list(document.request_items.select_related("request"))
    return render(request, "portal/documents/upload_done.html", context)


@require_POST
@citizen_required(scope="upload")
def upload_not_for_request(request: HttpRequest, document_id: object, item_id: int) -> HttpResponse:
    """ "Not for this request": the item counts as missing again (the document stays sent)."""
    document = _own_document(request, document_id)
    item = get_object_or_404(DocumentRequestItem, pk=item_id, document=document)
    if request_services.unlink_document(item=item, document=document, actor=request.user, request=request):
        messages.success(request, _("Done: the document no longer counts for this request."))
    return redirect("portal:upload-done", document_id=document.pk)


@require_POST
@citizen_required(scope="upload")
def rate(request: HttpRequest, document_id: object) -> HttpResponse:
    document = _own_document(request, document_id)
    if _already_rated(request, document):
        return redirect("portal:upload-done", document_id=document.pk)
    form = RatingForm(request.POST)
    if form.is_valid():
        services.record_rating(
            household=request.portal_household,  # type: ignore[attr-defined]
            user=request.user,
            stars=form.cleaned_data["stars"],
            comment=form.cleaned_data["comment"],
            context="upload",
            document=document,
        )
        messages.success(request, _("Thank you for your feedback."))
        return redirect("portal:upload-done", document_id=document.pk)
    context = _document_context(request, document)
    context.update({"rating_form": form, "already_rated": False})
    return render(request, "portal/documents/upload_done.html", context, status=400)


@citizen_required(scope="upload")
def document_list(request: HttpRequest) -> HttpResponse:
    household = request.portal_household  # type: ignore[attr-defined]
    documents = selectors.sent_by_household(household)
    if not policy.can_read_documents_of(request.user, household):
        documents = documents.filter(uploaded_by_id=request.user.pk)
    rows = [
        {
            "document": d,
            "status_tag": STATUS_TAGS.get(d.status, "tag--info"),
            "rejection": selectors.rejection(d),
        }
        for d in documents
    ]
    return render(request, "portal/documents/list.html", {"rows": rows})


@citizen_required(scope="upload")
def document_detail(request: HttpRequest, document_id: object) -> HttpResponse:
    document = _own_document(request, document_id)
    audit("document.viewed", request=request, obj=document, household=document.household)
    return render(request, "portal/documents/detail.html", _document_context(request, document))


@citizen_required(scope="upload")
def document_pdf(request: HttpRequest, document_id: object) -> HttpResponseBase:
    document = _own_document(request, document_id)
    return services.download_response(request, document)


@citizen_required(scope="upload")
def document_original(request: HttpRequest, document_id: object, position: int) -> HttpResponseBase:
    document = _own_document(request, document_id)
    original = get_object_or_404(OriginalFile, document=document, position=position)
    return services.download_response(request, document, original=original)


@citizen_required(scope="upload")
def document_thumbnail(request: HttpRequest, document_id: object) -> FileResponse:
    document = _own_document(request, document_id)
    if not document.thumbnail or not services.may_download(request.user, document):
        raise Http404
    response = FileResponse(document.thumbnail.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@citizen_required(scope="upload")
def document_receipt(request: HttpRequest, document_id: object) -> HttpResponse:
    """The proof of receipt (Eingangsbestätigung) as PDF, in the citizen's language."""
    document = _own_document(request, document_id)
    language = translation.get_language()
    pdf = render_pdf(
        "pdf/receipt.html",
        {
            "document": document,
            "originals": list(document.originals.all()),
            "notices": selectors.file_notices(document),
            "rejection": selectors.rejection(document),
            "household": document.household,
            "site_name": settings.SITE_NAME,
        },
        language,
    )
    audit("document.receipt_downloaded", request=request, obj=document, household=document.household)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="Eingangsbestaetigung-{document.receipt_number}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
