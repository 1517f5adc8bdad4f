from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "jcportal.events"
    label = "events"
    verbose_name = _("Events and webhooks")

    def ready(self) -> None:
        from jcportal.audit.actions import register_action

        from . import tasks  # noqa: F401  (registers the resumer)

        for name, label in (
            ("events.webhook.created", _("Webhook created")),
            ("events.webhook.changed", _("Webhook changed")),
            ("events.webhook.secret_rotated", _("Webhook secret rotated")),
            ("events.webhook.deleted", _("Webhook deleted")),
            ("events.webhook.redelivered", _("Failed webhook sent again")),
        ):
            register_action(name, label, citizen_visible=False)
