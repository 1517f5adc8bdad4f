"""Citizen portal. Each area keeps its own URL module; they share the ``portal`` namespace."""

from django.urls import path

from . import urls_account, urls_documents, urls_releases, urls_requests, urls_services, views

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    *urls_documents.urlpatterns,
    *urls_releases.urlpatterns,
    *urls_requests.urlpatterns,
    *urls_services.urlpatterns,
    *urls_account.urlpatterns,
]
