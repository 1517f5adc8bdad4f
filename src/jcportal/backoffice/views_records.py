"""Back office: records management (staff with the records role; see docs/operations/records.md).

The pages show ids, dates, classes and BG numbers, never document content; every step is a service of
``records.services`` and audited there."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jcportal.accounts import policy
from jcportal.accounts.actor import Actor
from jcportal.audit.services import audit
from jcportal.core import storage
from jcportal.documents.models import Document
from jcportal.eforms.models import Submission
from jcportal.households.models import Household, normalise_bg_number
from jcportal.records import services, xdomea
from jcportal.records.forms import BenefitsEndedForm, ExcludeForm, HoldForm, MessageForm
from jcportal.records.models import DestructionProposal, LegalHold, ProposalItem

from .decorators import staff_required

records_role = staff_required(policy.can_manage_records)


@records_role
def records_home(request: HttpRequest) -> HttpResponse:
    context = {
        "plan": services.plan(timezone.localdate()),
        "proposals": DestructionProposal.objects.select_related("submitted_by", "approved_by")[:50],
        "holds": LegalHold.objects.filter(released_at__isnull=True).select_related(
            "household", "document", "placed_by"
        ),
        "hold_form": HoldForm(),
    }
    return render(request, "backoffice/records/home.html", context)


@records_role
@require_POST
def proposal_build(request: HttpRequest) -> HttpResponse:
    proposal = services.build_proposal(actor=Actor.from_request(request))
    if proposal is None:
        messages.info(request, _("Nothing new is due."))
        return redirect("backoffice:records")
    return redirect("backoffice:records-proposal", proposal_id=proposal.pk)


def _proposal(proposal_id: uuid.UUID) -> DestructionProposal:
    return get_object_or_404(DestructionProposal, pk=proposal_id)


@records_role
def proposal_detail(request: HttpRequest, proposal_id: uuid.UUID) -> HttpResponse:
    proposal = _proposal(proposal_id)
    items = list(proposal.items.select_related("retention_class", "office"))
    bg_numbers = dict(
        Household.objects.filter(pk__in=[i.household_id for i in items if i.household_id]).values_list(
            "pk", "bg_number"
        )
    )
    receipts = dict(
        Document.objects.filter(pk__in=[i.document_id for i in items if i.document_id]).values_list(
            "pk", "receipt_number"
        )
    )
    references = dict(
        Submission.objects.filter(pk__in=[i.submission_id for i in items if i.submission_id]).values_list(
            "pk", "reference"
        )
    )
    rows = [
        {
            "item": i,
            "bg_number": bg_numbers.get(i.household_id or 0, ""),
            "receipt": (receipts.get(i.document_id, "") if i.document_id else "")
            or (references.get(i.submission_id, "") if i.submission_id else ""),
        }
        for i in items
    ]
    audit("records.proposal.viewed", request=request, obj=proposal)
    context = {
        "proposal": proposal,
        "rows": rows,
        "can_approve": services.can_approve(proposal, request.user),
        "is_proposer": proposal.submitted_by_id == request.user.pk,
        "has_offer": storage.exists(services.offer_name(proposal)),
        "has_handover": storage.exists(services.handover_name(proposal)),
        "exclude_form": ExcludeForm(),
        "message_form": MessageForm(),
        "Status": DestructionProposal.Status,
    }
    return render(request, "backoffice/records/proposal.html", context)


@records_role
@require_POST
def proposal_step(request: HttpRequest, proposal_id: uuid.UUID, step: str) -> HttpResponse:
    proposal = _proposal(proposal_id)
    actor = Actor.from_request(request)
    try:
        if step == "submit":
            services.submit(proposal, actor)
        elif step == "approve":
            count = services.approve(proposal, actor)
            messages.success(request, _("%(count)d records were destroyed.") % {"count": count})
        elif step == "cancel":
            services.cancel(proposal, actor)
        elif step in ("evaluation", "receipt"):
            form = MessageForm(request.POST, request.FILES)
            if not form.is_valid():
                messages.error(request, _("Choose the archive's XML file."))
                return redirect("backoffice:records-proposal", proposal_id=proposal.pk)
            data = form.cleaned_data["message"].read(20 * 1024 * 1024)
            if step == "evaluation":
                services.import_evaluation(proposal, data, actor)
            else:
                services.import_receipt(proposal, data, actor)
        else:
            raise Http404
    except (services.RecordsError, xdomea.UnreadableMessage) as error:
        messages.error(request, _("This step is not possible: %(reason)s") % {"reason": error})
    return redirect("backoffice:records-proposal", proposal_id=proposal.pk)


@records_role
def proposal_file(request: HttpRequest, proposal_id: uuid.UUID, which: str) -> HttpResponseBase:
    proposal = _proposal(proposal_id)
    names = {"offer": services.offer_name(proposal), "handover": services.handover_name(proposal)}
    if which not in names or not storage.exists(names[which]):
        raise Http404
    name = names[which]
    audit("records.proposal.viewed", request=request, obj=proposal, details={"file": which})
    return FileResponse(
        storage.open(name),
        as_attachment=True,
        filename=name.rsplit("/", 1)[-1],
        content_type="application/zip" if which == "handover" else "application/xml",
    )


@records_role
@require_POST
def item_exclude(request: HttpRequest, record_id: int) -> HttpResponse:
    item = get_object_or_404(ProposalItem.objects.select_related("proposal"), pk=record_id)
    form = ExcludeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the record is taken out."))
    else:
        try:
            services.exclude_item(item, Actor.from_request(request), form.cleaned_data["reason"])
        except services.RecordsError as error:
            messages.error(request, _("This step is not possible: %(reason)s") % {"reason": error})
    return redirect("backoffice:records-proposal", proposal_id=item.proposal_id)


@records_role
def hold_place(request: HttpRequest) -> HttpResponse:
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = document = None
        if data["bg_number"]:
            household = Household.objects.filter(bg_number=normalise_bg_number(data["bg_number"])).first()
            if household is None:
                form.add_error("bg_number", _("No household with this BG number."))
        else:
            document = Document.objects.filter(receipt_number=data["receipt_number"].strip()).first()
            if document is None:
                form.add_error("receipt_number", _("No document with this receipt number."))
        if household is not None or document is not None:
            services.place_hold(
                Actor.from_request(request),
                household=household,
                document=document,
                reason=data["reason"],
                note=data["note"],
                review_on=data["review_on"],
            )
            messages.success(request, _("Legal hold placed."))
            return redirect("backoffice:records")
    return render(request, "backoffice/records/hold.html", {"form": form})


@records_role
@require_POST
def hold_release(request: HttpRequest, hold_id: int) -> HttpResponse:
    hold = get_object_or_404(LegalHold, pk=hold_id, released_at__isnull=True)
    services.release_hold(hold, Actor.from_request(request), request.POST.get("note", ""))
    messages.success(request, _("Legal hold released."))
    return redirect("backoffice:records")


@records_role
def benefits_ended(request: HttpRequest) -> HttpResponse:
    """Record the start event "household left benefits" (or take it back)."""
    form = BenefitsEndedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = Household.objects.filter(bg_number=normalise_bg_number(data["bg_number"])).first()
        if household is None:
            form.add_error("bg_number", _("No household with this BG number."))
        else:
            services.record_benefits_ended(Actor.from_request(request), household, data["ended_on"])
            messages.success(request, _("Saved."))
            return redirect("backoffice:records")
    return render(request, "backoffice/records/benefits_ended.html", {"form": form})
