from django.urls import path

from . import oidc, views, views_passkeys

app_name = "accounts"

urlpatterns = [
    path("anmelden/", views.login_view, name="login"),
    path("zweiter-faktor/", views.second_factor_view, name="second-factor"),
    path("abmelden/", views.logout_view, name="logout"),
    path("zugang-beantragen/", views.access_request_view, name="access-request"),
    path("zugang-beantragen/gesendet/", views.access_request_done_view, name="access-request-done"),
    path("aktivieren/", views.activate_view, name="activate"),
    path("aktivieren/passwort/", views.activate_password_view, name="activate-password"),
    path("aktivieren/benachrichtigungen/", views.activate_contact_view, name="activate-contact"),
    path("passwort-vergessen/", views.password_reset_view, name="password-reset"),
    path("passwort-vergessen/gesendet/", views.password_reset_sent_view, name="password-reset-sent"),
    path(
        "passwort-neu/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("passwort-neu/fertig/", views.password_reset_complete_view, name="password-reset-complete"),
    path("passkeys/", views_passkeys.passkeys_view, name="passkeys"),
    path("passkeys/optionen/", views_passkeys.register_options_view, name="passkey-register-options"),
    path("passkeys/hinzufuegen/", views_passkeys.register_view, name="passkey-register"),
    path("passkeys/<int:passkey_id>/entfernen/", views_passkeys.remove_view, name="passkey-remove"),
    path("passkey-anmeldung/optionen/", views_passkeys.login_options_view, name="passkey-login-options"),
    path("passkey-anmeldung/", views_passkeys.login_view, name="passkey-login"),
    path("oidc/anmelden/", oidc.LoginStartView.as_view(), name="oidc-login"),
    path("oidc/rueckkehr/", oidc.CallbackView.as_view(), name="oidc-callback"),
    path("oidc/verknuepfen/", oidc.LinkStartView.as_view(), name="oidc-link"),
]
