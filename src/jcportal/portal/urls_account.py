"""My account (engineer A). Shares the ``portal`` namespace."""

from django.urls import path

from jcportal.audit import views as audit_views

from . import views_account as views

urlpatterns = [
    path("konto/", views.account, name="account"),
    path("konto/passwort/", views.password_change, name="password-change"),
    path("konto/benachrichtigungen/", views.notifications, name="notifications"),
    path("konto/sicherheitscode/", views.two_factor, name="two-factor"),
    path("konto/bundid-trennen/", views.oidc_unlink, name="oidc-unlink"),
    path("konto/einwilligungen/", views.consents, name="consents"),
    path("konto/vollmachten/", views.representatives, name="representatives"),
    path(
        "konto/vollmachten/<int:representation_id>/widerrufen/",
        views.representation_revoke,
        name="representation-revoke",
    ),
    path("konto/wer-hat-zugegriffen/", views.transparency, name="transparency"),
    path(
        "konto/wer-hat-zugegriffen/<str:fmt>/",
        views.portal_user_required(audit_views.citizen_export),
        name="transparency-export",
    ),
    path("haushalt-waehlen/", views.choose_household, name="choose-household"),
]
