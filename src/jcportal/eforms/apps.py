from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EformsConfig(AppConfig):
    name = "jcportal.eforms"
    label = "eforms"
    verbose_name = _("Online services (form engine)")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the resumer for unfinished submissions)
