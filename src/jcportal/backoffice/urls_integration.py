"""Back office: integration (API clients, webhooks and dead letters) for administrators."""

from django.urls import path

from . import views_integration as views

urlpatterns = [
    path("schnittstellen/clients/", views.api_clients, name="api-clients"),
    path("schnittstellen/clients/neu/", views.api_client_new, name="api-client-new"),
    path("schnittstellen/clients/<int:client_id>/", views.api_client_edit, name="api-client-edit"),
    path(
        "schnittstellen/clients/<int:client_id>/erneuern/", views.api_client_rotate, name="api-client-rotate"
    ),
    path(
        "schnittstellen/clients/<int:client_id>/widerrufen/",
        views.api_client_revoke,
        name="api-client-revoke",
    ),
    path("schnittstellen/webhooks/", views.webhooks, name="webhooks"),
    path(
        "schnittstellen/webhooks/zustellung/<int:delivery_id>/erneut/",
        views.webhook_redeliver,
        name="webhook-redeliver",
    ),
]
