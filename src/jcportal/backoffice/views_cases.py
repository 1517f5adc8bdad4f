"""Back-office case work: inbox, item detail, E-Akte, releases, absences, routing test, notifications,
statistics. Views stay thin: access through ``accounts.policy`` and the selectors, writes through services.
"""

from __future__ import annotations

import time
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from jcportal.accounts import policy
from jcportal.accounts.models import Absence
from jcportal.audit.services import audit
from jcportal.casework import notes as case_notes
from jcportal.casework import previews, statistics, worklist
from jcportal.casework import selectors as case_selectors
from jcportal.casework import services as case_services
from jcportal.casework.models import Notification
from jcportal.documents import types as document_types
from jcportal.documents.models import Document
from jcportal.eforms import selectors as eforms_selectors
from jcportal.households.models import ServiceOffice
from jcportal.inbox import routing
from jcportal.inbox import selectors as inbox_selectors
from jcportal.inbox import services as inbox_services
from jcportal.inbox.models import InboxItem

from . import views_clearing, views_worklist
from .decorators import staff_required
from .forms_cases import (
    AbsenceForm,
    AssignForm,
    ForwardForm,
    HouseholdSearchForm,
    InboxFilterForm,
    RegisterSearchForm,
    ReleaseUploadForm,
    RoutingTestForm,
    TagForm,
)

T = TypeVar("T")

CSS = "css/backoffice.css"


def _or_404(found: T | None) -> T:
    """What a selector found for the user; a 404 when it found nothing."""
    if found is None:
        raise Http404
    return found


def _item_or_404(request: HttpRequest, item_id: int) -> InboxItem:
    return _or_404(inbox_selectors.item_for(request.user, item_id))


def _document_or_404(request: HttpRequest, document_id: Any) -> Document:
    """A document of a visible household, or one in the user's (or their team's) inbox."""
    document = case_selectors.document_for(request.user, document_id)
    if document is not None:
        return document
    if policy.is_case_staff(request.user):
        items = InboxItem.objects.filter(document_id=document_id).select_related("document", "household")
        for item in items[:20]:
            if policy.can_work_on_item(request.user, item):
                return item.document
    raise Http404


AUDITED_VIEWS_KEY = "casework_audited_views"
AUDIT_WINDOW_SECONDS = 15 * 60


def _audit_view(request: HttpRequest, document: Document, via: str) -> None:
    """Audit a view and remember it briefly, so the page's thumbnails do not add one entry each."""
    audit(
        "document.viewed",
        request=request,
        obj=document,
        household=document.household_id,
        details={"via": via},
    )
    now = time.time()
    seen = {
        k: at
        for k, at in request.session.get(AUDITED_VIEWS_KEY, {}).items()
        if now - at < AUDIT_WINDOW_SECONDS
    }
    seen[str(document.pk)] = now
    request.session[AUDITED_VIEWS_KEY] = seen


def _recently_audited(request: HttpRequest, document: Document) -> bool:
    at = request.session.get(AUDITED_VIEWS_KEY, {}).get(str(document.pk))
    return at is not None and time.time() - at < AUDIT_WINDOW_SECONDS


def _pdf_response(request: HttpRequest, document: Document, *, inline: bool, via: str) -> FileResponse:
    if not document.pdf or document.status == Document.Status.QUARANTINED:
        raise Http404
    audit(
        "document.viewed" if inline else "document.downloaded",
        request=request,
        obj=document,
        household=document.household_id,
        details={"via": via, "file": "pdf"},
    )
    response = FileResponse(
        document.pdf.open("rb"),
        as_attachment=not inline,
        filename=f"{document.receipt_number}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- inbox ---------------------------------------------------------------------------------------


@staff_required(policy.is_case_staff)
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET or None)
    cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
    flt = inbox_selectors.InboxFilter(
        tab=request.GET.get("tab", "mine"),
        state=request.GET.get("state", "active"),
        doc_type=cleaned.get("doc_type", ""),
        household=cleaned.get("household", ""),
        name=cleaned.get("name", ""),
        sort=cleaned.get("sort") or "received",
        received_from=cleaned.get("received_from"),
        received_to=cleaned.get("received_to"),
        due_by=cleaned.get("due_by"),
    ).normalised()
    page = inbox_selectors.inbox_page(request.user, flt, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    tab_query = {key: value for key, value in query.items() if key not in ("tab", "state")}
    context = {
        "form": form,
        "filter": flt,
        "page": page,
        "counts": inbox_selectors.inbox_counts(request.user, flt.tab),
        "query": query.urlencode(),
        "tab_query": urlencode({k: v for k, v in tab_query.items() if v}),
        "tabs": [("mine", _("My inbox")), ("team", _("Team inbox"))],
        "states": [("active", _("To do")), ("new", _("New")), ("open", _("Open")), ("done", _("Done"))],
        "css": CSS,
    }
    return render(request, "backoffice/cases/inbox.html", context)


@staff_required(policy.is_case_staff)
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(request, item_id)
    document = item.document
    if item.assignee_id in (None, request.user.pk):
        inbox_services.mark_read(item, request.user)
    case_services.mark_notifications_read_for_item(request.user, item)
    _audit_view(request, document, "inbox")
    # "next" follows the list the user came from (its querystring), by default "my inbox, to do"
    list_query = worklist.clean_query(request.GET.urlencode())
    next_item = worklist.next_item(request.user, item, views_worklist.inbox_filter_from(request.GET))
    context = {
        "item": item,
        "document": document,
        "pages": previews.page_numbers(document),
        "history": case_notes.history_with_notes(document),
        "other_items": inbox_selectors.other_items(item),
        "next_item": next_item,
        "list_query": list_query,
        "household_visible": document.household is not None
        and policy.can_view_household(request.user, document.household),
        "clearing": views_clearing.item_panel(request, item),  # clearing items: why, assign, register
        "css": CSS,
    }
    return render(request, "backoffice/cases/item.html", context)


@staff_required(policy.is_case_staff)
def item_pdf(request: HttpRequest, item_id: int) -> FileResponse:
    item = _item_or_404(request, item_id)
    return _pdf_response(request, item.document, inline=True, via="inbox")


@staff_required(policy.is_case_staff)
def item_process(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(request, item_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    inbox_services.mark_processed(item, request.user, request=request)
    messages.success(request, _("The document is marked as processed."))
    list_query = views_worklist.list_query(request.POST)
    suffix = f"?{list_query}" if list_query else ""
    next_url = request.POST.get("next_item")
    if next_url and next_url.isdigit() and inbox_selectors.item_for(request.user, int(next_url)):
        return redirect(reverse("backoffice:item", kwargs={"item_id": int(next_url)}) + suffix)
    return redirect(reverse("backoffice:inbox") + suffix)


@staff_required(policy.is_case_staff)
def item_reopen(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(request, item_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    inbox_services.reopen(item, request.user)
    messages.success(request, _("The item is open again."))
    return redirect("backoffice:item", item_id=item.pk)


@staff_required(policy.is_case_staff)
def item_forward(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(request, item_id)
    form = ForwardForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        inbox_services.forward(
            item,
            request.user,
            to_user=form.cleaned_data["to_user"],
            to_team=form.cleaned_data["to_team"],
            note=form.cleaned_data["note"],
            request=request,
        )
        messages.success(request, _("The document was forwarded."))
        return redirect("backoffice:inbox")
    return render(request, "backoffice/cases/item_forward.html", {"item": item, "form": form, "css": CSS})


@staff_required(policy.is_case_staff)
def item_assign(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(request, item_id)
    household = item.household
    if household is None or not policy.can_view_household(request.user, household):
        raise Http404
    form = AssignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        inbox_services.assign_household(
            household,
            request.user,
            new_person=form.cleaned_data["person"],
            function=form.cleaned_data["function"],
            item=item,
            request=request,
        )
        messages.success(request, _("The responsibility for the household was changed."))
        return redirect("backoffice:inbox")
    context = {"item": item, "household": household, "form": form, "css": CSS}
    return render(request, "backoffice/cases/item_assign.html", context)


# --- documents (viewer, thumbnails, tags, releases) -----------------------------------------------


@staff_required(policy.is_case_staff)
def document_detail(request: HttpRequest, document_id: Any) -> HttpResponse:
    document = _or_404(case_selectors.document_for(request.user, document_id))
    _audit_view(request, document, "case-file")
    context = {
        "document": document,
        "household": document.household,
        "pages": previews.page_numbers(document),
        "history": inbox_selectors.document_history(document),
        "tags": document.casework_tags.select_related("tag"),
        "tag_form": TagForm(),
        "can_release": case_services.can_release(document),
        "released": bool(document.released_at and not document.release_revoked_at),
        "css": CSS,
    }
    return render(request, "backoffice/cases/document.html", context)


@staff_required(policy.is_case_staff)
def document_view(request: HttpRequest, document_id: Any) -> FileResponse:
    return _pdf_response(request, _document_or_404(request, document_id), inline=True, via="viewer")


@staff_required(policy.is_case_staff)
def document_download(request: HttpRequest, document_id: Any) -> FileResponse:
    return _pdf_response(request, _document_or_404(request, document_id), inline=False, via="download")


@staff_required(policy.is_case_staff)
def document_page(request: HttpRequest, document_id: Any) -> HttpResponse:
    """One page as a PNG thumbnail: ``?seite=N`` (1-based)."""
    document = _document_or_404(request, document_id)
    if document.status == Document.Status.QUARANTINED:  # never a page of a quarantined upload
        raise Http404
    if not _recently_audited(request, document):
        _audit_view(request, document, "thumbnail")
    number = request.GET.get("seite", "1")
    page = int(number) if number.isdigit() else 0
    try:
        data = previews.page_png(document, page)
    except previews.PreviewUnavailable as error:
        raise Http404 from error
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@staff_required(policy.is_case_staff)
def document_tag(request: HttpRequest, document_id: Any) -> HttpResponse:
    document = _or_404(case_selectors.document_for(request.user, document_id))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = TagForm(request.POST)
    if form.is_valid():
        case_services.add_tag(document, form.cleaned_data["name"], by=request.user)
        messages.success(request, _("The tag was added."))
    else:
        messages.error(request, _("Enter a tag of at most 60 characters."))
    return redirect("backoffice:document", document_id=document.pk)


@staff_required(policy.is_case_staff)
def document_untag(request: HttpRequest, document_id: Any) -> HttpResponse:
    document = _or_404(case_selectors.document_for(request.user, document_id))
    tag_id = request.POST.get("tag", "")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not tag_id.isdigit():
        raise Http404
    case_services.remove_tag(document, int(tag_id))
    messages.success(request, _("The tag was removed."))
    return redirect("backoffice:document", document_id=document.pk)


@staff_required(policy.is_case_staff)
def document_release(request: HttpRequest, document_id: Any) -> HttpResponse:
    document = _or_404(case_selectors.document_for(request.user, document_id))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        case_services.release_document(document, by=request.user, request=request)
    except case_services.ReleaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The document is released to the citizen's portal."))
    return redirect("backoffice:document", document_id=document.pk)


@staff_required(policy.is_case_staff)
def document_revoke(request: HttpRequest, document_id: Any) -> HttpResponse:
    document = _or_404(case_selectors.document_for(request.user, document_id))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    case_services.revoke_release(document, by=request.user, request=request)
    messages.success(request, _("The release was revoked: the citizen no longer sees the document."))
    return redirect("backoffice:document", document_id=document.pk)


# --- E-Akte ----------------------------------------------------------------------------------------


@staff_required(policy.is_case_staff)
def households(request: HttpRequest) -> HttpResponse:
    form = HouseholdSearchForm(request.GET or None)
    query = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else ""
    page = Paginator(case_selectors.households_for(request.user, query), 25).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": urlencode({"q": query}) if query else "", "css": CSS}
    return render(request, "backoffice/cases/households.html", context)


@staff_required(policy.is_case_staff)
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    household = _or_404(case_selectors.household_for(request.user, household_id))
    tags = case_selectors.tags_in_use(household)
    form = RegisterSearchForm(request.GET or None, tags=tags)
    cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
    tag_id = int(cleaned["tag"]) if cleaned.get("tag") else None
    register = case_selectors.register(household, cleaned.get("q", ""), tag_id)
    page = Paginator(register, 50).get_page(request.GET.get("page"))
    audit("household.viewed", request=request, obj=household, household=household.pk)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "household": household,
        "members": household.members.all(),
        "form": form,
        "page": page,
        "searching": bool(cleaned.get("q") or tag_id),
        "query": query.urlencode(),
        "releases": case_selectors.released_of(household)[:20],
        "css": CSS,
    }
    return render(request, "backoffice/cases/household.html", context)


@staff_required(policy.is_case_staff)
def household_assign(request: HttpRequest, household_id: int) -> HttpResponse:
    household = _or_404(case_selectors.household_for(request.user, household_id))
    form = AssignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        inbox_services.assign_household(
            household,
            request.user,
            new_person=form.cleaned_data["person"],
            function=form.cleaned_data["function"],
            request=request,
        )
        messages.success(request, _("The responsibility for the household was changed."))
        return redirect("backoffice:household", household_id=household.pk)
    context = {"household": household, "form": form, "item": None, "css": CSS}
    return render(request, "backoffice/cases/item_assign.html", context)


@staff_required(policy.is_case_staff)
def household_release_upload(request: HttpRequest, household_id: int) -> HttpResponse:
    household = case_selectors.household_for(request.user, household_id)
    if household is None or not policy.can_upload_for(request.user, household):
        raise Http404
    form = ReleaseUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document = case_services.upload_and_release(
            household=household,
            by=request.user,
            doc_type=form.cleaned_data["doc_type"],
            title=form.cleaned_data["title"],
            file=form.cleaned_data["file"],
            request=request,
        )
        messages.success(request, _("The letter was stored and released to the citizen's portal."))
        return redirect("backoffice:document", document_id=document.pk)
    context = {
        "household": household,
        "form": form,
        "existing": case_selectors.releasable_documents(household)[:20],
        "css": CSS,
    }
    return render(request, "backoffice/cases/release_upload.html", context)


# --- absences --------------------------------------------------------------------------------------


@staff_required()
def absences(request: HttpRequest) -> HttpResponse:
    from .forms_clearing import SubstitutionForm

    kind = request.POST.get("kind", "absence")
    form = AbsenceForm(request.POST if kind == "absence" else None, user=request.user)
    rule_form = SubstitutionForm(request.POST if kind == "substitution" else None, user=request.user)
    if request.method == "POST" and kind == "absence" and form.is_valid():
        data = form.cleaned_data
        absence = inbox_services.record_absence(
            staff=data["staff"],
            deputy=data["deputy"],
            further_deputies=data.get("further_deputies") or [],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            note=data["note"],
            by=request.user,
            request=request,
        )
        messages.success(request, _("The absence was recorded."))
        if absence.starts_on <= timezone.localdate():
            messages.info(
                request, _("The open documents of the absent person are now also with the deputies.")
            )
        return redirect("backoffice:absences")
    if request.method == "POST" and kind == "substitution" and rule_form.is_valid():
        data = rule_form.cleaned_data
        inbox_services.record_substitution(
            deputy=data["deputy"],
            staff=data.get("staff"),
            team=data.get("team"),
            by=request.user,
            request=request,
        )
        messages.success(request, _("The standing substitution was recorded."))
        return redirect("backoffice:absences")
    if request.method == "POST" and kind == "delete-substitution":
        rule = get_object_or_404(
            policy.manageable_substitutions(request.user), pk=_posted_int(request, "rule")
        )
        inbox_services.delete_substitution(rule, by=request.user, request=request)
        messages.success(request, _("The standing substitution was deleted."))
        return redirect("backoffice:absences")
    context = {
        "form": form,
        "rule_form": rule_form,
        "absences": inbox_selectors.absences_for(request.user)[:100],
        "substitutions": policy.manageable_substitutions(request.user).select_related(
            "deputy", "staff", "team"
        ),
        "is_admin": policy.can_administer(request.user),
        "managed_ids": set(policy.absence_staff(request.user).values_list("pk", flat=True)),
        "css": CSS,
    }
    return render(request, "backoffice/cases/absences.html", context)


def _posted_int(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


@require_POST
@staff_required()
def absence_delete(request: HttpRequest) -> HttpResponse:
    absence_id = request.POST.get("absence", "")
    absence = get_object_or_404(Absence, pk=int(absence_id) if absence_id.isdigit() else 0)
    if not policy.can_delete_absence(request.user, absence):
        raise Http404
    inbox_services.delete_absence(absence, by=request.user, request=request)
    messages.success(request, _("The absence was deleted."))
    return redirect("backoffice:absences")


# --- routing test ----------------------------------------------------------------------------------


@staff_required(policy.can_test_routing)
def routing_test(request: HttpRequest) -> HttpResponse:
    form = RoutingTestForm(request.GET or None)
    decision = None
    if form.is_bound and form.is_valid():
        decision = routing.decide(form.cleaned_data["household"], form.cleaned_data["doc_type"])
    context = {
        "form": form,
        "decision": decision,
        "reasons": routing.explain(decision) if decision else [],
        "function_label": routing.FUNCTION_LABELS.get(decision.function, "") if decision else "",
        "css": CSS,
    }
    return render(request, "backoffice/cases/routing_test.html", context)


# --- notifications ---------------------------------------------------------------------------------


@staff_required()
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        count = case_services.mark_notifications_read(request.user)
        text = ngettext(
            "%(count)s notification marked as read.", "%(count)s notifications marked as read.", count
        )
        messages.success(request, text % {"count": count})
        return redirect("backoffice:notifications")
    page = Paginator(case_selectors.notifications_for(request.user), 30).get_page(request.GET.get("page"))
    texts: dict[str, str] = {
        Notification.Kind.DEPUTY_ITEM: _("%(person)s is absent: a new document reached you as deputy."),
        Notification.Kind.FORWARDED: _("%(person)s forwarded a document to you."),
        Notification.Kind.RELEASE: _("A new document from the Jobcenter is available."),
        Notification.Kind.FOLLOW_UP: _("A Wiedervorlage is due: see the Wiedervorlage tab of the inbox."),
    }
    rows = [
        {
            "note": note,
            "text": texts.get(note.kind, "") % {"person": note.actor_label or "–"},
            "url": reverse("backoffice:item", kwargs={"item_id": note.inbox_item_id})
            if note.inbox_item_id
            else "",
        }
        for note in page
    ]
    return render(request, "backoffice/cases/notifications.html", {"page": page, "rows": rows, "css": CSS})


# --- statistics ------------------------------------------------------------------------------------


def _statistics_teams(request: HttpRequest) -> tuple[list[Any], Any]:
    """The teams the user may see figures of, and the one chosen in ``?team=`` (None: all of them)."""
    teams = list(policy.statistics_teams(request.user))
    chosen = request.GET.get("team", "")
    team = next((t for t in teams if str(t.pk) == chosen), None)
    return teams, team


@staff_required(policy.can_see_statistics)
def statistics_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The team figures of the statistics page as a spreadsheet (CSV or XLSX)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    teams, team = _statistics_teams(request)
    stats = statistics.team_statistics([team] if team else teams)
    if fmt == "csv":
        data, content_type = statistics.export_csv(stats), "text/csv; charset=utf-8"
    else:
        data = statistics.export_xlsx(stats)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="statistik.{fmt}"'
    return response


@staff_required(policy.can_see_statistics)
def statistics_page(request: HttpRequest) -> HttpResponse:
    offices = list(ServiceOffice.objects.order_by("name"))
    office = None
    chosen = request.GET.get("office", "")
    if chosen.isdigit():
        office = next((o for o in offices if o.pk == int(chosen)), None)
    teams, team = _statistics_teams(request)
    context = {
        "team_stats": statistics.team_statistics([team] if team else teams),
        "teams": teams,
        "team": team,
        "stats": statistics.compute(office),
        "services": [
            {"label": document_types.label(row["form_slug"]), "count": row["count"]}
            for row in eforms_selectors.service_statistics()
        ],
        "sick_reports": eforms_selectors.sick_report_statistics(),
        "offices": offices,
        "office": office,
        "css": CSS,
    }
    return render(request, "backoffice/cases/statistics.html", context)
