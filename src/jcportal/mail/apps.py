from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "jcportal.mail"
    label = "mail"
    verbose_name = _("Outgoing mail")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (the outbox resumer)
