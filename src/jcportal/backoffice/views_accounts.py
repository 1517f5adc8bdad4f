"""Back office: access requests, portal accounts (letters, locks), representatives, and the audit log.

Every object is fetched through a queryset from accounts.policy, so a foreign household's object is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jcportal.accounts import policy, selectors, services
from jcportal.accounts.forms import (
    GrantByUserIdForm,
    InviteRepresentativeForm,
    LetterForm,
    LockForm,
    PersonSearchForm,
    RejectForm,
)
from jcportal.accounts.models import AccessRequest, Representation, Role
from jcportal.audit.actions import label_for
from jcportal.audit.forms import AuditFilterForm
from jcportal.audit.readable import group_events, resolve_objects
from jcportal.audit.selectors import known_actions, search_events
from jcportal.audit.services import audit
from jcportal.households.models import Household, Person, normalise_bg_number

from .decorators import staff_required


def _posted_id(request: HttpRequest, name: str) -> int:
    """An id from a form field; anything that is not a number is simply not found."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


def _pdf_response(letter: services.Letter) -> HttpResponse:
    response = HttpResponse(letter.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _visible_household_or_404(request: HttpRequest, household_id: int) -> Household:
    household = get_object_or_404(policy.visible_households(request.user), pk=household_id)
    if not policy.is_case_staff(request.user):
        from django.http import Http404

        raise Http404
    return household


# --- access requests ------------------------------------------------------------------------------


@staff_required(policy.is_case_staff)
def access_requests(request: HttpRequest) -> HttpResponse:
    bg_number = request.GET.get("bg", "").strip()
    not_found = False
    if bg_number:
        household = (
            policy.visible_households(request.user).filter(bg_number=normalise_bg_number(bg_number)).first()
        )
        if household is not None:
            return redirect("backoffice:household-accounts", household_id=household.pk)
        not_found = True
    show = request.GET.get("status", AccessRequest.Status.OPEN)
    if show not in AccessRequest.Status.values:
        show = AccessRequest.Status.OPEN
    requests_qs = policy.visible_access_requests(request.user).filter(status=show).select_related("team")
    page = Paginator(requests_qs.order_by("created_at"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/accounts/access_requests.html",
        {
            "page": page,
            "show": show,
            "statuses": AccessRequest.Status.choices,
            "bg_number": bg_number,
            "not_found": not_found,
        },
    )


@staff_required(policy.is_case_staff)
def access_request_detail(request: HttpRequest, access_request_id: int) -> HttpResponse:
    access_request = get_object_or_404(policy.visible_access_requests(request.user), pk=access_request_id)
    search_form = PersonSearchForm(request.GET if "search" in request.GET else None)
    results = []
    if search_form.is_bound and search_form.is_valid() and policy.can_search_households(request.user):
        results = list(selectors.search_persons(**search_form.cleaned_data))
        audit(
            "household.searched",
            request=request,
            obj=access_request,
            details={**search_form.cleaned_data, "results": len(results)},
        )
    reject_form = RejectForm()
    if request.method == "POST" and access_request.status == AccessRequest.Status.OPEN:
        action = request.POST.get("action")
        if action == "reject":
            reject_form = RejectForm(request.POST)
            if reject_form.is_valid():
                services.reject_access_request(
                    access_request, reject_form.cleaned_data["reason"], by=request.user, request=request
                )
                messages.success(request, _("The request was rejected."))
                return redirect("backoffice:access-requests")
        elif action in ("approve", "forward"):
            person = get_object_or_404(
                Person.objects.select_related("household"), pk=_posted_id(request, "person_id")
            )
            if action == "approve" and policy.can_decide_access_request_for(request.user, person.household):
                account = services.approve_access_request(
                    access_request, person, by=request.user, request=request
                )
                messages.success(
                    request, _("The request was approved. Print the access letter now and send it by post.")
                )
                return redirect("backoffice:account", user_id=account.pk)
            if action == "forward" and person.household.responsible_team_id:
                services.forward_access_request(
                    access_request, person.household, by=request.user, request=request
                )
                messages.success(request, _("The request was forwarded to the responsible team."))
                return redirect("backoffice:access-requests")
            messages.error(
                request, _("This household is not looked after by your team. Forward the request instead.")
            )
    suggestions = [] if results else list(selectors.suggested_persons(access_request))
    rows = [
        {"person": p, "decidable": policy.can_decide_access_request_for(request.user, p.household)}
        for p in (results or suggestions)
    ]
    return render(
        request,
        "backoffice/accounts/access_request_detail.html",
        {
            "access_request": access_request,
            "search_form": search_form,
            "rows": rows,
            "searched": bool(results) or search_form.is_bound,
            "reject_form": reject_form,
        },
    )


@staff_required(policy.is_case_staff)
def access_request_document(request: HttpRequest, access_request_id: int) -> FileResponse:
    access_request = get_object_or_404(policy.visible_access_requests(request.user), pk=access_request_id)
    if not access_request.id_document:
        from django.http import Http404

        raise Http404
    audit(
        "access_request.id_document_viewed",
        request=request,
        obj=access_request,
        household=access_request.household,
    )
    response = FileResponse(
        access_request.id_document.open("rb"),
        content_type=access_request.id_document_content_type or "application/octet-stream",
    )
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "no-store"
    return response


# --- accounts of a household ------------------------------------------------------------------------


@staff_required(policy.is_case_staff)
def household_accounts(request: HttpRequest, household_id: int) -> HttpResponse:
    household = _visible_household_or_404(request, household_id)
    if request.method == "POST" and request.POST.get("action") == "create":
        person = get_object_or_404(household.members.all(), pk=_posted_id(request, "person_id"))
        existing = person.accounts.filter(role=Role.CITIZEN).first()
        account = existing or services.create_citizen_account(person, by=request.user)
        if not existing:
            messages.success(
                request, _("The account was created. Print the access letter now and send it by post.")
            )
        return redirect("backoffice:account", user_id=account.pk)
    accounts = {a.person_id: a for a in selectors.household_accounts(household)}
    members = [{"person": p, "account": accounts.get(p.pk)} for p in household.members.all()]
    return render(
        request,
        "backoffice/accounts/household_accounts.html",
        {
            "household": household,
            "members": members,
            "representations": selectors.representations_of(household),
            "grant_form": GrantByUserIdForm(prefix="grant", require_power_of_attorney=True),
            "invite_form": InviteRepresentativeForm(prefix="invite", require_power_of_attorney=True),
        },
    )


@staff_required(policy.is_case_staff)
def household_representation_add(request: HttpRequest, household_id: int) -> HttpResponse:
    """Staff grant a proxy with a power of attorney on file: an existing account, or a new one (letter)."""
    household = _visible_household_or_404(request, household_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    grant_form = GrantByUserIdForm(prefix="grant", require_power_of_attorney=True)
    invite_form = InviteRepresentativeForm(prefix="invite", require_power_of_attorney=True)
    if request.POST.get("action") == "invite":
        invite_form = InviteRepresentativeForm(request.POST, prefix="invite", require_power_of_attorney=True)
        if invite_form.is_valid():
            data = invite_form.cleaned_data
            _grant, letter = services.invite_representative(
                household,
                by=request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data.get("email") or "",
                power_of_attorney_note=data["power_of_attorney_note"],
                request=request,
                **invite_form.grant_fields(),
            )
            return _pdf_response(letter)
    else:
        grant_form = GrantByUserIdForm(request.POST, prefix="grant", require_power_of_attorney=True)
        if grant_form.is_valid():
            services.grant_representation(
                household,
                grant_form.representative,
                by=request.user,
                power_of_attorney_note=grant_form.cleaned_data["power_of_attorney_note"],
                request=request,
                **grant_form.grant_fields(),
            )
            messages.success(request, _("The representative now has access."))
            return redirect("backoffice:household-accounts", household_id=household.pk)
    accounts = {a.person_id: a for a in selectors.household_accounts(household)}
    members = [{"person": p, "account": accounts.get(p.pk)} for p in household.members.all()]
    return render(
        request,
        "backoffice/accounts/household_accounts.html",
        {
            "household": household,
            "members": members,
            "representations": selectors.representations_of(household),
            "grant_form": grant_form,
            "invite_form": invite_form,
        },
        status=400,
    )


@staff_required(policy.is_case_staff)
def representation_revoke(request: HttpRequest, representation_id: int) -> HttpResponse:
    grant = get_object_or_404(
        Representation.objects.filter(household__in=policy.visible_households(request.user)).select_related(
            "household", "representative"
        ),
        pk=representation_id,
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if grant.revoked_at is None:
        services.revoke_representation(grant, by=request.user, request=request)
        messages.success(request, _("The representative's access has ended."))
    return redirect("backoffice:household-accounts", household_id=grant.household_id)


# --- one account ----------------------------------------------------------------------------------------


def _account_or_404(request: HttpRequest, user_id: int):  # type: ignore[no-untyped-def]
    return get_object_or_404(
        policy.manageable_accounts(request.user).select_related("person__household"), pk=user_id
    )


@staff_required(policy.is_case_staff)
def account_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account_or_404(request, user_id)
    household = account.person.household if account.person_id else None
    language = account.preferred_language if account.preferred_language != "de-ls" else "de"
    return render(
        request,
        "backoffice/accounts/account_detail.html",
        {
            "account": account,
            "household": household,
            "representations": account.representations.select_related("household")
            if account.role == Role.REPRESENTATIVE
            else [],
            "letter_form": LetterForm(initial={"language": language or "de"}),
            "lock_form": LockForm(),
            "open_code": account.activation_codes.filter(
                used_at__isnull=True, invalidated_at__isnull=True
            ).first(),
        },
    )


@staff_required(policy.is_case_staff)
def access_letter(request: HttpRequest, user_id: int) -> HttpResponse:
    """A new one-time code and the printable letter (PDF). The old code stops working."""
    account = _account_or_404(request, user_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = LetterForm(request.POST)
    language = form.cleaned_data["language"] if form.is_valid() else ""
    letter = services.new_access_letter(account, by=request.user, language=language, request=request)
    return _pdf_response(letter)


@staff_required(policy.is_case_staff)
def account_lock(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account_or_404(request, user_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = LockForm(request.POST)
    if form.is_valid():
        services.lock_account(account, by=request.user, reason=form.cleaned_data["reason"], request=request)
        messages.success(request, _("The account is locked."))
    else:
        messages.error(request, _("Enter a reason for locking the account."))
    return redirect("backoffice:account", user_id=account.pk)


@staff_required(policy.is_case_staff)
def account_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account_or_404(request, user_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.unlock_account(account, by=request.user, request=request)
    except ValueError:
        messages.error(
            request, _("The household no longer receives benefits; its accounts stay deactivated.")
        )
    else:
        messages.success(request, _("The account is unlocked."))
    return redirect("backoffice:account", user_id=account.pk)


# --- audit log (data-protection officer) --------------------------------------------------------------


def _actor_name(event: Any) -> str:
    """The acting person's name (the stored user ID when the account is gone; the Jobcenter for the system)."""
    actor = event.actor if event.actor_id else None
    if actor is not None:
        return actor.get_full_name() or actor.get_username()
    if event.actor_label == "anonymous":
        return _("Someone without login")
    return event.actor_label or _("Jobcenter (automatic)")


def _object_reference(event: Any, objects: dict[tuple[str, str], str]) -> str:
    if not event.object_type:
        return ""
    found = objects.get((event.object_type, event.object_id))
    if found:
        return found
    return _("%(kind)s (no longer stored)") % {"kind": _object_kind(event.object_type)}


def _object_kind(object_type: str) -> str:
    from django.apps import apps

    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return _("Object")


@staff_required(policy.can_read_audit_log)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, actions=known_actions())
    events = search_events()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        household_id = None
        if data.get("bg_number"):
            household = Household.objects.filter(bg_number=normalise_bg_number(data["bg_number"])).first()
            household_id = household.pk if household else -1
        events = search_events(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            action=data.get("action") or "",
            actor=data.get("actor") or "",
            household_id=household_id,
        )
    # a page holds 200 stored entries, shown grouped: one line per visit (same actor, action and object
    # within ``GROUP_WINDOW``), with the count and the first and last time; nothing stored is changed
    page = Paginator(events.select_related("actor"), 200).get_page(request.GET.get("page"))
    entries = list(page)
    households = dict(
        Household.objects.filter(pk__in={e.household_id for e in entries if e.household_id}).values_list(
            "pk", "bg_number"
        )
    )
    objects = resolve_objects((e.object_type, e.object_id) for e in entries)
    rows = [
        {
            "group": group,
            "event": group.last,
            "label": label_for(group.last.action),
            "who": _actor_name(group.last),
            "role": Role(group.last.actor_role).label
            if group.last.actor_role in Role.values
            else group.last.actor_role,
            "bg_number": households.get(group.last.household_id or 0, ""),
            "object": _object_reference(group.last, objects),
        }
        for group in group_events(entries)
    ]
    if request.GET:
        audit(
            "audit_log.viewed", request=request, details={k: v for k, v in request.GET.items() if k != "page"}
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/accounts/audit_log.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


# --- staff and their teams (administrators) -------------------------------------------------------------


@staff_required(policy.can_administer)
def staff_teams(request: HttpRequest) -> HttpResponse:
    """Staff with their home team and further teams (``TeamMembership``)."""
    from jcportal.accounts.models import STAFF_ROLES, User

    staff = (
        User.objects.filter(role__in=[str(r) for r in STAFF_ROLES])
        .select_related("team")
        .prefetch_related("team_memberships__team")
        .order_by("last_name", "first_name", "username")
    )
    page = Paginator(staff, 50).get_page(request.GET.get("page"))
    return render(request, "backoffice/accounts/staff_teams.html", {"page": page})


@staff_required(policy.can_administer)
def staff_member_teams(request: HttpRequest, user_id: int) -> HttpResponse:
    """One staff member's teams: add a further team with a role, or remove one."""
    from jcportal.accounts import teams
    from jcportal.accounts.forms import TeamMembershipForm
    from jcportal.accounts.models import STAFF_ROLES, TeamMembership, User

    member = get_object_or_404(User.objects.filter(role__in=[str(r) for r in STAFF_ROLES]), pk=user_id)
    form = TeamMembershipForm(request.POST if request.POST.get("action") == "add" else None, member=member)
    if request.method == "POST" and request.POST.get("action") == "remove":
        membership = get_object_or_404(TeamMembership, user=member, pk=_posted_id(request, "membership"))
        teams.remove_membership(membership, by=request.user, request=request)
        messages.success(
            request,
            _("%(name)s no longer works in team %(team)s.")
            % {"name": member.get_full_name() or member.username, "team": membership.team.name},
        )
        return redirect("backoffice:staff-member-teams", user_id=member.pk)
    if request.method == "POST" and form.is_valid():
        team = form.cleaned_data["team"]
        teams.add_membership(member, team, role=form.cleaned_data["role"], by=request.user, request=request)
        messages.success(
            request,
            _("%(name)s now also works in team %(team)s.")
            % {"name": member.get_full_name() or member.username, "team": team.name},
        )
        return redirect("backoffice:staff-member-teams", user_id=member.pk)
    context = {
        "member": member,
        "memberships": member.team_memberships.select_related("team"),
        "form": form,
    }
    return render(request, "backoffice/accounts/staff_member_teams.html", context)
