from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocRequestsConfig(AppConfig):
    name = "jcportal.docrequests"
    label = "docrequests"
    verbose_name = _("Document requests (Mitwirkungsaufforderung)")
