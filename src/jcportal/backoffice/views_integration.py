"""Integration (administrators): API clients with scopes and tokens, webhooks and their dead letters."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jcportal.accounts import policy
from jcportal.accounts.actor import Actor
from jcportal.api import services as api_services
from jcportal.api.models import ApiClient
from jcportal.events import selectors as event_selectors
from jcportal.events import services as event_services
from jcportal.events.models import Delivery

from .decorators import staff_required
from .forms_integration import ApiClientForm

administrators = staff_required(policy.can_administer)


@administrators
def api_clients(request: HttpRequest) -> HttpResponse:
    clients = ApiClient.objects.prefetch_related("offices", "teams").order_by("revoked_at", "name")
    return render(request, "backoffice/integration/clients.html", {"clients": clients})


def _show_token(request: HttpRequest, client: ApiClient, token: str) -> HttpResponse:
    return render(request, "backoffice/integration/client_token.html", {"client": client, "token": token})


@administrators
def api_client_new(request: HttpRequest) -> HttpResponse:
    form = ApiClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        client, token = api_services.create_client(
            data["name"],
            scopes=data["scopes"],
            by=Actor.from_request(request),
            all_households=data["all_households"],
            offices=data["offices"],
            teams=data["teams"],
            description=data["description"],
            rate_limit_per_minute=data["rate_limit_per_minute"],
        )
        return _show_token(request, client, token)
    return render(request, "backoffice/integration/client_form.html", {"form": form, "client": None})


@administrators
def api_client_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(ApiClient, pk=client_id, revoked_at__isnull=True)
    form = ApiClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        api_services.update_client(
            client,
            by=Actor.from_request(request),
            scopes=data["scopes"],
            all_households=data["all_households"],
            offices=data["offices"],
            teams=data["teams"],
            description=data["description"],
            rate_limit_per_minute=data["rate_limit_per_minute"],
        )
        messages.success(request, _("The API client was saved."))
        return redirect("backoffice:api-clients")
    return render(request, "backoffice/integration/client_form.html", {"form": form, "client": client})


@administrators
@require_POST
def api_client_rotate(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(ApiClient, pk=client_id, revoked_at__isnull=True)
    token = api_services.rotate_secret(client, by=Actor.from_request(request))
    return _show_token(request, client, token)


@administrators
@require_POST
def api_client_revoke(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_object_or_404(ApiClient, pk=client_id, revoked_at__isnull=True)
    api_services.revoke(client, by=Actor.from_request(request))
    messages.success(
        request, _("The API client %(name)s was revoked: its token no longer works.") % {"name": client}
    )
    return redirect("backoffice:api-clients")


@administrators
def webhooks(request: HttpRequest) -> HttpResponse:
    page = Paginator(event_selectors.dead_letters(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/integration/webhooks.html",
        {"subscriptions": event_selectors.subscriptions().select_related("client"), "page": page},
    )


@administrators
@require_POST
def webhook_redeliver(request: HttpRequest, delivery_id: int) -> HttpResponse:
    with transaction.atomic():
        delivery = get_object_or_404(Delivery, pk=delivery_id)
        event_services.redeliver(delivery, by=request.user, request=request)
    messages.success(request, _("The event will be sent again with the same id."))
    return redirect("backoffice:webhooks")
