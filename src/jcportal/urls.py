from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("jcportal.core.urls")),
    path("konto/", include("jcportal.accounts.urls")),
    path("portal/", include("jcportal.portal.urls")),
    path("verwaltung/", include("jcportal.backoffice.urls")),
    path("antrag/", include("jcportal.eforms.urls")),
    path("admin/", admin.site.urls),
]
