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
]
