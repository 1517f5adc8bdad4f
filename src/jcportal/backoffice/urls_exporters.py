"""Exporters in the back office (shared ``backoffice`` namespace)."""

from django.urls import path

from . import views_exporters as v

urlpatterns: list = [
    path("exporter/", v.exporter_list, name="exporters"),
    path("exporter/neu/<slug:exporter>/", v.exporter_new, name="exporter-new"),
    path("exporter/<int:config_id>/", v.exporter_edit, name="exporter-edit"),
    path("exporter/<int:config_id>/loeschen/", v.exporter_delete, name="exporter-delete"),
    path("exporter/<int:config_id>/wiederholen/", v.exporter_retry, name="exporter-retry"),
    path("dms/nicht-bestaetigt/", v.unacknowledged, name="dms-unacknowledged"),
    path("akten/<int:household_id>/xdomea/", v.household_xdomea, name="household-xdomea-download"),
]
