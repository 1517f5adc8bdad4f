from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportersConfig(AppConfig):
    name = "jcportal.exporters"
    label = "exporters"
    verbose_name = _("DMS and Fachverfahren exporters")

    def ready(self) -> None:
        from jcportal.audit.actions import register_action
        from jcportal.events.services import listeners

        from . import fachverfahren, hotfolder, services, tasks, xdomea  # noqa: F401  (register the plugins)

        listeners.add("exporters", services.on_events, replace=True)
        for name, label, visible in (
            ("exporters.config.changed", _("Exporter configuration changed"), False),
            ("exporters.record.exported", _("Online service data passed to the specialist system"), True),
            ("exporters.xdomea.downloaded", _("Case file downloaded as xdomea"), True),
        ):
            register_action(name, label, citizen_visible=visible)
