"""Citizen portal: sending documents and "My documents" (German paths, English names)."""

from django.urls import path

from . import views_documents as views
from . import views_uploads_resumable as resumable

urlpatterns = [
    path("hochladen/", views.upload, name="upload"),
    path("hochladen/teile/", resumable.announce, name="upload-parts"),
    path("hochladen/teile/<uuid:upload_id>/", resumable.status, name="upload-parts-status"),
    path("hochladen/teile/<uuid:upload_id>/fertig/", resumable.complete, name="upload-parts-complete"),
    path("hochladen/teile/<uuid:upload_id>/<int:number>/", resumable.put_part, name="upload-parts-part"),
    path("hochladen/<uuid:document_id>/bestaetigung/", views.upload_done, name="upload-done"),
    path("hochladen/<uuid:document_id>/bewertung/", views.rate, name="upload-rating"),
    path(
        "hochladen/<uuid:document_id>/nicht-fuer-anforderung/<int:item_id>/",
        views.upload_not_for_request,
        name="upload-not-for-request",
    ),
    path("dokumente/", views.document_list, name="documents"),
    path("dokumente/<uuid:document_id>/", views.document_detail, name="document"),
    path("dokumente/<uuid:document_id>/pdf/", views.document_pdf, name="document-pdf"),
    path(
        "dokumente/<uuid:document_id>/original/<int:position>/",
        views.document_original,
        name="document-original",
    ),
    path("dokumente/<uuid:document_id>/vorschau/", views.document_thumbnail, name="document-thumbnail"),
    path(
        "dokumente/<uuid:document_id>/eingangsbestaetigung/",
        views.document_receipt,
        name="document-receipt",
    ),
]
