"""Back office: access requests, portal accounts, representatives, audit log (engineer A)."""

from django.urls import path

from . import views_accounts as views

urlpatterns = [
    path("zugangsantraege/", views.access_requests, name="access-requests"),
    path("zugangsantraege/<int:access_request_id>/", views.access_request_detail, name="access-request"),
    path(
        "zugangsantraege/<int:access_request_id>/ausweis/",
        views.access_request_document,
        name="access-request-document",
    ),
    path("zugaenge/haushalt/<int:household_id>/", views.household_accounts, name="household-accounts"),
    path(
        "zugaenge/haushalt/<int:household_id>/vollmacht/",
        views.household_representation_add,
        name="household-representation-add",
    ),
    path(
        "zugaenge/vollmacht/<int:representation_id>/widerrufen/",
        views.representation_revoke,
        name="representation-revoke",
    ),
    path("zugaenge/konto/<int:user_id>/", views.account_detail, name="account"),
    path("zugaenge/konto/<int:user_id>/zugangsbrief/", views.access_letter, name="access-letter"),
    path("zugaenge/konto/<int:user_id>/sperren/", views.account_lock, name="account-lock"),
    path("zugaenge/konto/<int:user_id>/entsperren/", views.account_unlock, name="account-unlock"),
    path("protokoll/", views.audit_log, name="audit-log"),
    path("mitarbeitende/", views.staff_teams, name="staff-teams"),
    path("mitarbeitende/<int:user_id>/teams/", views.staff_member_teams, name="staff-member-teams"),
]
