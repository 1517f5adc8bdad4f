from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "jcportal.inbox"
    label = "inbox"
    verbose_name = _("Inbox and routing")

    def ready(self) -> None:
        from jcportal.documents import delivery

        from .delivery import InboxDelivery

        delivery.targets.add("inbox", InboxDelivery(), replace=True)
