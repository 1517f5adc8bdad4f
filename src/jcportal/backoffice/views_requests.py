"""Back office: document requests (Mitwirkungsaufforderung) – create, list (incl. overdue), detail; check
each answer (accept, reject with a reason, tick by hand), extend the deadline, remind, and the request and
reminder letters (print, record as posted)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jcportal.accounts import policy
from jcportal.docrequests import selectors, services
from jcportal.docrequests.forms import (
    DocumentRequestForm,
    ExtendDeadlineForm,
    HouseholdLookupForm,
    RejectAnswerForm,
)
from jcportal.docrequests.models import DocumentRequest, DocumentRequestItem, DocumentRequestLetter
from jcportal.households.models import Household, normalise_bg_number

from .decorators import staff_required

STATES = ("open", "overdue", "complete", "withdrawn")


def _visible_household_or_404(user, household_id: int) -> Household:  # type: ignore[no-untyped-def]
    return get_object_or_404(policy.visible_households(user), pk=household_id)


@staff_required(policy.is_case_staff)
def request_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "open")
    if state not in STATES:
        state = "open"
    lookup = HouseholdLookupForm(request.GET if "bg_number" in request.GET else None)
    if lookup.is_bound and lookup.is_valid():
        household = (
            policy.visible_households(request.user)
            .filter(bg_number=normalise_bg_number(lookup.cleaned_data["bg_number"]))
            .first()
        )
        if household is not None:
            return redirect("backoffice:document-request-create", household_id=household.pk)
        lookup.add_error("bg_number", _("No household with this BG number in your case files."))
    page = Paginator(selectors.requests_for_staff(request.user, state=state), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "state": state,
        "states": [
            ("open", _("Open")),
            ("overdue", _("Overdue")),
            ("complete", _("Complete")),
            ("withdrawn", _("Withdrawn")),
        ],
        "doc_requests": page.object_list,
        "page": page,
        "overdue_count": selectors.overdue_count(request.user),
        "form": lookup,
    }
    return render(request, "backoffice/requests/list.html", context)


@staff_required(policy.is_case_staff)
def request_create(request: HttpRequest, household_id: int) -> HttpResponse:
    household = _visible_household_or_404(request.user, household_id)
    form = DocumentRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        doc_request = services.create_request(
            household=household,
            created_by=request.user,
            explanation=form.cleaned_data["explanation"],
            deadline=form.cleaned_data["deadline"],
            items=form.items(),
            request=request,
        )
        letter = doc_request.letters.first()
        if letter is not None and letter.awaits_post:
            messages.success(
                request, _("The document request was created. Print the letter below and send it by post.")
            )
        else:
            messages.success(request, _("The document request was sent to the household's portal."))
        return redirect("backoffice:document-request", request_id=doc_request.pk)
    return render(request, "backoffice/requests/create.html", {"form": form, "household": household})


def _request_or_404(user, request_id: int) -> DocumentRequest:  # type: ignore[no-untyped-def]
    doc_request = selectors.request_for_staff(user, request_id)
    if doc_request is None:
        raise Http404
    return doc_request


def _item_or_404(doc_request: DocumentRequest, item_id: str) -> DocumentRequestItem:
    """The item named in the form (``item``), of this request only."""
    if not item_id.isdigit():
        raise Http404
    return get_object_or_404(
        DocumentRequestItem.objects.select_related("document"), request=doc_request, pk=int(item_id)
    )


def _posted_item(
    request: HttpRequest, request_id: int, may: Callable[..., bool]
) -> tuple[DocumentRequest, DocumentRequestItem]:
    """The request and the item named in the posted form, once the policy rule ``may`` allows it."""
    doc_request = _request_or_404(request.user, request_id)
    if not may(request.user, doc_request):
        raise PermissionDenied
    return doc_request, _item_or_404(doc_request, request.POST.get("item", ""))


def _letter_or_404(doc_request: DocumentRequest, letter_id: str) -> DocumentRequestLetter:
    if not letter_id.isdigit():
        raise Http404
    return get_object_or_404(doc_request.letters.all(), pk=int(letter_id))


def _render_detail(
    request: HttpRequest,
    doc_request: DocumentRequest,
    *,
    reject_forms: dict[int, RejectAnswerForm] | None = None,
    extend_form: ExtendDeadlineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    reject_forms = reject_forms or {}
    may_decide = policy.can_decide_request_answers(request.user, doc_request)
    may_post = policy.can_handle_request_post(request.user, doc_request)
    items = []
    for item in doc_request.items.select_related("document", "decided_by"):
        arrived = services.item_has_arrived(item)
        items.append(
            {
                "item": item,
                "arrived": arrived,
                "done": services.item_is_done(item),
                "unusable": item.document_id is not None and not arrived and not item.is_rejected,
                "can_accept": may_decide and doc_request.is_open and item.is_received and arrived,
                "can_reject": may_decide and doc_request.is_open and arrived,
                "can_tick": may_post and doc_request.is_open and not arrived,
                "reject_form": reject_forms.get(item.pk) or RejectAnswerForm(prefix=f"reject{item.pk}"),
            }
        )
    context = {
        "doc_request": doc_request,
        "items": items,
        "household": doc_request.household,
        "reference": services.reference(doc_request),
        "letters": list(doc_request.letters.select_related("document", "sent_by_post_by")),
        "may_decide": may_decide,
        "may_post": may_post,
        "extend_form": extend_form or ExtendDeadlineForm(current=doc_request.deadline),
        "errors": any(f.errors for f in reject_forms.values()) or bool(extend_form and extend_form.errors),
    }
    return render(request, "backoffice/requests/detail.html", context, status=status)


@staff_required(policy.is_case_staff)
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    doc_request = _request_or_404(request.user, request_id)
    if doc_request.withdrawn_at is None:
        services.refresh_completion(doc_request)
    return _render_detail(request, doc_request)


def _back(doc_request: DocumentRequest, item: DocumentRequestItem | None = None) -> HttpResponse:
    response = redirect("backoffice:document-request", request_id=doc_request.pk)
    if item is not None:
        response["Location"] += f"#item-{item.pk}"
    return response


@require_POST
@staff_required(policy.is_case_staff)
def item_accept(request: HttpRequest, request_id: int) -> HttpResponse:
    doc_request, item = _posted_item(request, request_id, policy.can_decide_request_answers)
    try:
        complete = services.accept_answer(item=item, actor=request.user, request=request)
    except services.RequestError as error:
        messages.error(request, str(error))
        return _back(doc_request, item)
    messages.success(request, _("Accepted: %(type)s.") % {"type": item.type_label})
    if complete:
        messages.success(request, _("The request is complete: every required document is accepted."))
    return _back(doc_request, item)


@require_POST
@staff_required(policy.is_case_staff)
def item_reject(request: HttpRequest, request_id: int) -> HttpResponse:
    doc_request, item = _posted_item(request, request_id, policy.can_decide_request_answers)
    form = RejectAnswerForm(request.POST, prefix=f"reject{item.pk}")
    if not form.is_valid():
        return _render_detail(request, doc_request, reject_forms={item.pk: form})
    try:
        services.reject_answer(
            item=item, actor=request.user, reason=form.cleaned_data["reason"], request=request
        )
    except services.RequestError as error:
        messages.error(request, str(error))
        return _back(doc_request, item)
    messages.success(
        request,
        _("Rejected: %(type)s. The citizen sees your reason and can send it again.")
        % {"type": item.type_label},
    )
    return _back(doc_request, item)


@require_POST
@staff_required(policy.is_case_staff)
def item_tick(request: HttpRequest, request_id: int) -> HttpResponse:
    doc_request, item = _posted_item(request, request_id, policy.can_handle_request_post)
    try:
        complete = services.tick_item(item=item, actor=request.user, request=request)
    except services.RequestError as error:
        messages.error(request, str(error))
        return _back(doc_request, item)
    messages.success(request, _("Ticked as received on paper: %(type)s.") % {"type": item.type_label})
    if complete:
        messages.success(request, _("The request is complete: every required document is accepted."))
    return _back(doc_request, item)


@require_POST
@staff_required(policy.is_case_staff)
def request_extend(request: HttpRequest, request_id: int) -> HttpResponse:
    doc_request = _request_or_404(request.user, request_id)
    if not policy.can_decide_request_answers(request.user, doc_request):
        raise PermissionDenied
    form = ExtendDeadlineForm(request.POST, current=doc_request.deadline)
    if not form.is_valid():
        return _render_detail(request, doc_request, extend_form=form)
    try:
        services.extend_deadline(
            doc_request=doc_request,
            deadline=form.cleaned_data["deadline"],
            actor=request.user,
            request=request,
        )
    except services.RequestError as error:
        messages.error(request, str(error))
        return _back(doc_request)
    messages.success(request, _("The deadline was extended. The citizen sees the new deadline."))
    return _back(doc_request)


@require_POST
@staff_required(policy.is_case_staff)
def request_remind(request: HttpRequest, request_id: int) -> HttpResponse:
    doc_request = _request_or_404(request.user, request_id)
    if not policy.can_handle_request_post(request.user, doc_request):
        raise PermissionDenied
    if services.remind(doc_request=doc_request, actor=request.user, request=request):
        letter = doc_request.letters.filter(kind="reminder").last()
        if letter is not None and letter.awaits_post:
            messages.success(request, _("The reminder letter is ready. Print it and send it by post."))
        else:
            messages.success(request, _("The reminder was sent to the household's portal postbox."))
    else:
        messages.error(
            request, _("No reminder: the request is not open or was already reminded for this deadline.")
        )
    return _back(doc_request)


@staff_required(policy.is_case_staff)
def letter_pdf(request: HttpRequest, request_id: int) -> HttpResponse:
    doc_request = _request_or_404(request.user, request_id)
    if not policy.can_handle_request_post(request.user, doc_request):
        raise PermissionDenied
    letter = _letter_or_404(doc_request, request.GET.get("letter", ""))
    pdf = services.print_letter(letter=letter, actor=request.user, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{services.letter_filename(letter)}"'
    return response


@require_POST
@staff_required(policy.is_case_staff)
def letter_posted(request: HttpRequest, request_id: int) -> HttpResponse:
    doc_request = _request_or_404(request.user, request_id)
    if not policy.can_handle_request_post(request.user, doc_request):
        raise PermissionDenied
    letter = _letter_or_404(doc_request, request.POST.get("letter", ""))
    services.record_letter_posted(letter=letter, actor=request.user, request=request)
    messages.success(request, _("Recorded: the letter was sent by post."))
    return _back(doc_request)


@require_POST
@staff_required(policy.is_case_staff)
def request_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    doc_request = selectors.request_for_staff(request.user, request_id)
    if doc_request is None:
        raise Http404
    services.withdraw_request(doc_request=doc_request, actor=request.user, request=request)
    messages.success(request, _("The document request was withdrawn."))
    return redirect("backoffice:document-request", request_id=doc_request.pk)
