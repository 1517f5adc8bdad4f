"""Corrections of documents (type and title, household, pages, deletion with four-eyes approval)."""

from django.urls import path

from . import views_corrections as v

urlpatterns = [
    path("dokumente/<uuid:document_id>/korrektur/typ/", v.retype, name="correct-retype"),
    path("dokumente/<uuid:document_id>/korrektur/verschieben/", v.move, name="correct-move"),
    path("dokumente/<uuid:document_id>/korrektur/teilen/", v.split, name="correct-split"),
    path("dokumente/<uuid:document_id>/korrektur/anhaengen/", v.merge, name="correct-merge"),
    path("dokumente/<uuid:document_id>/korrektur/drehen/", v.rotate, name="correct-rotate"),
    path("dokumente/<uuid:document_id>/korrektur/loeschen/", v.request_deletion, name="correct-delete"),
    path("loeschantraege/", v.deletion_requests, name="deletion-requests"),
    path("loeschantraege/<int:deletion_id>/entscheiden/", v.decide_deletion, name="deletion-decide"),
]
