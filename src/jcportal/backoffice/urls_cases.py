"""Case work in the back office: inbox, case files (E-Akte), releases, absences, routing, statistics."""

from django.urls import path

from . import views_cases as v
from . import views_search

urlpatterns: list = [
    path("postfach/", v.inbox, name="inbox"),
    path("postfach/<int:item_id>/", v.item_detail, name="item"),
    path("postfach/<int:item_id>/pdf/", v.item_pdf, name="item-pdf"),
    path("postfach/<int:item_id>/erledigt/", v.item_process, name="item-process"),
    path("postfach/<int:item_id>/wieder-oeffnen/", v.item_reopen, name="item-reopen"),
    path("postfach/<int:item_id>/weiterleiten/", v.item_forward, name="item-forward"),
    path("postfach/<int:item_id>/zustaendigkeit/", v.item_assign, name="item-assign"),
    path("akten/", v.households, name="households"),
    path("akten/<int:household_id>/", v.household_detail, name="household"),
    path("akten/<int:household_id>/zustaendigkeit/", v.household_assign, name="household-assign"),
    path(
        "akten/<int:household_id>/schreiben-freigeben/",
        v.household_release_upload,
        name="household-release-upload",
    ),
    path("dokumente/<uuid:document_id>/", v.document_detail, name="document"),
    path("dokumente/<uuid:document_id>/ansicht/", v.document_view, name="document-view"),
    path("dokumente/<uuid:document_id>/herunterladen/", v.document_download, name="document-download"),
    path("dokumente/<uuid:document_id>/seite/", v.document_page, name="document-page"),
    path("dokumente/<uuid:document_id>/schlagwort/", v.document_tag, name="document-tag"),
    path("dokumente/<uuid:document_id>/schlagwort/entfernen/", v.document_untag, name="document-untag"),
    path("dokumente/<uuid:document_id>/freigeben/", v.document_release, name="document-release"),
    path("dokumente/<uuid:document_id>/freigabe-zuruecknehmen/", v.document_revoke, name="document-revoke"),
    path("abwesenheiten/", v.absences, name="absences"),
    path("abwesenheiten/loeschen/", v.absence_delete, name="absence-delete"),
    path("weiterleitung/test/", v.routing_test, name="routing-test"),
    path("benachrichtigungen/", v.notifications, name="notifications"),
    path("statistik/", v.statistics_page, name="statistics"),
    path("statistik/export.<str:fmt>", v.statistics_export, name="statistics-export"),
    path("suche/", views_search.search, name="search"),
]
