from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "jcportal.accounts"
    label = "accounts"
    verbose_name = _("Accounts and access")

    def ready(self) -> None:
        # households sits below accounts and cannot call it: when a household leaves benefits (however
        # that is recorded: admin, import, back office), its portal accounts are deactivated here.
        from django.db.models.signals import post_save

        from jcportal.households.models import Household

        post_save.connect(_household_saved, sender=Household, dispatch_uid="accounts.deactivate_on_leave")


def _household_saved(sender, instance, **kwargs) -> None:  # type: ignore[no-untyped-def]
    if not instance.active:
        from .services import deactivate_household_accounts

        deactivate_household_accounts(instance)
