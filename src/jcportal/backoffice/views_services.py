"""Back office for online services: filed submissions per service, partial Erstanträge to follow up,
workflow actions (confirm / ask back, approve / reject, convert a pre-registration) and exports.

Access: ``eforms.selectors.submissions_visible_to`` (built on ``accounts.policy``); anything else is 404.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

import filetype
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jcportal.accounts import policy
from jcportal.audit.services import audit
from jcportal.core.forms import GovForm
from jcportal.documents.models import Document
from jcportal.eforms import engine, registry, selectors, services
from jcportal.eforms.models import Submission

from .decorators import staff_required

ACTION_LABELS = {
    "confirm": _("Confirm and export"),
    "ask_back": _("Ask back (Rückfrage)"),
    "approve": _("Approve"),
    "reject": _("Reject"),
    "done": _("Mark as processed"),
}
ACTION_HINTS = {
    "confirm": _("The data match the certificate. The record is exported for the specialist procedure."),
    "ask_back": _("The citizen sees your question in the portal."),
    "approve": _("The citizen sees the approval in the portal. An optional message is shown with it."),
    "reject": _("Give the reason; the citizen sees it in the portal."),
    "done": _("Nothing else to do."),
}


def _service_choices() -> list[tuple[str, Any]]:
    return [("", _("All services"))] + [
        (slug, registry.current(slug).short_title) for slug in registry.slugs()
    ]


class FilterForm(GovForm):
    service = forms.ChoiceField(label=_("Service"), required=False, choices=_service_choices)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All open and closed")), ("open", _("Open: received or asked back"))]
        + [c for c in Submission.Status.choices if c[0] != Submission.Status.DRAFT],
    )


class ActionForm(GovForm):
    note = forms.CharField(
        label=_("Message to the citizen"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FollowupForm(GovForm):
    note = forms.CharField(
        label=_("Follow-up note"), max_length=500, help_text=_("For example: called, left a message.")
    )


def _visible_or_404(request: HttpRequest, submission_id: Any) -> Submission:
    submission = selectors.submissions_visible_to(request.user).filter(pk=submission_id).first()
    if submission is None or not policy.can_open_submission(request.user, submission):
        raise Http404
    return submission


def _filtered(request: HttpRequest) -> tuple[Any, FilterForm]:
    form = FilterForm(request.GET or None)
    qs = selectors.filed_visible_to(request.user)
    if form.is_valid():
        if form.cleaned_data["service"]:
            qs = qs.filter(form_slug=form.cleaned_data["service"])
        if form.cleaned_data["status"] == "open":
            qs = qs.filter(status__in=[Submission.Status.SUBMITTED, Submission.Status.QUERY])
        elif form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
    return qs, form


@staff_required(policy.is_case_staff)
def submissions(request: HttpRequest) -> HttpResponse:
    qs, form = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("seite"))
    return render(
        request,
        "backoffice/services/list.html",
        {
            "form": form,
            "page": page,
            "partial_count": selectors.partial_applications_visible_to(request.user).count(),
            "sick_stats": selectors.sick_report_statistics(
                base=selectors.submissions_visible_to(request.user)
            ),
            "query": request.GET.urlencode(),
        },
    )


@staff_required(policy.is_case_staff)
def submissions_export(request: HttpRequest) -> HttpResponse:
    qs, _form = _filtered(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="online-services.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        ["Vorgangsnummer", "Dienst", "Version", "BG-Nummer", "Eingang", "Tag der Antragstellung", "Status"]
    )
    count = 0
    for submission in qs:
        writer.writerow(
            [
                submission.reference,
                submission.form_slug,
                submission.form_version,
                submission.household.bg_number if submission.household else "",
                timezone.localtime(submission.submitted_at).strftime("%d.%m.%Y %H:%M")
                if submission.submitted_at
                else "",
                submission.application_date.strftime("%d.%m.%Y") if submission.application_date else "",
                submission.get_status_display(),
            ]
        )
        count += 1
    audit(
        "eforms.submissions.exported", request=request, details={"rows": count, "filter": request.GET.dict()}
    )
    return response


@staff_required(policy.is_case_staff)
def followups(request: HttpRequest) -> HttpResponse:
    items = []
    for submission in selectors.partial_applications_visible_to(request.user):
        personal = submission.data.get("personal") or {}
        items.append({"submission": submission, "personal": personal})
    return render(request, "backoffice/services/followups.html", {"items": items, "form": FollowupForm()})


@staff_required(policy.is_case_staff)
@require_POST
def followup(request: HttpRequest, submission_id: Any) -> HttpResponse:
    submission = _visible_or_404(request, submission_id)
    form = FollowupForm(request.POST)
    if form.is_valid():
        services.record_followup(submission, request.user, form.cleaned_data["note"], request=request)
        messages.success(request, _gettext("The follow-up was recorded."))
    else:
        messages.error(request, _gettext("Please enter a follow-up note."))
    return redirect("backoffice:submission-followups")


@staff_required(policy.is_case_staff)
def submission_detail(request: HttpRequest, submission_id: Any) -> HttpResponse:
    submission = _visible_or_404(request, submission_id)
    definition = submission.definition
    audit(
        "eforms.submission.viewed",
        request=request,
        obj=submission,
        household=submission.household,
        details={"reference": submission.reference},
    )
    actions = []
    if not submission.is_draft:
        for name in services.available_actions(submission):
            actions.append(
                {
                    "name": name,
                    "label": ACTION_LABELS[name],
                    "hint": ACTION_HINTS[name],
                    "form": ActionForm(prefix=name),
                }
            )
    evidence = list(submission.evidence.select_related("document"))
    return render(
        request,
        "backoffice/services/detail.html",
        {
            "submission": submission,
            "definition": definition,
            "sections": engine.display(definition, submission.data, services.document_titles(submission)),
            "warnings": definition.warnings(submission.data, submission) if definition.warnings else [],
            "actions": actions,
            "evidence": evidence,
            "can_convert": definition.workflow == "preregistration"
            and submission.household_id is None
            and submission.status in (Submission.Status.SUBMITTED, Submission.Status.QUERY),
            "followup_form": FollowupForm(),
            "possible_households": selectors.possible_existing_households(request.user, submission)
            if definition.workflow == "preregistration" and submission.household_id is None
            else [],
            "replies": [
                {**reply, "at": dt.datetime.fromisoformat(reply["at"])} for reply in submission.replies
            ],
        },
    )


@staff_required(policy.is_case_staff)
@require_POST
def submission_action(request: HttpRequest, submission_id: Any) -> HttpResponse:
    submission = _visible_or_404(request, submission_id)
    action = request.POST.get("action", "")
    form = ActionForm(request.POST, prefix=action)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.apply_action(submission, action, request.user, note, request=request)
    except services.WorkflowError:
        if action in ("ask_back", "reject") and not note.strip():
            messages.error(request, _gettext("Please write a message to the citizen."))
        else:
            messages.error(request, _gettext("This action is not possible in the current state."))
        return redirect("backoffice:submission", submission_id=submission.pk)
    messages.success(request, _gettext("Saved. The citizen sees the new status in the portal."))
    return redirect("backoffice:submission", submission_id=submission.pk)


@staff_required(policy.is_case_staff)
@require_POST
def submission_convert(request: HttpRequest, submission_id: Any) -> HttpResponse:
    submission = _visible_or_404(request, submission_id)
    try:
        household = services.convert_preregistration(submission, request.user, request=request)
    except services.IncompleteApplication as error:
        messages.error(request, str(error))
        return redirect("backoffice:submission", submission_id=submission.pk)
    except services.WorkflowError:
        messages.error(request, _gettext("This application was already registered."))
        return redirect("backoffice:submission", submission_id=submission.pk)
    messages.success(
        request,
        _gettext("Household %(bg)s was created from the application.") % {"bg": household.bg_number},
    )
    return redirect("backoffice:submission", submission_id=submission.pk)


@staff_required(policy.is_case_staff)
def submission_json(request: HttpRequest, submission_id: Any) -> HttpResponse:
    submission = _visible_or_404(request, submission_id)
    if submission.is_draft:
        raise Http404
    audit(
        "eforms.submission.json_downloaded", request=request, obj=submission, household=submission.household
    )
    response = HttpResponse(services.submission_json_bytes(submission), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{submission.reference}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required(policy.is_case_staff)
def submission_file(request: HttpRequest, submission_id: Any, document_id: Any) -> FileResponse:
    """The copy for the file or an evidence document of a visible submission (PDF, else the original)."""
    submission = _visible_or_404(request, submission_id)
    document = get_object_or_404(Document, pk=document_id)
    if not policy.can_open_submission_document(request.user, submission, document):
        raise Http404
    inline = request.GET.get("ansehen") == "1"
    if document.pdf:
        handle, name, content_type = (
            document.pdf.open("rb"),
            f"{document.receipt_number}.pdf",
            "application/pdf",
        )
    else:  # not yet through the intake pipeline: the original as received
        original = document.originals.order_by("position").first()
        if original is None:
            raise Http404
        content_type = original.detected_type or ""
        if not content_type:
            with original.file.open("rb") as head:
                guessed = filetype.guess(head.read(8192))
            content_type = guessed.mime if guessed else ""
        if not (content_type.startswith("image/") or content_type == "application/pdf"):
            content_type, inline = "application/octet-stream", False
        handle, name = original.file.open("rb"), original.original_name
    audit(
        "document.downloaded",
        request=request,
        obj=document,
        household=document.household,
        details={"via": "submission", "submission": str(submission.pk)},
    )
    response = FileResponse(handle, as_attachment=not inline, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
