from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

RULES = ("third_day", "retrieval")


class PostboxConfig(AppConfig):
    name = "jcportal.postbox"
    label = "postbox"
    verbose_name = _("Letters postbox (§ 37 (2a) SGB X)")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the daily task)

        checks.register(check_rule, checks.Tags.compatibility)


def check_rule(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    from django.conf import settings

    rule = getattr(settings, "POSTBOX_NOTIFICATION_RULE", "third_day")
    if rule not in RULES:
        return [
            checks.Error(
                f"POSTBOX_NOTIFICATION_RULE is {rule!r}; allowed: {', '.join(RULES)}",
                id="postbox.E001",
            )
        ]
    return []
