"""Online services in the back office (shared ``backoffice`` namespace)."""

from django.urls import path

from . import views_services as v

urlpatterns: list = [
    path("antraege/", v.submissions, name="submissions"),
    path("antraege/export.csv", v.submissions_export, name="submissions-export"),
    path("antraege/nachverfolgen/", v.followups, name="submission-followups"),
    path("antraege/<uuid:submission_id>/", v.submission_detail, name="submission"),
    path("antraege/<uuid:submission_id>/aktion/", v.submission_action, name="submission-action"),
    path("antraege/<uuid:submission_id>/umwandeln/", v.submission_convert, name="submission-convert"),
    path("antraege/<uuid:submission_id>/nachverfolgt/", v.followup, name="submission-followup"),
    path("antraege/<uuid:submission_id>/daten.json", v.submission_json, name="submission-json"),
    path(
        "antraege/<uuid:submission_id>/dokument/<uuid:document_id>/",
        v.submission_file,
        name="submission-file",
    ),
]
