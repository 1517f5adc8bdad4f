""" "From the Jobcenter": letters and decisions that staff released to the household's portal."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from jcportal.casework import selectors, services
from jcportal.documents.services import download_response
from jcportal.postbox import services as postbox_services

from .decorators import citizen_required


@citizen_required(scope="read")
def releases(request: HttpRequest) -> HttpResponse:
    household = request.portal_household  # type: ignore[attr-defined]
    unread = selectors.unread_release_ids(request.user)
    documents = list(selectors.releases_for(household))
    for document in documents:
        document.is_new = document.pk in unread  # type: ignore[attr-defined]
    context = {"documents": documents, "household": household}
    return render(request, "portal/releases/list.html", context)


@citizen_required(scope="read")
def release_download(request: HttpRequest, document_id: Any) -> HttpResponseBase:
    household = request.portal_household  # type: ignore[attr-defined]
    document = selectors.release_for(household, document_id)
    if document is None or not document.pdf:
        raise Http404
    response = download_response(request, document)  # checks the policy again and audits the download
    services.mark_notifications_read_for_document(request.user, document)
    postbox_services.record_retrieval(document, request.user)
    return response
