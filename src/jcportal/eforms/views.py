"""The citizen's side of every online service: one set of views runs every form definition."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jcportal.accounts import policy
from jcportal.accounts.models import Role
from jcportal.audit.services import audit
from jcportal.core.forms import GovForm
from jcportal.portal.decorators import current_household

from . import engine, registry, services
from .models import Submission

SESSION_DRAFTS = "eforms_drafts"  # submission ids an anonymous applicant may continue in this session
SESSION_CODES = "eforms_codes"  # resume codes shown once, kept for this session only
RESUME_ATTEMPTS_PER_HOUR = 20


# --- access ------------------------------------------------------------------------------------------
def _portal_household(request: HttpRequest) -> Any:
    """The household the citizen or representative acts for, if they may file online services for it."""
    if not request.user.is_authenticated:
        return None
    household = current_household(request, scope="services")
    return household if policy.can_file_services_for(request.user, household) else None


def _may_access(request: HttpRequest, submission: Submission) -> bool:
    household = _portal_household(request) if submission.household_id is not None else None
    return policy.can_continue_submission(
        request.user, submission, household=household, draft_ids=request.session.get(SESSION_DRAFTS, [])
    )


def _load(request: HttpRequest, submission_id: Any) -> Submission:
    submission = get_object_or_404(Submission, pk=submission_id)
    if not _may_access(request, submission):
        raise Http404
    return submission


def _remember(request: HttpRequest, submission: Submission, code: str | None = None) -> None:
    drafts = [d for d in request.session.get(SESSION_DRAFTS, []) if d != str(submission.pk)]
    request.session[SESSION_DRAFTS] = [*drafts[-9:], str(submission.pk)]
    if code:
        codes = dict(request.session.get(SESSION_CODES, {}))
        codes[str(submission.pk)] = code
        request.session[SESSION_CODES] = codes


def _progress(definition: engine.FormDefinition, data: dict[str, Any], step: engine.Step) -> dict[str, int]:
    steps = definition.applicable_steps(data)
    names = [s.name for s in steps]
    return {"number": names.index(step.name) + 1 if step.name in names else 1, "total": len(steps) + 1}


# --- start -------------------------------------------------------------------------------------------
def start(request: HttpRequest, form_slug: str) -> HttpResponse:
    definition = registry.current(form_slug)
    household = None
    if definition.needs_account:
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        household = _portal_household(request)
    if not policy.can_start_service(
        request.user, needs_account=definition.needs_account, household=household
    ):
        raise Http404
    if request.method == "POST":
        submission = services.start_draft(
            definition,
            user=request.user,
            household=household,
            by_representative=request.user.is_authenticated and request.user.role == Role.REPRESENTATIVE,
            request=request,
        )
        code = services.new_resume_code(submission) if household is None else None
        _remember(request, submission, code)
        return redirect("eforms:step", submission_id=submission.pk, step=definition.steps[0].name)
    drafts = []
    if household is not None:
        drafts = list(
            Submission.objects.filter(
                household=household, form_slug=form_slug, status=Submission.Status.DRAFT
            )
        )
    return render(
        request,
        "eforms/start.html",
        {"definition": definition, "drafts": drafts, "household": household},
    )


def erstantrag_start(request: HttpRequest) -> HttpResponse:
    return start(request, "erstantrag")


# --- steps -------------------------------------------------------------------------------------------
def step(request: HttpRequest, submission_id: Any, step: str) -> HttpResponse:
    submission = _load(request, submission_id)
    if not submission.is_draft:
        return redirect("eforms:detail", submission_id=submission.pk)
    definition = submission.definition
    current = definition.step(step)
    if current is None:
        raise Http404
    if current.name not in [s.name for s in definition.applicable_steps(submission.data)]:
        target = definition.first_incomplete(submission.data)
        if target is None:
            return redirect("eforms:review", submission_id=submission.pk)
        return redirect("eforms:step", submission_id=submission.pk, step=target.name)
    prefill = services.prefill_context(submission.household, request.user)
    returning = request.GET.get("zurueck") == "pruefen" or request.POST.get("return") == "review"
    if request.method == "POST":
        form = engine.build_form(
            current, submission.data, post=request.POST, files=request.FILES, prefill=prefill
        )
        valid = form.is_valid()
        had_date = submission.application_date is not None
        try:
            if "save_later" in request.POST:
                services.save_step(submission, current, form, request=request, partial=not valid)
                return redirect("eforms:saved", submission_id=submission.pk)
            if valid:
                services.save_step(submission, current, form, request=request)
        except services.WorkflowError:  # sent meanwhile, e.g. in another tab
            return redirect("eforms:detail", submission_id=submission.pk)
        if valid:
            if not had_date and submission.application_date is not None:
                # the date of application now counts: show it together with the code to continue
                return redirect("eforms:saved", submission_id=submission.pk)
            if returning and definition.first_incomplete(submission.data) is None:
                return redirect("eforms:review", submission_id=submission.pk)
            following = definition.next_step(submission.data, current.name)
            if following is None:
                return redirect("eforms:review", submission_id=submission.pk)
            return redirect("eforms:step", submission_id=submission.pk, step=following.name)
    else:
        form = engine.build_form(
            current, submission.data, prefill=prefill, partial=submission.partial.get(current.name)
        )
    previous = definition.previous_step(submission.data, current.name)
    stored = submission.data.get(current.name)
    uploaded: dict[str, list[str]] = {}
    if isinstance(stored, dict):
        titles = services.document_titles(submission)
        for spec in current.fields:
            if spec.kind == engine.FILE and stored.get(spec.name):
                uploaded[spec.name] = [titles.get(str(d), "") for d in stored[spec.name]]
    warnings = definition.warnings(submission.data, submission) if definition.warnings and stored else []
    return render(
        request,
        "eforms/step.html",
        {
            "submission": submission,
            "definition": definition,
            "step": current,
            "form": form,
            "rows": _rows(current, form, uploaded),
            "progress": _progress(definition, submission.data, current),
            "previous": previous,
            "returning": returning,
            "household": submission.household,
            "prefill": prefill,
            "warnings": warnings,
        },
        status=400 if request.method == "POST" else 200,
    )


def _rows(
    current: engine.Step, form: engine.StepForm, uploaded: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """What the step template shows, in order: info boxes, fields, and groups of repeated fields."""
    if current.repeat is not None:
        return [{"group": legend, "fields": [form[name] for name in names]} for legend, names in form.groups]
    rows: list[dict[str, Any]] = []
    for spec in current.fields:
        if spec.kind == engine.INFO:
            rows.append({"info": spec.label})
        elif spec.name in form.fields:
            rows.append(
                {
                    "field": form[spec.name],
                    "uploaded": uploaded.get(spec.name),
                    "picture": spec.picture,
                    "picture_alt": spec.picture_alt,
                }
            )
    return rows


def review(request: HttpRequest, submission_id: Any) -> HttpResponse:
    submission = _load(request, submission_id)
    if not submission.is_draft:
        return redirect("eforms:detail", submission_id=submission.pk)
    definition = submission.definition
    missing = definition.first_incomplete(submission.data)
    if request.method == "POST":
        if missing is None:
            try:
                services.submit(submission, request=request)
            except services.WorkflowError:
                problem = services.revalidate(submission)
                messages.error(request, _gettext("Please check this step again."))
                target = problem or definition.steps[0]
                return redirect("eforms:step", submission_id=submission.pk, step=target.name)
            return redirect("eforms:done", submission_id=submission.pk)
        return redirect("eforms:step", submission_id=submission.pk, step=missing.name)
    sections = engine.display(definition, submission.data, services.document_titles(submission))
    warnings = definition.warnings(submission.data, submission) if definition.warnings else []
    return render(
        request,
        "eforms/review.html",
        {
            "submission": submission,
            "definition": definition,
            "sections": sections,
            "missing": missing,
            "warnings": warnings,
            "progress": {
                "number": len(definition.applicable_steps(submission.data)) + 1,
                "total": len(definition.applicable_steps(submission.data)) + 1,
            },
        },
    )


class ResumeEmailForm(GovForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_(
            "We send you the link and the code to continue. We do not keep this address for anything else."
        ),
    )


def saved(request: HttpRequest, submission_id: Any) -> HttpResponse:
    submission = _load(request, submission_id)
    code = (
        request.session.get(SESSION_CODES, {}).get(str(submission.pk))
        if submission.household_id is None
        else None
    )
    form = ResumeEmailForm()
    if request.method == "POST" and code:
        form = ResumeEmailForm(request.POST)
        if form.is_valid():
            link = request.build_absolute_uri(reverse("eforms:resume")) + "?code=" + code
            services.send_resume_code(submission, code, form.cleaned_data["email"], link)
            messages.success(request, _gettext("We sent the link and the code to your e-mail address."))
            return redirect("eforms:saved", submission_id=submission.pk)
    next_step = submission.definition.first_incomplete(submission.data)
    return render(
        request,
        "eforms/saved.html",
        {
            "submission": submission,
            "definition": submission.definition,
            "code": code,
            "form": form,
            "next_step": next_step,
        },
    )


class ResumeForm(GovForm):
    code = forms.CharField(
        label=_("Your code to continue"),
        help_text=_("12 letters and digits, for example K7QM-P2XD-9HTR."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "dir": "ltr"}),
    )


def resume(request: HttpRequest) -> HttpResponse:
    """Continue an application without an account, on any device, with the resume code."""
    initial = request.GET.get("code", "")
    form = ResumeForm(request.POST or None, initial={"code": initial})
    if request.method == "POST" and form.is_valid():
        key = f"eforms-resume:{request.META.get('REMOTE_ADDR', '')}"
        attempts = cache.get(key, 0)
        if attempts >= RESUME_ATTEMPTS_PER_HOUR:
            form.add_error("code", _("Too many attempts. Please try again in an hour."))
        else:
            cache.set(key, attempts + 1, 3600)
            submission = services.find_by_resume_code(form.cleaned_data["code"])
            if submission is None or submission.household_id is not None:
                form.add_error("code", _("We found no application with this code. Please check the code."))
            else:
                _remember(request, submission)
                audit("eforms.draft.resumed", request=request, obj=submission)
                target = submission.definition.first_incomplete(submission.data)
                if target is None:
                    return redirect("eforms:review", submission_id=submission.pk)
                return redirect("eforms:step", submission_id=submission.pk, step=target.name)
    return render(request, "eforms/resume.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
def discard(request: HttpRequest, submission_id: Any) -> HttpResponse:
    submission = _load(request, submission_id)
    try:
        services.discard_draft(submission, request=request)
    except services.WorkflowError:
        messages.error(request, _gettext("This application already has a date of application and is kept."))
        return redirect("eforms:saved", submission_id=submission.pk)
    messages.success(request, _gettext("The draft was deleted."))
    if submission.household_id is not None:
        return redirect("portal:services")
    return redirect("core:home")


def done(request: HttpRequest, submission_id: Any) -> HttpResponse:
    submission = _load(request, submission_id)
    if submission.is_draft:
        return redirect("eforms:review", submission_id=submission.pk)
    return render(
        request, "eforms/done.html", {"submission": submission, "definition": submission.definition}
    )


class AnswerForm(GovForm):
    text = forms.CharField(
        label=_("Your answer"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    documents = engine.EvidenceField(
        label=_("Documents (optional)"),
        help_text=_("Photos or PDFs, for example the page the Jobcenter asked for."),
        required=False,
        widget=engine.CameraOrFilesInput(),
    )


def detail(request: HttpRequest, submission_id: Any) -> HttpResponse:
    submission = _load(request, submission_id)
    if submission.is_draft:
        return redirect("eforms:review", submission_id=submission.pk)
    definition = submission.definition
    form = AnswerForm()
    if request.method == "POST" and submission.status == Submission.Status.QUERY:
        form = AnswerForm(request.POST, request.FILES)
        if form.is_valid():
            services.answer_query(
                submission,
                request.user,
                form.cleaned_data["text"],
                form.cleaned_data["documents"],
                request=request,
            )
            messages.success(request, _gettext("Your answer was sent to the Jobcenter."))
            return redirect("eforms:detail", submission_id=submission.pk)
    elif request.method == "POST":
        return redirect("eforms:detail", submission_id=submission.pk)
    sections = engine.display(definition, submission.data, services.document_titles(submission))
    return render(
        request,
        "eforms/detail.html",
        {"submission": submission, "definition": definition, "sections": sections, "form": form},
        status=400 if form.errors else 200,
    )


def pdf(request: HttpRequest, submission_id: Any) -> HttpResponse:
    """The applicant's copy in their language (``?sprache=de`` for the German version)."""
    submission = _load(request, submission_id)
    if submission.is_draft:
        raise Http404
    language = "de" if request.GET.get("sprache") == "de" else submission.language
    content = services.render_copy(submission, language)
    audit(
        "eforms.copy.downloaded",
        request=request,
        obj=submission,
        household=submission.household,
        details={"reference": submission.reference, "language": language},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{submission.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def schema(request: HttpRequest, form_slug: str, version: int) -> JsonResponse:
    definition = registry.get(form_slug, version)
    schema_id = request.build_absolute_uri(reverse("eforms:schema", args=[form_slug, version]))
    return JsonResponse(
        engine.json_schema(definition, schema_id), json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
