"""Writing side of the online services: drafts, steps, submission, workflow actions, conversion.

Every function here is what a view, a task or a command calls; none of them reads the request beyond
passing it on to ``audit``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _gettext
from stdnum import luhn

from jcportal.accounts.models import Role
from jcportal.audit.services import audit
from jcportal.core.pdf import render_pdf
from jcportal.documents import services as document_services
from jcportal.documents import storage_keys
from jcportal.documents.models import Document
from jcportal.events.services import emit_for, emit_workflow_result
from jcportal.households.models import Household, Person, ServiceOffice, Team

from . import engine
from .engine import FormDefinition, Step, StepForm
from .models import ReferenceCounter, Submission, SubmissionEvidence

logger = logging.getLogger(__name__)

RESUME_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"


class WorkflowError(Exception):
    """An action that does not fit the submission's state or service."""


class IncompleteApplication(WorkflowError):
    """The Erstantrag lacks what a household needs (a person's date of birth); the message says what."""


def _birth_date(entry: dict[str, Any], fallback_name: str) -> dt.date:
    """A person's date of birth from the application, or a clear (translated) IncompleteApplication."""
    name = " ".join(p for p in (entry.get("first_name"), entry.get("last_name")) if p) or fallback_name
    value = entry.get("date_of_birth") or ""
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise IncompleteApplication(
            _gettext(
                "The application gives no valid date of birth for %(name)s. Ask the applicant (action "
                "“Ask a question”) or register the household by hand."
            )
            % {"name": name}
        ) from None


# --- Vorgangsnummer ----------------------------------------------------------------------------------
def reference_check_digit(year: int, number: int) -> str:
    """Luhn check digit over the year and the 6-digit number."""
    return luhn.calc_check_digit(f"{year:04d}{number:06d}")


def format_reference(year: int, number: int) -> str:
    return f"JC-{year:04d}-{number:06d}-{reference_check_digit(year, number)}"


def is_valid_reference(text: str) -> bool:
    """``JC-2026-000123-7``: right shape and check digit (catches every single-digit typo and swaps)."""
    import re

    match = re.fullmatch(r"JC-(\d{4})-(\d{6})-(\d)", (text or "").strip().upper())
    if not match:
        return False
    return luhn.is_valid(match.group(1) + match.group(2) + match.group(3))


def new_reference() -> str:
    year = timezone.localdate().year
    with transaction.atomic():
        counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
        return format_reference(year, counter.last)


# --- Resume codes ------------------------------------------------------------------------------------
def _hash_code(code: str) -> str:
    normalised = "".join(c for c in code.upper() if c.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def new_resume_code(submission: Submission) -> str:
    """A new code (only its hash is stored) with which the draft can be resumed on any device."""
    raw = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(12))
    code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
    submission.resume_code_hash = _hash_code(code)
    submission.save(update_fields=["resume_code_hash", "updated_at"])
    return code


def find_by_resume_code(code: str) -> Submission | None:
    if not code or len("".join(c for c in code if c.isalnum())) != 12:
        return None
    return Submission.objects.filter(
        resume_code_hash=_hash_code(code), status=Submission.Status.DRAFT
    ).first()


def send_resume_code(submission: Submission, code: str, email: str, link: str) -> None:
    from jcportal.mail.services import send_mail

    subject = _gettext("Your application: code to continue")
    body = _gettext(
        "You started an online application at your Jobcenter.\n\n"
        "Continue here: %(link)s\nYour code: %(code)s\n\n"
        "Keep this code secret: anyone with it can read your application."
    ) % {"link": link, "code": code}
    send_mail(subject, body, None, [email])
    submission.resume_email_sent_at = timezone.now()
    submission.save(update_fields=["resume_email_sent_at", "updated_at"])
    audit("eforms.resume_code.emailed", obj=submission, details={"form": submission.form_slug})


# --- Prefill -----------------------------------------------------------------------------------------
def prefill_context(household: Household | None, user: Any) -> dict[str, Any]:
    """What the Jobcenter already knows, as JSON-style values keyed like ``Field.prefill``."""
    context: dict[str, Any] = {}
    if user is not None and getattr(user, "is_authenticated", False):
        context.update({"phone": user.phone or None, "email": user.email or None})
    if household is None:
        return context
    person = None
    if user is not None and getattr(user, "person_id", None) and user.person.household_id == household.pk:
        person = user.person
    person = person or household.head
    if person is not None:
        context.update(
            {
                "first_name": person.first_name,
                "last_name": person.last_name,
                "full_name": person.full_name,
                "date_of_birth": person.date_of_birth.isoformat(),
                "account_holder": person.full_name,
            }
        )
    context.update(
        {
            "street": household.street or None,
            "postcode": household.postcode or None,
            "city": household.city or None,
            "iban": household.iban or None,
            "approval_until": household.approval_until.isoformat() if household.approval_until else None,
        }
    )
    # the members to choose from (e.g. who is sick): the stored answer is the readable name and birth date
    members = [(_member_label(m), _member_label(m)) for m in household.members.all()]
    context["household_members"] = members
    if person is not None:
        context["self_member"] = _member_label(person)
    return context


def _member_label(person: Any) -> str:
    return f"{person.full_name} ({person.date_of_birth:%d.%m.%Y})"


# --- Drafts ------------------------------------------------------------------------------------------
def start_draft(
    definition: FormDefinition,
    *,
    user: Any = None,
    household: Household | None = None,
    by_representative: bool = False,
    request: HttpRequest | None = None,
) -> Submission:
    submission = Submission.objects.create(
        form_slug=definition.slug,
        form_version=definition.version,
        household=household,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        by_representative=by_representative,
        language=translation.get_language() or "de",
        current_step=definition.steps[0].name,
    )
    audit(
        "eforms.draft.started",
        request=request,
        obj=submission,
        household=household,
        details={"form": definition.slug, "version": definition.version},
    )
    return submission


def office_for_postcode(postcode: str) -> ServiceOffice | None:
    """The service office whose postcodes include ``postcode`` (residence decides responsibility)."""
    for office in ServiceOffice.objects.all():
        if postcode in office.postcode_list():
            return office
    return None


def _store_evidence(
    submission: Submission,
    step: Step,
    spec: engine.Field,
    files: list[Any],
    request: HttpRequest | None,
) -> list[str]:
    definition = submission.definition
    user = request.user if request is not None and request.user.is_authenticated else None
    with translation.override("de"):  # stored texts are German (canonical), whatever the citizen reads
        title = f"{spec.label} – {definition.short_title}"[:200]
        note = _gettext("Evidence for the online service %(service)s") % {"service": definition.short_title}
    document = document_services.accept_upload(
        household=submission.household,
        uploaded_by=user,
        doc_type=spec.doc_type or "sonstiges",
        title=title,
        files=files,
        note=note,
        channel=Document.Channel.SERVICE,
        by_representative=submission.by_representative,
        request=request,
    )
    SubmissionEvidence.objects.get_or_create(
        submission=submission, document=document, defaults={"step": step.name, "field": spec.name}
    )
    return [str(document.pk)]


def save_step(
    submission: Submission,
    step: Step,
    form: StepForm,
    *,
    request: HttpRequest | None = None,
    partial: bool = False,
) -> None:
    """Store the answers of one step (the whole step, or with ``partial`` only the valid fields).

    The row is locked, so two browser tabs saving different steps at the same time lose nothing."""
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        _save_step(locked, step, form, request=request, partial=partial)
    submission.refresh_from_db()


def _save_step(
    submission: Submission,
    step: Step,
    form: StepForm,
    *,
    request: HttpRequest | None = None,
    partial: bool = False,
) -> None:
    if not submission.is_draft:
        raise WorkflowError("submission already sent")
    data = dict(submission.data)
    previous = data.get(step.name)
    if partial:
        values = engine.partial_values(step, form)
        if step.name in data:  # a completed step stays complete: only valid changes are taken over
            if isinstance(previous, dict) and isinstance(values, dict):
                data[step.name] = {**previous, **values}
                submission.data = data
        else:
            partial_data = dict(submission.partial)
            earlier = partial_data.get(step.name)
            if isinstance(values, dict) and isinstance(earlier, dict):
                values = {**earlier, **values}
            partial_data[step.name] = values
            submission.partial = partial_data
        submission.current_step = step.name
        submission.save(update_fields=["data", "partial", "current_step", "updated_at"])
        return
    new_values = engine.step_values(step, form)
    with transaction.atomic():
        # evidence: keep what was uploaded before, add new uploads
        if step.repeat is None and isinstance(new_values, dict):
            for spec in step.fields:
                if spec.kind != engine.FILE:
                    continue
                kept = list((previous or {}).get(spec.name) or []) if isinstance(previous, dict) else []
                uploads = form.cleaned_data.get(spec.name) or []
                if uploads:
                    kept += _store_evidence(submission, step, spec, uploads, request)
                new_values[spec.name] = kept
        data[step.name] = new_values
        submission.data = data
        submission.partial = {k: v for k, v in submission.partial.items() if k != step.name}
        submission.current_step = step.name
        fields = ["data", "partial", "current_step", "updated_at"]
        definition = submission.definition
        if step.name == definition.records_application_date_after and submission.application_date is None:
            submission.application_date = timezone.localdate()
            submission.application_recorded_at = timezone.now()
            fields += ["application_date", "application_recorded_at"]
            audit(
                "eforms.application_date.recorded",
                request=request,
                obj=submission,
                details={"form": submission.form_slug, "application_date": submission.application_date},
            )
        if submission.household is None and step.name == "personal" and isinstance(new_values, dict):
            office = office_for_postcode(new_values.get("postcode") or "")
            if office is not None and office.pk != submission.service_office_id:
                submission.service_office = office
                fields.append("service_office")
        submission.save(update_fields=fields)


def discard_draft(submission: Submission, request: HttpRequest | None = None) -> None:
    if not submission.is_draft:
        raise WorkflowError("only drafts can be discarded")
    if submission.application_date is not None:
        # the date of application has legal effect: keep the record, only drop the answers' draft status
        raise WorkflowError("an application with a recorded date of application cannot be deleted")
    audit("eforms.draft.discarded", request=request, obj=submission, household=submission.household)
    evidence = list(submission.evidence.values_list("document_id", flat=True))
    submission.delete()
    _route_released_evidence(evidence)


def _route_released_evidence(document_ids: list[Any]) -> None:
    """The draft these documents were evidence of is gone, but the documents reached the Jobcenter: the
    delivered ones now get their own inbox items (the others when their intake delivers them)."""
    from jcportal.inbox import services as inbox_services

    delivered = (Document.Status.DELIVERED, Document.Status.OPENED, Document.Status.PROCESSED)
    for document in Document.objects.filter(pk__in=document_ids, status__in=delivered):
        inbox_services.route_document(document)


# --- Submission --------------------------------------------------------------------------------------
def missing_steps(submission: Submission) -> list[Step]:
    definition = submission.definition
    return [s for s in definition.applicable_steps(submission.data) if s.name not in submission.data]


def revalidate(submission: Submission) -> Step | None:
    """The first applicable step whose stored answers do not validate (None when all are fine)."""
    definition = submission.definition
    for step in definition.applicable_steps(submission.data):
        stored = submission.data.get(step.name)
        if stored is None:
            return step
        post = _as_post(step, submission.data)
        bound = engine.build_form(step, submission.data, post=post, files={})
        if not bound.is_valid():
            return step
    return None


def _as_post(step: Step, data: dict[str, Any]) -> dict[str, Any]:
    """The stored answers as form input (to validate them again before submission)."""
    from django.utils.datastructures import MultiValueDict

    stored = data.get(step.name)
    items = stored if isinstance(stored, list) else [stored or {}]
    post: MultiValueDict[str, Any] = MultiValueDict()
    for index, values in enumerate(items):
        for spec in step.input_fields:
            key = engine.field_key(step, spec, None if step.repeat is None else index)
            value = values.get(spec.name)
            if value is None or spec.kind == engine.FILE:
                continue
            if spec.kind == engine.MULTI:
                post.setlist(key, list(value))
            elif spec.kind == engine.CHECKBOX:
                if value:
                    post[key] = "on"
            else:
                post[key] = str(value)
    return post


def submission_json(submission: Submission) -> dict[str, Any]:
    """The machine-readable submission (validates against ``engine.json_schema`` of its version)."""
    definition = submission.definition
    data = {
        step.name: submission.data[step.name] for step in definition.steps if step.name in submission.data
    }
    # answers of steps that no longer apply (the citizen changed an earlier answer) are not filed
    applicable = {s.name for s in definition.applicable_steps(submission.data)}
    data = {name: value for name, value in data.items() if name in applicable}
    return {
        "form": definition.slug,
        "version": definition.version,
        "valid_from": definition.valid_from.isoformat(),
        "reference": submission.reference,
        "submitted_at": submission.submitted_at.isoformat() if submission.submitted_at else None,
        "application_date": submission.application_date.isoformat() if submission.application_date else None,
        "language": submission.language,
        "household": submission.household.bg_number if submission.household else None,
        "data": data,
    }


def submission_json_bytes(submission: Submission) -> bytes:
    return json.dumps(submission_json(submission), ensure_ascii=False, indent=2, sort_keys=True).encode()


def document_titles(submission: Submission) -> dict[str, str]:
    """Evidence as the applicant knows it: the file names and the receipt number."""
    titles = {}
    for evidence in submission.evidence.select_related("document").prefetch_related("document__originals"):
        names = (
            ", ".join(o.original_name for o in evidence.document.originals.all()) or evidence.document.title
        )
        titles[str(evidence.document_id)] = f"{names} ({evidence.document.receipt_number})"
    return titles


def render_copy(submission: Submission, language: str, for_file: bool = False) -> bytes:
    """The PDF copy of the submission in ``language`` (the applicant's language or German for the file;
    ``for_file`` adds the office block: receipt, service office, team)."""
    definition = submission.definition
    household = submission.household
    office = household.service_office if household is not None else submission.service_office
    with translation.override(language):
        sections = engine.display(definition, submission.data, document_titles(submission))
        context = {
            "submission": submission,
            "definition": definition,
            "sections": sections,
            "json_sha256": submission.json_sha256,
            "site_name": settings.SITE_NAME,
            "for_file": for_file,
            "office": office,
            "team": household.responsible_team if household is not None else None,
        }
        return render_pdf("pdf/submission.html", context, language)


def submit(submission: Submission, request: HttpRequest | None = None) -> Submission:
    """File the submission: Vorgangsnummer, status, then the copy for the case file (``finalize``).

    The row lock is held only while filing; the PDF copy is rendered after it (no slow work in a lock)."""
    submission, filed_now = _file(submission)
    if filed_now:
        finalize(submission, request=request)
    return submission


@transaction.atomic
def _file(submission: Submission) -> tuple[Submission, bool]:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if not submission.is_draft:
        return submission, False
    problem = revalidate(submission)
    if problem is not None:
        raise WorkflowError(f"step {problem.name} is incomplete")
    definition = submission.definition
    applicable = {s.name for s in definition.applicable_steps(submission.data)}
    submission.data = {k: v for k, v in submission.data.items() if k in applicable}
    submission.reference = new_reference()
    submission.status = Submission.Status.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.language = translation.get_language() or submission.language
    if submission.application_date is None:
        submission.application_date = timezone.localdate()
    submission.json_sha256 = hashlib.sha256(submission_json_bytes(submission)).hexdigest()
    submission.save()
    transaction.on_commit(lambda: _finalize_after_commit(str(submission.pk)))
    return submission, True


def _finalize_after_commit(submission_id: str) -> None:
    """Safety net if the inline finalize failed: the task retries (idempotent)."""
    if Submission.objects.filter(pk=submission_id, document__isnull=True).exists():
        from .tasks import finalize_submission

        finalize_submission.delay(submission_id)


def finalize(submission: Submission, request: HttpRequest | None = None) -> Submission:
    """German PDF copy into the case file (routed to the inbox), the protocol entry. Idempotent."""
    if submission.status == Submission.Status.DRAFT:
        return submission
    try:
        current = Submission.objects.get(pk=submission.pk)
        if current.document_id:
            return current
        # rendered before the transaction: no row lock waits for WeasyPrint (a filed submission's data
        # no longer changes; a second finalize that lost the race below throws its copy away)
        pdf_bytes = render_copy(current, "de", for_file=True)
        with transaction.atomic():
            locked = Submission.objects.select_for_update().get(pk=submission.pk)
            if locked.document_id:
                return locked
            definition = locked.definition
            user = locked.created_by
            with translation.override("de"):
                title = f"{definition.title} – {locked.reference}"
            document = document_services.store_generated_pdf(
                household=locked.household,
                doc_type=definition.doc_type,
                title=title,
                pdf_bytes=pdf_bytes,
                channel=Document.Channel.SERVICE,
                created_by=user,
                note=locked.reference or "",
            )
            locked.document = document
            locked.finalize_error = ""
            locked.save(update_fields=["document", "finalize_error", "updated_at"])
            evidence = [
                {
                    "document": str(e.document_id),
                    "receipt_number": e.document.receipt_number,
                    "sha256": [o.sha256 for o in e.document.originals.all()],
                }
                for e in locked.evidence.select_related("document").prefetch_related("document__originals")
            ]
            audit(
                "eforms.submission.submitted",
                request=request,
                actor=user,
                obj=locked,
                household=locked.household,
                details={
                    "form": locked.form_slug,
                    "version": locked.form_version,
                    "reference": locked.reference,
                    "submitted_at": locked.submitted_at,
                    "application_date": locked.application_date,
                    "json_sha256": locked.json_sha256,
                    "pdf_sha256": document.pdf_sha256,
                    "document": str(document.pk),
                    "evidence": evidence,
                    "by_representative": locked.by_representative,
                },
            )
            emit_for("de.jcportal.submission.received", locked)
            return locked
    except Exception as exc:  # the PDF or storage failed: the resumer and the task retry later
        logger.exception("finalizing submission %s failed", submission.pk)
        Submission.objects.filter(pk=submission.pk).update(finalize_error=str(exc)[:2000])
        return submission


def unfinished_submissions() -> list[str]:
    return [
        str(pk)
        for pk in Submission.objects.exclude(status=Submission.Status.DRAFT)
        .filter(document__isnull=True)
        .values_list("pk", flat=True)[:100]
    ]


# --- Workflow actions --------------------------------------------------------------------------------
def _decide(
    submission: Submission, user: Any, status: str, note: str, action: str, request: HttpRequest | None
) -> Submission:
    submission.status = status
    submission.decision_note = note
    submission.decided_by = user
    submission.decided_at = timezone.now()
    submission.save(update_fields=["status", "decision_note", "decided_by", "decided_at", "updated_at"])
    audit(
        action,
        request=request,
        actor=user,
        obj=submission,
        household=submission.household,
        details={"reference": submission.reference, "status": status, "form": submission.form_slug},
    )
    applicant = submission.created_by
    if applicant is not None and applicant.notify_by_email and applicant.email:
        submission_id = submission.pk
        transaction.on_commit(lambda: notify_applicant(submission_id))
    return submission


def notify_applicant(submission_id: Any) -> None:
    """A short e-mail that there is news in the portal (never any personal data, in their language)."""
    from django.urls import reverse

    from jcportal.mail.services import send_mail

    submission = Submission.objects.select_related("created_by").filter(pk=submission_id).first()
    if submission is None or submission.created_by is None or not submission.created_by.email:
        return
    user = submission.created_by
    with translation.override(user.preferred_language or submission.language or "de"):
        subject = _gettext("News in your Jobcenter portal")
        body = _gettext(
            "There is news about a request you sent online. Please log in to read it:\n%(link)s"
        ) % {"link": settings.SITE_URL.rstrip("/") + reverse("portal:services")}
    send_mail(subject, body, None, [user.email])


ACTIONS: dict[str, dict[str, Any]] = {
    # workflow: {action: (allowed from statuses, new status, note required)}
    "confirm": {
        "confirm": (
            (Submission.Status.SUBMITTED, Submission.Status.QUERY),
            Submission.Status.CONFIRMED,
            False,
        ),
        "ask_back": ((Submission.Status.SUBMITTED,), Submission.Status.QUERY, True),
    },
    "approve": {
        "approve": (
            (Submission.Status.SUBMITTED, Submission.Status.QUERY),
            Submission.Status.APPROVED,
            False,
        ),
        "reject": ((Submission.Status.SUBMITTED, Submission.Status.QUERY), Submission.Status.REJECTED, True),
        "ask_back": ((Submission.Status.SUBMITTED,), Submission.Status.QUERY, True),
    },
    "plain": {
        "done": ((Submission.Status.SUBMITTED, Submission.Status.QUERY), Submission.Status.DONE, False),
        "ask_back": ((Submission.Status.SUBMITTED,), Submission.Status.QUERY, True),
    },
    "preregistration": {
        "ask_back": ((Submission.Status.SUBMITTED,), Submission.Status.QUERY, True),
    },
}


# Called with (submission, action, user) after a workflow action (inside the transaction). Registered by
# higher layers from their AppConfig.ready (casework: the Wiedervorlage after an approved absence).
action_listeners: list[Any] = []


def available_actions(submission: Submission) -> list[str]:
    table = ACTIONS.get(submission.definition.workflow, {})
    return [name for name, (allowed, _new, _note) in table.items() if submission.status in allowed]


@transaction.atomic
def apply_action(
    submission: Submission, action: str, user: Any, note: str = "", request: HttpRequest | None = None
) -> Submission:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    table = ACTIONS.get(submission.definition.workflow, {})
    if action not in table:
        raise WorkflowError("unknown action")
    allowed, new_status, note_required = table[action]
    if submission.status not in allowed:
        raise WorkflowError("action not allowed in this state")
    if note_required and not note.strip():
        raise WorkflowError("a message is required")
    _decide(submission, user, new_status, note.strip(), f"eforms.submission.{action}", request)
    # the event carries the workflow result to the exporters (the Fachverfahren record) and webhooks
    emit_workflow_result(submission, action)
    for listener in action_listeners:
        listener(submission, action, user)
    if submission.document_id and new_status != Submission.Status.QUERY:
        from jcportal.inbox import services as inbox_services

        inbox_services.close_items_of(submission.document_id, user)
    return submission


@transaction.atomic
def answer_query(
    submission: Submission,
    user: Any,
    text: str,
    files: list[Any] | None = None,
    request: HttpRequest | None = None,
) -> Submission:
    """The applicant answers a question of the Jobcenter (text and optional documents)."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != Submission.Status.QUERY:
        raise WorkflowError("there is no open question")
    definition = submission.definition
    document_ids: list[str] = []
    if files:
        evidence_types = [f.doc_type for s in definition.steps for f in s.fields if f.kind == engine.FILE]
        with translation.override("de"):  # the stored title is German (canonical)
            title = f"{_gettext('Answer')} – {definition.short_title} {submission.reference}"[:200]
        document = document_services.accept_upload(
            household=submission.household,
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
            doc_type=evidence_types[0] if evidence_types else "sonstiges",
            title=title,
            files=files,
            note=text[:2000],
            channel=Document.Channel.SERVICE,
            by_representative=submission.by_representative,
            request=request,
        )
        SubmissionEvidence.objects.get_or_create(
            submission=submission, document=document, defaults={"step": "answer", "field": "answer"}
        )
        document_ids.append(str(document.pk))
    submission.replies = [
        *submission.replies,
        {"at": timezone.now().isoformat(), "text": text.strip(), "documents": document_ids},
    ]
    submission.status = Submission.Status.SUBMITTED
    submission.save(update_fields=["replies", "status", "updated_at"])
    if submission.document_id:
        from jcportal.inbox import services as inbox_services

        inbox_services.reopen_items_of(
            submission.document_id, user if getattr(user, "is_authenticated", False) else None
        )
    audit(
        "eforms.submission.answered",
        request=request,
        obj=submission,
        household=submission.household,
        details={"reference": submission.reference, "documents": document_ids},
    )
    return submission


def purge_stale_drafts(days: int) -> int:
    """Delete drafts nobody touched for ``days`` days, unless a date of application was recorded."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    stale = Submission.objects.filter(
        status=Submission.Status.DRAFT, application_date__isnull=True, updated_at__lt=cutoff
    )
    count = 0
    for submission in stale:
        audit("eforms.draft.purged", obj=submission, household=submission.household, details={"days": days})
        evidence = list(submission.evidence.values_list("document_id", flat=True))
        submission.delete()
        _route_released_evidence(evidence)
        count += 1
    return count


def record_followup(submission: Submission, user: Any, note: str, request: HttpRequest | None = None) -> None:
    submission.followed_up_at = timezone.now()
    submission.followup_note = note.strip()[:500]
    submission.save(update_fields=["followed_up_at", "followup_note", "updated_at"])
    audit(
        "eforms.partial_application.followed_up",
        request=request,
        actor=user,
        obj=submission,
        details={"note": submission.followup_note},
    )


# --- Pre-registration → household --------------------------------------------------------------------
def _new_bg_number(office: ServiceOffice | None) -> str:
    prefix = (office.postcode if office and office.postcode else "00000")[:5]
    count = Household.objects.filter(bg_number__startswith=f"{prefix}BG").count() + 1
    while True:
        number = f"{prefix}BG{count:07d}"
        if not Household.objects.filter(bg_number=number).exists():
            return number
        count += 1


RELATIONS = {
    "partner": Person.Relation.PARTNER,
    "child": Person.Relation.CHILD,
    "other": Person.Relation.OTHER,
}


@transaction.atomic
def convert_preregistration(
    submission: Submission, user: Any, request: HttpRequest | None = None
) -> Household:
    """Create the household (Bedarfsgemeinschaft) and its persons from a filed Erstantrag."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.definition.workflow != "preregistration":
        raise WorkflowError("not a pre-registration")
    if submission.household_id is not None or submission.status not in (
        Submission.Status.SUBMITTED,
        Submission.Status.QUERY,
    ):
        raise WorkflowError("already converted")
    data = submission.data
    personal = data.get("personal", {})
    # every date of birth first: a household is created whole or not at all (no KeyError, no 500)
    head_birth = _birth_date(personal, _gettext("the applicant"))
    persons = [(p, _birth_date(p, _gettext("a household member"))) for p in data.get("persons") or []]
    children = [(c, _birth_date(c, _gettext("a child"))) for c in data.get("children") or []]
    office = submission.service_office or office_for_postcode(personal.get("postcode") or "")
    team = None
    if office is not None:
        team = Team.objects.filter(service_office=office, function=Team.Function.BENEFITS).first()
    if (
        user is not None
        and getattr(user, "team", None) is not None
        and user.team.service_office_id == getattr(office, "pk", None)
    ):
        team = user.team if user.team.function == Team.Function.BENEFITS else team
    household = Household.objects.create(
        bg_number=_new_bg_number(office),
        service_office=office,
        responsible_team=team,
        responsible_caseworker=user if getattr(user, "role", "") == Role.CASEWORKER else None,
        street=personal.get("street") or "",
        postcode=personal.get("postcode") or "",
        city=personal.get("city") or "",
        iban=(data.get("bank") or {}).get("iban") or "",
    )
    Person.objects.create(
        household=household,
        first_name=personal.get("first_name", ""),
        last_name=personal.get("last_name", ""),
        birth_name=personal.get("birth_name") or "",
        date_of_birth=head_birth,
        relation=Person.Relation.HEAD,
        is_head=True,
    )
    for item, born in persons:
        Person.objects.create(
            household=household,
            first_name=item.get("first_name", ""),
            last_name=item.get("last_name", ""),
            date_of_birth=born,
            relation=RELATIONS.get(item.get("relation") or "", Person.Relation.OTHER),
        )
    for item, born in children:
        Person.objects.create(
            household=household,
            first_name=item.get("first_name", ""),
            last_name=item.get("last_name", ""),
            date_of_birth=born,
            relation=Person.Relation.CHILD,
        )
    document_ids = [e.document_id for e in submission.evidence.all()]
    if submission.document_id:
        document_ids.append(submission.document_id)
    Document.objects.filter(pk__in=document_ids, household__isnull=True).update(household=household)
    submission.household = household
    submission.save(update_fields=["household", "updated_at"])
    storage_keys.rekey_after_commit(document_ids, submission)  # the household's key from now on
    _decide(
        submission,
        user,
        Submission.Status.CONVERTED,
        submission.decision_note,
        "eforms.preregistration.converted",
        request,
    )
    audit(
        "household.created",
        request=request,
        actor=user,
        obj=household,
        household=household,
        details={"from_submission": submission.reference, "members": household.members.count()},
    )
    emit_for("de.jcportal.household.upserted", household)
    # the application's items leave the clearing inbox: routed by the normal rules to the new household
    from jcportal.inbox import clearing

    clearing.reroute_after_placing(
        list(Document.objects.filter(pk__in=document_ids)),
        actor=user,
        note=_gettext("Registered as household %(bg)s.") % {"bg": household.bg_number},
    )
    return household
