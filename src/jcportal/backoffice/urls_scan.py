"""Scan station and document requests (Mitwirkungsaufforderung)."""

from django.urls import path

from . import views_requests, views_scan

urlpatterns = [
    path("scanstelle/", views_scan.scan_home, name="scan"),
    path("scanstelle/trennblaetter/", views_scan.separators, name="scan-separators"),
    path("scanstelle/stapel/<int:batch_id>/", views_scan.batch_detail, name="scan-batch"),
    path("scanstelle/stapel/<int:batch_id>/seite/", views_scan.batch_page, name="scan-batch-page"),
    path("unterlagenanforderungen/", views_requests.request_list, name="document-requests"),
    path(
        "unterlagenanforderungen/neu/<int:household_id>/",
        views_requests.request_create,
        name="document-request-create",
    ),
    path("unterlagenanforderungen/<int:request_id>/", views_requests.request_detail, name="document-request"),
    path(
        "unterlagenanforderungen/<int:request_id>/zurueckziehen/",
        views_requests.request_withdraw,
        name="document-request-withdraw",
    ),
    path(
        "unterlagenanforderungen/<int:request_id>/annehmen/",
        views_requests.item_accept,
        name="document-request-item-accept",
    ),
    path(
        "unterlagenanforderungen/<int:request_id>/ablehnen/",
        views_requests.item_reject,
        name="document-request-item-reject",
    ),
    path(
        "unterlagenanforderungen/<int:request_id>/abhaken/",
        views_requests.item_tick,
        name="document-request-item-tick",
    ),
    path(
        "unterlagenanforderungen/<int:request_id>/frist/",
        views_requests.request_extend,
        name="document-request-extend",
    ),
    path(
        "unterlagenanforderungen/<int:request_id>/erinnern/",
        views_requests.request_remind,
        name="document-request-remind",
    ),
    path(
        "unterlagenanforderungen/<int:request_id>/schreiben/",
        views_requests.letter_pdf,
        name="document-request-letter-pdf",
    ),
    path(
        "unterlagenanforderungen/<int:request_id>/schreiben/versandt/",
        views_requests.letter_posted,
        name="document-request-letter-posted",
    ),
]
