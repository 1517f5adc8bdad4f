"""Records management: retention plan, legal holds, destruction proposals and the archive offer."""

from django.urls import path

from jcportal.accounts import policy
from jcportal.audit import views as audit_views

from . import views_records as views
from .decorators import staff_required

urlpatterns = [
    path("aufbewahrung/", views.records_home, name="records"),
    path("aufbewahrung/vorschlag/", views.proposal_build, name="records-build"),
    path("aufbewahrung/vorschlag/<uuid:proposal_id>/", views.proposal_detail, name="records-proposal"),
    path(
        "aufbewahrung/vorschlag/<uuid:proposal_id>/<str:step>/",
        views.proposal_step,
        name="records-proposal-step",
    ),
    path(
        "aufbewahrung/vorschlag/<uuid:proposal_id>/datei/<str:which>/",
        views.proposal_file,
        name="records-proposal-file",
    ),
    path(
        "aufbewahrung/eintrag/<int:record_id>/herausnehmen/", views.item_exclude, name="records-item-exclude"
    ),
    path("aufbewahrung/sperren/", views.hold_place, name="records-hold-place"),
    path("aufbewahrung/leistungsende/", views.benefits_ended, name="records-benefits-ended"),
    path("aufbewahrung/sperren/<int:hold_id>/aufheben/", views.hold_release, name="records-hold-release"),
    # the data-protection officer: a household's access log for an Art. 15 DSGVO request
    path(
        "protokoll/auskunft/<str:fmt>/",
        staff_required(policy.can_read_audit_log)(audit_views.staff_export),
        name="access-log-export",
    ),
]
