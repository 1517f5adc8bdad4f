"""Back office (staff). Each area keeps its own URL module; they share the ``backoffice`` namespace."""

from django.urls import include, path

from . import urls_accounts, urls_cases, urls_exporters, urls_integration, urls_scan, urls_services, views

app_name = "backoffice"

urlpatterns = [
    path("", views.home, name="home"),
    *urls_cases.urlpatterns,
    *urls_accounts.urlpatterns,
    *urls_services.urlpatterns,
    *urls_scan.urlpatterns,
    *urls_integration.urlpatterns,
    path("", include("jcportal.backoffice.urls_records")),
    *urls_exporters.urlpatterns,
    path("", include("jcportal.backoffice.urls_failures")),
    path("", include("jcportal.backoffice.urls_postbox")),
    path("", include("jcportal.backoffice.urls_corrections")),
    path("", include("jcportal.backoffice.urls_worklist")),
    path("", include("jcportal.backoffice.urls_clearing")),
]
