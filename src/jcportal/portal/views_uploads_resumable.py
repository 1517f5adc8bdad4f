"""Resumable uploads in parts for the citizen portal (issue 14 point 5), used by static/js/upload.js.

The same steps as the API's uploads in parts (api/uploads.py), but session-authenticated, CSRF-protected
and checked with the citizen's household (never the API's token auth):

1. ``POST hochladen/teile/``: the upload form's fields (type, title, note, request item) and the chosen
   files' names and sizes (``files`` as JSON) → an upload id, the part size and the parts per file;
2. ``PUT hochladen/teile/<id>/<part>/``: one part's raw bytes (parts numbered from 1 through all files
   in order); sending a part again replaces it;
3. ``GET hochladen/teile/<id>/``: which parts the server has (after a dropped connection the browser
   sends only the missing ones);
4. ``POST hochladen/teile/<id>/fertig/``: the parts are joined as streams (``api.uploads.JoinedParts``)
   into ``documents.services.accept_upload``; the answer names the receipt page.

The upload's description lives in the session; the parts in the default storage under
``portal-uploads/<id>/``. Without JavaScript the plain form (views_documents.upload) is used instead.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from jcportal.accounts import policy
from jcportal.api.uploads import JoinedParts
from jcportal.docrequests import selectors as request_selectors
from jcportal.docrequests import services as request_services
from jcportal.documents import services

from .decorators import citizen_required
from .forms_documents import UploadForm, downscaled_notices

PART_SIZE = 1024 * 1024
SESSION_KEY = "resumable_uploads"
PREFIX = "portal-uploads/"


def _part_count(size: int) -> int:
    return max(1, -(-size // PART_SIZE))


def _parts(upload: dict[str, Any]) -> list[tuple[int, int]]:
    """(file index, expected size) of every part; part numbers run from 1 through all files in order."""
    parts = []
    for index, f in enumerate(upload["files"]):
        count = _part_count(f["size"])
        parts += [
            (index, PART_SIZE if n < count else f["size"] - PART_SIZE * (count - 1))
            for n in range(1, count + 1)
        ]
    return parts


def _part_name(upload_id: str, number: int) -> str:
    return f"{PREFIX}{upload_id}/{number:05d}.part"


def _received(upload_id: str, upload: dict[str, Any]) -> list[int]:
    return [n for n in range(1, len(_parts(upload)) + 1) if default_storage.exists(_part_name(upload_id, n))]


def _own_upload(request: HttpRequest, upload_id: uuid.UUID) -> dict[str, Any]:
    upload = request.session.get(SESSION_KEY, {}).get(str(upload_id))
    household = request.portal_household  # type: ignore[attr-defined]
    if (
        upload is None
        or upload["household"] != str(household.pk)
        or upload["user"] != request.user.pk
        or not policy.can_upload_for(request.user, household)
    ):
        raise Http404
    return upload


def _refused(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


@require_POST
@csrf_protect
@citizen_required(scope="upload")
def announce(request: HttpRequest) -> HttpResponse:
    household = request.portal_household  # type: ignore[attr-defined]
    if not policy.can_upload_for(request.user, household):
        raise Http404
    form = UploadForm(request.POST, requested_items=request_selectors.missing_items(household))
    form.is_valid()
    errors = {name: e for name, e in form.errors.items() if name not in ("files", "more_files")}
    files: list[dict[str, Any]]
    try:
        files = [
            {"name": str(f["name"])[:200] or "file", "size": int(f["size"])}
            for f in json.loads(request.POST.get("files") or "[]")
        ]
    except (TypeError, ValueError, KeyError):
        files = []
    if (
        errors
        or not files
        or len(files) > settings.UPLOAD_MAX_FILES
        or any(not 0 < f["size"] <= settings.UPLOAD_MAX_FILE_BYTES for f in files)
    ):
        # The browser then sends the plain form, whose answer explains what to change.
        return _refused("invalid")
    item = form.cleaned_data.get("request_item")
    upload_id = str(uuid.uuid4())
    uploads = request.session.get(SESSION_KEY, {})
    uploads[upload_id] = {
        "household": str(household.pk),
        "user": request.user.pk,
        "doc_type": form.cleaned_data["doc_type"],
        "title": form.cleaned_data.get("title") or "",
        "note": form.cleaned_data.get("note") or "",
        "item": item.pk if item is not None else None,
        "files": files,
        "downscaled": downscaled_notices(
            form.cleaned_data.get("downscaled") or "", [f["name"] for f in files]
        ),
    }
    request.session[SESSION_KEY] = uploads
    return JsonResponse(
        {
            "id": upload_id,
            "part_size": PART_SIZE,
            "part_count": len(_parts(uploads[upload_id])),
            "status_url": reverse("portal:upload-parts-status", args=[upload_id]),
            "complete_url": reverse("portal:upload-parts-complete", args=[upload_id]),
        },
        status=201,
    )


@require_http_methods(["GET"])
@citizen_required(scope="upload")
def status(request: HttpRequest, upload_id: uuid.UUID) -> HttpResponse:
    upload = _own_upload(request, upload_id)
    return JsonResponse({"received": _received(str(upload_id), upload)})


@require_http_methods(["PUT"])
@csrf_protect
@citizen_required(scope="upload")
def put_part(request: HttpRequest, upload_id: uuid.UUID, number: int) -> HttpResponse:
    upload = _own_upload(request, upload_id)
    parts = _parts(upload)
    if not 1 <= number <= len(parts):
        raise Http404
    expected = parts[number - 1][1]
    body = request.read(expected + 1)  # at most one part (1 MiB) in memory
    if len(body) != expected:
        return _refused(f"part {number} must have {expected} bytes")
    name = _part_name(str(upload_id), number)
    if default_storage.exists(name):  # sent again: the new bytes replace the earlier ones
        default_storage.delete(name)
    default_storage.save(name, ContentFile(body))
    return JsonResponse({"number": number, "size": expected})


@require_POST
@csrf_protect
@citizen_required(scope="upload")
def complete(request: HttpRequest, upload_id: uuid.UUID) -> HttpResponse:
    upload = _own_upload(request, upload_id)
    key = str(upload_id)
    if upload.get("document"):  # completed before (the answer got lost): the same document
        return JsonResponse({"redirect": reverse("portal:upload-done", args=[upload["document"]])})
    parts = _parts(upload)
    received = _received(key, upload)
    if len(received) != len(parts):
        return JsonResponse({"received": received}, status=409)
    household = request.portal_household  # type: ignore[attr-defined]
    streams = [
        JoinedParts(
            [_part_name(key, n) for n, (i, _size) in enumerate(parts, start=1) if i == index],
            f["size"],
            f["name"],
        )
        for index, f in enumerate(upload["files"])
    ]
    try:
        document = services.accept_upload(
            household=household,
            uploaded_by=request.user,
            doc_type=upload["doc_type"],
            title=upload["title"],
            note=upload["note"],
            files=[(f["name"], stream) for f, stream in zip(upload["files"], streams, strict=True)],
            by_representative=request.acting_as_representative,  # type: ignore[attr-defined]
            request=request,
            file_notices=upload.get("downscaled") or [],
        )
    finally:
        for stream in streams:
            stream.close()
    item = None
    if upload["item"] is not None:
        item = next((i for i in request_selectors.missing_items(household) if i.pk == upload["item"]), None)
    request_services.answer_from_upload(document, item=item, actor=request.user, request=request)
    uploads = request.session.get(SESSION_KEY, {})
    uploads[key] = {**upload, "document": str(document.pk)}
    request.session[SESSION_KEY] = uploads
    for n in range(1, len(parts) + 1):
        default_storage.delete(_part_name(key, n))
    return JsonResponse({"redirect": reverse("portal:upload-done", args=[document.pk])}, status=201)
