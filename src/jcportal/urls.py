from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("jcportal.core.urls")),
    path("konto/", include("jcportal.accounts.urls")),
    path("portal/", include("jcportal.portal.urls")),
    path("verwaltung/", include("jcportal.backoffice.urls")),
    path("antrag/", include("jcportal.eforms.urls")),
    path("api/v1/", include("jcportal.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "jcportal.core.views.bad_request"
handler403 = "jcportal.core.views.permission_denied"
handler404 = "jcportal.core.views.page_not_found"
handler500 = "jcportal.core.views.server_error"
