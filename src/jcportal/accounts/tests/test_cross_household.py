"""Generated test: no cross-household access anywhere (issue 3's key acceptance test).

It walks the whole URL resolver (recursively), builds the kwargs of every route from the objects of a
FOREIGN household (by the shared kwarg names), and requests each URL with GET and POST as every role
and anonymously. Every answer must refuse: 403 or 404 (405 = the method is refused before any object
is looked at), and for anonymous users also a redirect to the login page. A redirect or a 200 for a
logged-in user is a leak (a 302 after POST would mean the action ran).

Pages without object kwargs (lists, dashboards, forms) are requested with GET too, and must not show
any marker of the foreign household (its BG number, a member's name, a document title).

A route whose kwargs cannot be built fails the test unless it is listed below with a reason, so a new
URL with a new kwarg name gets looked at instead of silently skipped.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin as django_admin
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from jcportal.accounts import policy
from jcportal.accounts.models import Absence, AccessRequest, Representation, Role
from jcportal.accounts.tests.factories import CitizenFactory, RepresentativeFactory, StaffFactory
from jcportal.core.testing.fixtures import login_staff
from jcportal.households.tests.factories import HouseholdFactory, PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "citizen",
    "representative",
    "caseworker",
    "case_manager",
    "team_assistant",
    "scan_station",
    "team_lead",
    "admin",
    "dpo",
    # an API client with every scope whose territory is the home team (bearer token, no session)
    "api_client",
]

# The shared kwarg names that point at a household's objects (see the helper brief).
FOREIGN_KWARGS = {
    "household_id",
    "document_id",
    "item_id",
    "submission_id",
    "request_id",
    "release_id",
    "batch_id",
    "access_request_id",
    "representation_id",
    "user_id",
    "bg_number",
    "letter_id",  # a letter (outbound document) posted to a household's postbox through the API
    # not in the shared list, but team-scoped staff data of the foreign team
    "absence_id",
    "deletion_id",  # a request to delete a household's document (four-eyes)
    "followup_id",  # a Wiedervorlage on a household's item or case file
    "filter_id",  # a staff member's saved inbox filter (someone else's is never shown or deleted)
}
# Kwargs that only select a part of an object (used together with a foreign object kwarg).
AUX_KWARGS = {"page", "position", "version", "tag_id", "step", "form_slug"}

# Routes without any household object in the URL, each with the reason why probing it with a foreign
# object makes no sense. What they show is still checked by the marker test (GET).
NOT_HOUSEHOLD_ROUTES = {
    "core:set-language": "kwarg is a language code; only redirects",
    "core:page": "public information pages by slug",
    "core:sign-language-video": "public sign-language videos by id",
    "core:accessibility-feedback-handled": "accessibility feedback about the site, no social data",
    "eforms:start": "starts a new, empty form of a public online service (form_slug)",
    "eforms:schema": "public JSON schema of a form version",
    "api:submission-schema": "the published JSON Schema of a service version (no social data)",
    "accounts:password-reset-confirm": (
        "public by design; uidb64/token of someone else's account only shows 'this link no longer works' "
        "(tested in test_portal_account)"
    ),
    # records management (records/tests): only staff with the records permission, which none of ROLES has
    "backoffice:records-proposal": "a destruction proposal (records role only)",
    "backoffice:records-proposal-step": "a step of a destruction proposal (records role only)",
    "backoffice:records-proposal-file": "the xdomea offer/handover of a proposal (records role only)",
    "backoffice:records-item-exclude": "takes a record out of a proposal (records role only)",
    "backoffice:records-hold-release": "releases a legal hold (records role only)",
    "portal:transparency-export": "fmt is pdf/csv; the household is always the citizen's own (audit/tests)",
    "backoffice:access-log-export": "fmt is pdf/csv; the DPO exports any household by design",
    "backoffice:statistics-export": "fmt is csv/xlsx; figures of the user's own teams (casework/tests)",
}
# Kwargs of objects that are not a household's, with the reason (every route using only these is fine).
NOT_HOUSEHOLD_KWARGS = {
    "client_id": "an API client's configuration (administrators), no social data",
    "webhook_id": "an API client's own webhook subscription (other clients' answer 404), no social data",
    "upload_id": "an upload in parts belongs to the API client that announced it (others' answer 404)",
    "number": "the number of a part of such an upload",
    "delivery_id": "a webhook delivery (administrators redeliver dead letters of every household's events)",
    "config_id": "an exporter configuration (administrators), no social data",
    "exporter": "an exporter plugin's identifier (administrators create a configuration for it)",
    "passkey_id": "a person's own passkey (someone else's is not removed: accounts/tests/test_passkeys)",
}
# Namespaces not probed by kwarg, with the reason.
SKIPPED_NAMESPACES = {
    "admin": (
        "the admin site's object_id kwargs are generic; test_the_admin_site_shows_no_household_data "
        "opens every list and every object of it instead"
    ),
}
# Roles that may legitimately open any object of a kind (not household data for them).
ROLE_EXCEPTIONS = {
    ("batch_id", "scan_station"): "the scan station processes every batch of paper mail",
    ("batch_id", "team_assistant"): "team assistants may use the scan station (policy.can_use_scan_station)",
    ("batch_id", "team_lead"): "team leads may use the scan station (policy.can_use_scan_station)",
    ("absence_id", "admin"): "administrators manage the absences and deputies of all teams (staff data)",
}
# Pages that by design list data of every household for a role (marker test only).
MARKER_EXCEPTIONS = {
    ("backoffice:audit-log", "dpo"): "the data-protection officer reads the whole audit log",
    ("backoffice:audit-log", "admin"): "administrators read the whole audit log",
}
# Routes not requested at all in the marker test (not pages).
MARKER_SKIP = {
    "core:set-language",
    "core:healthz",
    "accounts:logout",
    "accounts:oidc-login",
    "accounts:oidc-callback",
}

MARKER_NAME = "Fremdling-Qxz"
MARKER_TITLE = "Fremddokument-Qxz"


@dataclass
class Route:
    name: str
    route: str
    kwargs: list[str] = field(default_factory=list)
    namespace: str = ""


def _walk(patterns: list[Any], namespace: str, prefix: str, inherited: list[str]):  # type: ignore[no-untyped-def]
    for entry in patterns:
        names = inherited + list(getattr(entry.pattern, "converters", {}).keys())
        if hasattr(entry.pattern, "regex") and not getattr(entry.pattern, "converters", None):
            names = inherited + list(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, inner, prefix + str(entry.pattern), names)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            route = prefix + str(entry.pattern)
            yield Route(name or f"<unnamed {route}>", route, names, namespace.split(":", 1)[0])


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", "", []))


@dataclass
class World:
    foreign: Any
    values: dict[str, list[Any]]
    aux: dict[str, Any]
    users: dict[str, Any]
    markers: list[str]


def _create(label: str, **fields: Any) -> Any:
    return apps.get_model(label).objects.create(**fields)


def build_world() -> World:
    home_team = TeamFactory()
    foreign_team = TeamFactory()
    home = HouseholdFactory(responsible_team=home_team)
    foreign = HouseholdFactory(responsible_team=foreign_team)
    citizen = CitizenFactory(person=PersonFactory(household=home))
    foreign_person = PersonFactory(household=foreign, last_name=MARKER_NAME)
    foreign_citizen = CitizenFactory(person=foreign_person)

    representative = RepresentativeFactory()
    Representation.objects.create(
        representative=representative, household=home, scope_upload=True, scope_read=True, scope_services=True
    )
    foreign_rep = RepresentativeFactory()
    foreign_grant = Representation.objects.create(
        representative=foreign_rep, household=foreign, scope_upload=True, scope_read=True, scope_services=True
    )
    caseworker = StaffFactory(role=Role.CASEWORKER, team=home_team)
    home.responsible_caseworker = caseworker
    home.save()
    foreign_caseworker = StaffFactory(role=Role.CASEWORKER, team=foreign_team)
    foreign_deputy = StaffFactory(role=Role.CASEWORKER, team=foreign_team)
    foreign.responsible_caseworker = foreign_caseworker
    foreign.save()
    users = {
        "citizen": citizen,
        "representative": representative,
        "caseworker": caseworker,
        "case_manager": StaffFactory(role=Role.CASE_MANAGER, team=home_team),
        "team_assistant": StaffFactory(role=Role.TEAM_ASSISTANT, team=home_team),
        "scan_station": StaffFactory(role=Role.SCAN_STATION, team=None),
        "team_lead": StaffFactory(role=Role.TEAM_LEAD, team=home_team),
        "admin": StaffFactory(role=Role.ADMIN, team=None, is_staff=True, is_superuser=True),
        "dpo": StaffFactory(role=Role.DPO, team=None),
    }

    values: dict[str, list[Any]] = {
        "household_id": [foreign.pk],
        "bg_number": [foreign.bg_number],
        "user_id": [foreign_citizen.pk, foreign_rep.pk],
        "representation_id": [foreign_grant.pk],
    }
    access_request = AccessRequest.objects.create(
        first_name="Fremd",
        last_name=MARKER_NAME,
        date_of_birth=dt.date(1980, 1, 1),
        street="Weg 1",
        postcode="99999",
        city="Fremdstadt",
        consent_version="v",
        team=foreign_team,
        household=foreign,
    )
    values["access_request_id"] = [access_request.pk]
    today = timezone.localdate()
    absence = Absence.objects.create(
        staff=foreign_caseworker, deputy=foreign_deputy, starts_on=today, ends_on=today + dt.timedelta(days=3)
    )
    values["absence_id"] = [absence.pk]

    if apps.is_installed("jcportal.api"):
        from jcportal.api import scopes
        from jcportal.api.services import create_client

        _api_client, token = create_client("sweep", scopes=scopes.all_scopes(), teams=[home_team])
        users["api_client"] = token
    aux: dict[str, Any] = {"page": 1, "position": 0, "version": 1, "tag_id": 1}
    if apps.is_installed("jcportal.documents"):
        from jcportal.inbox.tests.factories import DocumentFactory, InboxItemFactory

        incoming = DocumentFactory(household=foreign, title=MARKER_TITLE, uploaded_by=foreign_citizen)
        released = DocumentFactory(
            household=foreign,
            title=MARKER_TITLE,
            direction="outbound",
            channel=incoming.channel,
            released_at=timezone.now(),
        )
        values["document_id"] = [incoming.pk, released.pk]
        values["letter_id"] = [released.pk]
        values["item_id"] = [InboxItemFactory(document=incoming).pk]
        from jcportal.documents import corrections

        to_delete = DocumentFactory(household=foreign, title=MARKER_TITLE, uploaded_by=foreign_citizen)
        values["deletion_id"] = [
            corrections.request_deletion(foreign_caseworker, to_delete, reason="duplicate").pk
        ]
    if apps.is_installed("jcportal.docrequests"):
        from jcportal.docrequests.tests.factories import DocumentRequestFactory, DocumentRequestItemFactory

        request = DocumentRequestFactory(household=foreign, created_by=foreign_caseworker)
        DocumentRequestItemFactory(request=request)
        values["request_id"] = [request.pk]
    if apps.is_installed("jcportal.eforms"):
        from jcportal.eforms import registry

        slug = registry.slugs()[0]
        definition = registry.current(slug)
        aux["form_slug"] = slug
        aux["step"] = definition.steps[0].name
        aux["version"] = definition.version
        Submission = apps.get_model("eforms.Submission")
        draft = Submission.objects.create(
            form_slug=slug, form_version=definition.version, household=foreign, created_by=foreign_citizen
        )
        sent = Submission.objects.create(
            form_slug=slug,
            form_version=definition.version,
            household=foreign,
            created_by=foreign_citizen,
            status=Submission.Status.SUBMITTED,
            submitted_at=timezone.now(),
            reference="JC-FREMD-1",
        )
        values["submission_id"] = [draft.pk, sent.pk]
    if apps.is_installed("jcportal.scanning"):
        batch = _create(
            "scanning.ScanBatch",
            original_name="fremd.pdf",
            file="",
            sha256="0" * 64,
            default_household=foreign,
        )
        values["batch_id"] = [batch.pk]
    if apps.is_installed("jcportal.casework"):
        from jcportal.casework import followups

        aux["tag_id"] = _create("casework.Tag", name="Fremd-Schlagwort").pk
        values["followup_id"] = [
            followups.create(
                by=foreign_caseworker, due_on=today, reason="Fremd-Wiedervorlage", household=foreign
            ).pk
        ]
        values["filter_id"] = [
            _create("casework.SavedFilter", user=foreign_caseworker, name="Fremd", query="q=Fremd").pk
        ]
    return World(
        foreign=foreign,
        values=values,
        aux=aux,
        users=users,
        markers=[foreign.bg_number, MARKER_NAME, MARKER_TITLE],
    )


def client_for(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role == "api_client":
        from jcportal.api.testing import ApiTestClient

        client = ApiTestClient(world.users[role], raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if role in ("anonymous", "api_client"):
        return client
    user = world.users[role]
    if policy.is_staff(user):
        return login_staff(client, user)
    client.force_login(user)
    return client


def probe_urls(route: Route, world: World, role: str) -> tuple[list[str], str]:
    """(urls, reason-if-skipped)."""
    foreign = [k for k in route.kwargs if k in FOREIGN_KWARGS]
    if not foreign:
        return [], "no household object in the URL"
    for kwarg in foreign:
        if (kwarg, role) in ROLE_EXCEPTIONS:
            return [], ROLE_EXCEPTIONS[(kwarg, role)]
    choices = []
    for kwarg in route.kwargs:
        if kwarg in FOREIGN_KWARGS:
            assert world.values.get(kwarg), f"{route.name}: no foreign object built for kwarg {kwarg!r}"
            choices.append(world.values[kwarg])
        elif kwarg in world.aux:
            choices.append([world.aux[kwarg]])
        else:
            raise AssertionError(
                f"{route.name}: kwarg {kwarg!r} is neither a household object nor known (AUX_KWARGS)"
            )
    urls = []
    for combination in itertools.product(*choices):
        urls.append(reverse(route.name, kwargs=dict(zip(route.kwargs, combination, strict=True))))
    return urls, ""


def test_every_route_is_classified():  # type: ignore[no-untyped-def]
    """Each route with kwargs is either probed or listed with a reason; nothing is skipped silently."""
    unknown = []
    for route in all_routes():
        if route.namespace in SKIPPED_NAMESPACES or not route.kwargs:
            continue
        if route.name.startswith("<unnamed"):
            unknown.append(f"{route.route}: unnamed route with kwargs")
            continue
        if any(k in FOREIGN_KWARGS for k in route.kwargs):
            extra = [k for k in route.kwargs if k not in FOREIGN_KWARGS | AUX_KWARGS]
            if extra:
                unknown.append(f"{route.name}: unknown kwargs {extra}")
        elif route.name not in NOT_HOUSEHOLD_ROUTES and not set(route.kwargs) <= set(NOT_HOUSEHOLD_KWARGS):
            unknown.append(f"{route.name} ({route.route}): kwargs {route.kwargs} are not household objects")
    assert not unknown, "classify these routes:\n" + "\n".join(unknown)
    probed = [r for r in all_routes() if any(k in FOREIGN_KWARGS for k in r.kwargs)]
    assert len(probed) >= 10  # the walk finds the object routes of the site


def _refused(role: str, response: Any) -> bool:
    # 401: the API accepts no session, only an API client's bearer token (none is sent here)
    if response.status_code in (401, 403, 404, 405):
        return True
    if role in ("anonymous", "api_client") and response.status_code == 302:
        return response.url.startswith(reverse(settings.LOGIN_URL))
    return False


def find_leaks(world: World, role: str) -> tuple[int, list[str]]:
    client = client_for(world, role)
    leaks: list[str] = []
    probed = 0
    for route in all_routes():
        if route.namespace in SKIPPED_NAMESPACES:
            continue
        urls, _reason = probe_urls(route, world, role)
        for url in urls:
            for method in ("get", "post"):
                probed += 1
                response = getattr(client, method)(url)
                if not _refused(role, response):
                    where = f" → {response.url}" if response.status_code == 302 else ""
                    leaks.append(
                        f"{role} {method.upper()} {url} ({route.name}): {response.status_code}{where}"
                    )
    return probed, leaks


@pytest.mark.parametrize("role", ROLES)
def test_no_access_to_a_foreign_households_objects(role):  # type: ignore[no-untyped-def]
    world = build_world()
    probed, leaks = find_leaks(world, role)
    assert probed > 20
    assert not leaks, "cross-household access:\n" + "\n".join(leaks)


def _leaky_view(request, household_id):  # type: ignore[no-untyped-def]
    from django.http import HttpResponse

    return HttpResponse(f"household {household_id}")


def _leaky_list(request):  # type: ignore[no-untyped-def]
    from django.http import HttpResponse

    from jcportal.households.models import Household

    return HttpResponse(
        " ".join(Household.objects.values_list("bg_number", flat=True)), content_type="text/html"
    )


def _leaky_urlpatterns():  # type: ignore[no-untyped-def]
    from django.urls import path

    from jcportal import urls as site_urls

    return [
        path("leak/<int:household_id>/", _leaky_view, name="leak"),
        path("leak-list/", _leaky_list, name="leak-list"),
        *site_urls.urlpatterns,
    ]


urlpatterns = _leaky_urlpatterns()  # used only by test_the_probe_finds_a_leak (ROOT_URLCONF = this module)


def test_the_probe_finds_a_leak(settings):  # type: ignore[no-untyped-def]
    """The generated test can fail: a view that ignores the policy is reported for every role."""
    settings.ROOT_URLCONF = __name__
    world = build_world()
    _probed, leaks = find_leaks(world, "caseworker")
    assert any("(leak)" in leak for leak in leaks), leaks


def find_shown_markers(world: World, role: str) -> list[str]:
    client = client_for(world, role)
    leaks = []
    for route in all_routes():
        if route.namespace in SKIPPED_NAMESPACES or route.kwargs or route.name in MARKER_SKIP:
            continue
        if route.name.startswith("<unnamed") or (route.name, role) in MARKER_EXCEPTIONS:
            continue
        response = client.get(reverse(route.name))
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not ("html" in content_type or "json" in content_type):
            continue
        body = response.content.decode(errors="replace")
        for marker in world.markers:
            if marker in body:
                leaks.append(f"{role} GET {reverse(route.name)} ({route.name}) shows {marker!r}")
    return leaks


@pytest.mark.parametrize("role", ROLES)
def test_pages_never_show_a_foreign_household(role):  # type: ignore[no-untyped-def]
    leaks = find_shown_markers(build_world(), role)
    assert not leaks, "foreign household shown:\n" + "\n".join(leaks)


def test_the_marker_check_finds_a_leaky_list(settings):  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = __name__
    leaks = find_shown_markers(build_world(), "citizen")
    assert any("(leak-list)" in leak for leak in leaks), leaks


def find_admin_markers(world: World, site: Any = django_admin.site) -> list[str]:
    """Open every list and every object page of an admin site as a superuser; collect the markers shown."""
    client = client_for(world, "admin")
    leaks = []
    for model, model_admin in site._registry.items():
        prefix = f"{site.name}:{model._meta.app_label}_{model._meta.model_name}"
        urls = [reverse(f"{prefix}_changelist")]
        pks = model_admin.get_queryset(RequestFactory().get("/")).values_list("pk", flat=True)[:200]
        urls += [reverse(f"{prefix}_change", args=[pk]) for pk in pks]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, f"{url}: {response.status_code}"
            body = response.content.decode(errors="replace")
            leaks += [f"admin GET {url} shows {marker!r}" for marker in world.markers if marker in body]
    return leaks


def test_the_admin_site_shows_no_household_data():  # type: ignore[no-untyped-def]
    """Superusers configure the system in the admin site; households are only reached through the policy."""
    leaks = find_admin_markers(build_world())
    assert not leaks, "foreign household shown:\n" + "\n".join(leaks)


def test_the_admin_check_finds_a_registered_household_model(settings):  # type: ignore[no-untyped-def]
    import sys
    import types

    from django.urls import path

    from jcportal.households.models import Household

    leaky_site = django_admin.AdminSite(name="leakyadmin")
    leaky_site._registry = dict(django_admin.site._registry)
    leaky_site.register(Household)
    module = types.ModuleType("leaky_admin_urls")
    module.urlpatterns = [path("admin/", leaky_site.urls)]  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    try:
        leaks = find_admin_markers(build_world(), leaky_site)
    finally:
        del sys.modules[module.__name__]
    assert any("households/household" in leak for leak in leaks), leaks
