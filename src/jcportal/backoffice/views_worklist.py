"""Back-office work lists: bulk actions on the inbox, "take over", saved filters, notes on items,
Aktenvermerke on case files and the Wiedervorlage tab. Thin views: access through ``accounts.policy``
and the selectors, writes through the casework and inbox services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jcportal.accounts import policy
from jcportal.casework import bulk, followups, notes, worklist
from jcportal.casework import selectors as case_selectors
from jcportal.casework.models import FollowUp
from jcportal.inbox import selectors as inbox_selectors
from jcportal.inbox import services as inbox_services
from jcportal.inbox.models import InboxItem

from .decorators import staff_required
from .forms_cases import InboxFilterForm
from .forms_worklist import (
    BulkForm,
    FileNoteForm,
    FollowUpForm,
    NoteForm,
    PostponeForm,
    SaveFilterForm,
)

CSS = "css/backoffice.css"


def inbox_filter_from(query: QueryDict) -> inbox_selectors.InboxFilter:
    """The inbox filter a querystring names (as the inbox page reads it)."""
    form = InboxFilterForm(query or None)
    cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return inbox_selectors.InboxFilter(
        tab=query.get("tab", "mine"),
        state=query.get("state", "active"),
        doc_type=cleaned.get("doc_type", ""),
        household=cleaned.get("household", ""),
        name=cleaned.get("name", ""),
        sort=cleaned.get("sort") or "received",
        received_from=cleaned.get("received_from"),
        received_to=cleaned.get("received_to"),
        due_by=cleaned.get("due_by"),
    ).normalised()


def list_query(data: QueryDict) -> str:
    """The inbox list's querystring carried through a form (``list_query``): filter keys only."""
    return worklist.clean_query(data.get("list_query", ""))


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def _item_or_404(request: HttpRequest, item_id: int) -> InboxItem:
    item = inbox_selectors.item_for(request.user, item_id)
    if item is None:
        raise Http404
    return item


# --- bulk actions and take over ------------------------------------------------------------------


@staff_required(policy.is_case_staff)
def inbox_bulk(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    query = list_query(request.POST)
    back = _with_query(reverse("backoffice:inbox"), query)
    form = BulkForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose a colleague or a team from the list."))
        return redirect(back)
    data = form.cleaned_data
    if data.get("take"):
        result = bulk.apply(request.user, [data["take"]], "take", request=request)
        if result.changed:
            messages.success(request, _("You took over the item: it is in your inbox now."))
        return redirect(back)
    if request.POST.get("all_on_page"):
        raw = request.POST.getlist("page_items")
    else:
        raw = request.POST.getlist("items")
    ids = [int(value) for value in raw if value.isdigit()]
    action = data.get("action") or ""
    if not ids:
        messages.error(request, _("Select at least one item."))
        return redirect(back)
    if action == "more":  # the page to assign, forward or tag the selection
        items = [item for item in (inbox_selectors.item_for(request.user, pk) for pk in ids) if item]
        context = {
            "items": items,
            "form": BulkForm(user=request.user, auto_id="bulk_%s"),
            "list_query": query,
            "css": CSS,
        }
        return render(request, "backoffice/worklist/bulk.html", context)
    try:
        result = bulk.apply(
            request.user,
            ids,
            action,
            to_user=data.get("to_user"),
            to_team=data.get("to_team"),
            copy=data.get("mode") == "copy",
            tag=data.get("tag") or "",
            request=request,
        )
    except bulk.BulkError:
        texts = {
            "assign": _("Choose the colleague to assign the items to."),
            "forward": _("Choose a colleague or a team to forward the items to."),
            "tag": _("Enter a tag of at most 60 characters."),
        }
        messages.error(request, texts.get(action, _("Choose an action.")))
        return redirect(back)
    n = result.changed
    summaries = {
        "done": ngettext("%(count)s item marked as done", "%(count)s items marked as done", n),
        "assign": ngettext("%(count)s item assigned", "%(count)s items assigned", n),
        "forward": ngettext("%(count)s item forwarded", "%(count)s items forwarded", n),
        "tag": ngettext("%(count)s item tagged", "%(count)s items tagged", n),
    }
    text = summaries[action] % {"count": n}
    if result.skipped:
        text += " " + ngettext(
            "(%(count)s item skipped: already done or not yours.)",
            "(%(count)s items skipped: already done or not yours.)",
            result.skipped,
        ) % {"count": result.skipped}
    messages.success(request, text)
    return redirect(back)


@staff_required(policy.is_case_staff)
def item_take(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(request, item_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    taken = inbox_services.take_over(item, request.user, request=request)
    messages.success(request, _("You took over the item: it is in your inbox now."))
    return redirect(_with_query(reverse("backoffice:item", args=[taken.pk]), list_query(request.POST)))


# --- saved filters -------------------------------------------------------------------------------


@staff_required(policy.is_case_staff)
def filter_save(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = SaveFilterForm(request.POST)
    query = worklist.clean_query(request.POST.get("query", ""))
    if form.is_valid():
        saved = worklist.save_filter(request.user, form.cleaned_data["name"], query)
        messages.success(request, _("The filter “%(name)s” is saved.") % {"name": saved.name})
    else:
        messages.error(request, _("Enter a name of at most 80 characters for the filter."))
    return redirect(_with_query(reverse("backoffice:inbox"), query))


@staff_required(policy.is_case_staff)
def filter_delete(request: HttpRequest, filter_id: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not worklist.delete_filter(request.user, filter_id):
        raise Http404
    messages.success(request, _("The saved filter was deleted."))
    return redirect("backoffice:inbox")


# --- notes and Aktenvermerke ---------------------------------------------------------------------


@staff_required(policy.is_case_staff)
def item_note(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(request, item_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = NoteForm(request.POST)
    if form.is_valid():
        notes.add_item_note(item, request.user, form.cleaned_data["text"], request=request)
        messages.success(request, _("The note was added to the history."))
    else:
        messages.error(request, _("Enter a note of at most 4,000 characters."))
    return redirect(_with_query(reverse("backoffice:item", args=[item.pk]), list_query(request.POST)))


@staff_required(policy.is_case_staff)
def household_note(request: HttpRequest, household_id: int) -> HttpResponse:
    household = case_selectors.household_for(request.user, household_id)
    if household is None:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = FileNoteForm(request.POST)
    if form.is_valid():
        notes.add_file_note(household, request.user, form.cleaned_data["text"], request=request)
        messages.success(request, _("The Aktenvermerk was added to the case file."))
    else:
        messages.error(request, _("Enter an Aktenvermerk of at most 4,000 characters."))
    return redirect(reverse("backoffice:household", args=[household.pk]) + "#file-notes-title")


# --- Wiedervorlage -------------------------------------------------------------------------------


def _followup_form_page(
    request: HttpRequest, form: FollowUpForm, *, item: InboxItem | None, household: Any
) -> HttpResponse:
    context = {"form": form, "item": item, "household": household, "css": CSS}
    return render(request, "backoffice/worklist/followup_form.html", context)


@staff_required(policy.is_case_staff)
def item_followup(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item_or_404(request, item_id)
    form = FollowUpForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        followups.create(
            by=request.user,
            due_on=form.cleaned_data["due_on"],
            reason=form.cleaned_data["reason"],
            item=item,
            assignee=form.cleaned_data["assignee"],
            request=request,
        )
        messages.success(request, _("The Wiedervorlage is set."))
        return redirect(_with_query(reverse("backoffice:item", args=[item.pk]), list_query(request.POST)))
    return _followup_form_page(request, form, item=item, household=None)


@staff_required(policy.is_case_staff)
def household_followup(request: HttpRequest, household_id: int) -> HttpResponse:
    household = case_selectors.household_for(request.user, household_id)
    if household is None:
        raise Http404
    form = FollowUpForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        followups.create(
            by=request.user,
            due_on=form.cleaned_data["due_on"],
            reason=form.cleaned_data["reason"],
            household=household,
            assignee=form.cleaned_data["assignee"],
            request=request,
        )
        messages.success(request, _("The Wiedervorlage is set."))
        return redirect("backoffice:household", household_id=household.pk)
    return _followup_form_page(request, form, item=None, household=household)


def _rows(qs: Any) -> list[dict[str, Any]]:
    return [{"followup": followup, "label": followups.label(followup)} for followup in qs]


@staff_required(policy.is_case_staff)
def followup_list(request: HttpRequest) -> HttpResponse:
    context = {
        "due": _rows(followups.due_for(request.user)),
        "upcoming": _rows(followups.upcoming_for(request.user)[:50]),
        "postpone_form": PostponeForm(auto_id=False),
        "tabs": [("mine", _("My inbox")), ("team", _("Team inbox"))],
        "css": CSS,
    }
    return render(request, "backoffice/worklist/followups.html", context)


def _followup_or_404(request: HttpRequest, followup_id: int) -> FollowUp:
    followup = get_object_or_404(
        FollowUp.objects.select_related("item", "household"), pk=followup_id, done_at__isnull=True
    )
    if not policy.can_work_on_followup(request.user, followup):
        raise Http404
    return followup


@staff_required(policy.is_case_staff)
def followup_done(request: HttpRequest, followup_id: int) -> HttpResponse:
    followup = _followup_or_404(request, followup_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    followups.mark_done(followup, request.user, request=request)
    messages.success(request, _("The Wiedervorlage is done."))
    return redirect("backoffice:followups")


@staff_required(policy.is_case_staff)
def followup_postpone(request: HttpRequest, followup_id: int) -> HttpResponse:
    followup = _followup_or_404(request, followup_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = PostponeForm(request.POST)
    if form.is_valid():
        followups.postpone(followup, request.user, form.cleaned_data["due_on"], request=request)
        messages.success(
            request,
            _("The Wiedervorlage is postponed to %(date)s.")
            % {"date": form.cleaned_data["due_on"].strftime("%d.%m.%Y")},
        )
    else:
        messages.error(request, _("Choose a date after today."))
    return redirect("backoffice:followups")
