from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "jcportal.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from . import storage_keys, tasks  # noqa: F401  (data key per object; the pipeline resumer)
