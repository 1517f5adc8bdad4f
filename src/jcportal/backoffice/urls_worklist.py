"""Work lists: bulk actions, take over, saved filters, notes, Aktenvermerke, Wiedervorlage."""

from django.urls import path

from . import views_worklist as v

urlpatterns = [
    path("postfach/sammelaktion/", v.inbox_bulk, name="inbox-bulk"),
    path("postfach/filter/", v.filter_save, name="inbox-filter-save"),
    path("postfach/filter/<int:filter_id>/loeschen/", v.filter_delete, name="inbox-filter-delete"),
    path("postfach/<int:item_id>/uebernehmen/", v.item_take, name="item-take"),
    path("postfach/<int:item_id>/notiz/", v.item_note, name="item-note"),
    path("postfach/<int:item_id>/wiedervorlage/", v.item_followup, name="item-followup"),
    path("akten/<int:household_id>/aktenvermerk/", v.household_note, name="household-note"),
    path("akten/<int:household_id>/wiedervorlage/", v.household_followup, name="household-followup"),
    path("wiedervorlage/", v.followup_list, name="followups"),
    path("wiedervorlage/<int:followup_id>/erledigt/", v.followup_done, name="followup-done"),
    path("wiedervorlage/<int:followup_id>/verschieben/", v.followup_postpone, name="followup-postpone"),
]
