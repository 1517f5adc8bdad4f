from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "jcportal.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the pipeline resumer)
