from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EformsConfig(AppConfig):
    name = "jcportal.eforms"
    label = "eforms"
    verbose_name = _("Online services (form engine)")

    def ready(self) -> None:
        from jcportal.inbox import services as inbox_services

        from . import tasks  # noqa: F401  (registers the resumer for unfinished submissions)
        from .bundles import evidence_of, evidence_parent

        # the evidence of an online application is handled in the application's inbox item
        inbox_services.bundle_parents.append(evidence_parent)
        inbox_services.bundle_children.append(evidence_of)
