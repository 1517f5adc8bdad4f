"""Writes of the accounts app: onboarding (access requests, letters, activation), locks, proxies, consents.

Every function that changes who may see what writes an audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from jcportal.audit.services import audit
from jcportal.core import clamav
from jcportal.households.models import Household, Person, ServiceOffice, Team, normalise_bg_number
from jcportal.mail.services import send_mail

from .consents import ACCESS_REQUEST_PRIVACY, TEXTS
from .models import AccessRequest, ActivationCode, Consent, Representation, Role, User

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to type from paper
CODE_LENGTH = 12
CODE_VALID_DAYS = 30
MAX_CODE_ATTEMPTS = 5
ID_DOCUMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
ID_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


class UploadRejected(Exception):
    """The ID document cannot be accepted (message is user-facing)."""


# --- codes and user IDs ---------------------------------------------------------------------------


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def hash_code(code: str, salt: str | None = None) -> str:
    """Keyed, salted hash of a one-time code (``salt$hex``). The code has ~59 bits of entropy, lives 30
    days and allows 5 tries; a leaked table is useless without the SECRET_KEY."""
    salt = salt or secrets.token_hex(8)
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()
    return f"{salt}${digest}"


def code_matches(code: str, stored: str) -> bool:
    salt, _, _digest = stored.partition("$")
    return bool(salt) and hmac.compare_digest(hash_code(code, salt), stored)


def generate_username() -> str:
    """A user ID that is easy to read from a letter: ``jc`` and eight digits."""
    while True:
        candidate = f"jc{secrets.randbelow(10**8):08d}"
        if not User.objects.filter(username=candidate).exists():
            return candidate


def issue_activation_code(user: Any, *, by: Any, purpose: str = ActivationCode.Purpose.ACTIVATION) -> str:
    """Create a new one-time code (older unused codes stop working). Returns the plain code, which is
    never stored: print it into the letter right away."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    now = timezone.now()
    with transaction.atomic():
        ActivationCode.objects.filter(user=user, used_at__isnull=True, invalidated_at__isnull=True).update(
            invalidated_at=now
        )
        ActivationCode.objects.create(
            user=user,
            purpose=purpose,
            code_hash=hash_code(code),
            created_by=by,
            expires_at=now + dt.timedelta(days=CODE_VALID_DAYS),
        )
        audit(
            "account.activation_code_issued",
            actor=by,
            obj=user,
            household=_household_of(user),
            details={"purpose": str(purpose)},
        )
    return format_code(code)


def check_activation_code(username: str, raw_code: str) -> ActivationCode | None:
    """The usable code matching ``raw_code`` for ``username``, or None. Failures count against the code;
    after MAX_CODE_ATTEMPTS the code is void (a new letter is needed)."""
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        return None
    candidates = [c for c in user.activation_codes.all() if c.usable]
    code = normalise_code(raw_code)
    for candidate in candidates:
        if code and code_matches(code, candidate.code_hash):
            return candidate
    now = timezone.now()
    for candidate in candidates:
        ActivationCode.objects.filter(pk=candidate.pk).update(failed_attempts=F("failed_attempts") + 1)
        candidate.refresh_from_db(fields=["failed_attempts"])
        if candidate.failed_attempts >= MAX_CODE_ATTEMPTS:
            ActivationCode.objects.filter(pk=candidate.pk).update(invalidated_at=now)
    if candidates:
        audit("account.activation_failed", obj=user, household=_household_of(user))
    return None


def activate_account(activation: ActivationCode, password: str, request: HttpRequest | None = None) -> User:
    """Use the code (exactly once) and set the password."""
    with transaction.atomic():
        code = ActivationCode.objects.select_for_update().get(pk=activation.pk)
        if not code.usable:
            raise ValueError("activation code no longer usable")
        code.used_at = timezone.now()
        code.save(update_fields=["used_at"])
        user = code.user
        user.set_password(password)
        user.save(update_fields=["password"])
        audit("account.activated", request=request, actor=user, obj=user, household=_household_of(user))
    return user


def _household_of(user: Any) -> Household | None:
    if user.role == Role.CITIZEN and user.person_id:
        return user.person.household
    return None


# --- access letter --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    pdf: bytes
    filename: str


def activation_url(username: str = "") -> str:
    path = reverse("accounts:activate")
    if username:
        path += f"?user={username}"
    return settings.SITE_URL.rstrip("/") + path


def render_access_letter(
    account: Any,
    code: str,
    *,
    language: str = "",
    household: Household | None = None,
    for_household: Household | None = None,
) -> Letter:
    """The printable letter: user ID, one-time code, QR code to the activation page; in the person's
    language and in German."""
    import segno

    from jcportal.core.pdf import render_pdf

    language = language or account.preferred_language or "de"
    household = household or _household_of(account) or for_household
    office = household.service_office if household is not None else None
    jobcenter = office.jobcenter if office is not None else None
    url = activation_url(account.username)
    qr_svg = segno.make(url, error="m").svg_inline(scale=3, title=url)
    languages = [language] if language == "de" else [language, "de"]
    context: dict[str, Any] = {
        "account": account,
        "code": code,
        "valid_until": timezone.localdate() + dt.timedelta(days=CODE_VALID_DAYS),
        "activation_url": url,
        "activation_base_url": activation_url(),
        "qr_svg": qr_svg,
        "office": office,
        "jobcenter": jobcenter,
        "household": household,
        "for_household": for_household,
        "is_representative": account.role == Role.REPRESENTATIVE,
        "sections": [{"language": code_, "bidi": code_ in settings.LANGUAGES_BIDI} for code_ in languages],
    }
    pdf = render_pdf("accounts/pdf/access_letter.html", context, language=language)
    return Letter(pdf=pdf, filename=f"zugangsbrief-{account.username}.pdf")


def new_access_letter(
    account: Any, *, by: Any, language: str = "", request: HttpRequest | None = None
) -> Letter:
    """Issue a new code (the old one stops working) and render the letter for it."""
    purpose = (
        ActivationCode.Purpose.ACTIVATION
        if not account.has_usable_password()
        else ActivationCode.Purpose.NEW_LETTER
    )
    code = issue_activation_code(account, by=by, purpose=purpose)
    household = _household_of(account)
    for_household = None
    if account.role == Role.REPRESENTATIVE:
        grant = account.representations.active().select_related("household").first()
        for_household = grant.household if grant else None
    audit(
        "account.access_letter_printed",
        request=request,
        actor=by,
        obj=account,
        household=household or for_household,
        on_behalf_of=_on_behalf_of(request),
    )
    return render_access_letter(account, code, language=language, for_household=for_household)


# --- accounts: create, lock, deactivate -----------------------------------------------------------


def create_citizen_account(person: Person, *, by: Any, language: str = "") -> User:
    user = User(
        username=generate_username(),
        role=Role.CITIZEN,
        person=person,
        first_name=person.first_name,
        last_name=person.last_name,
        preferred_language=language,
    )
    user.set_unusable_password()
    with transaction.atomic():
        user.save()
        audit("account.created", actor=by, obj=user, household=person.household, details={"role": "citizen"})
    return user


def lock_account(account: Any, *, by: Any, reason: str, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        account.is_active = False
        account.locked_at = timezone.now()
        account.lock_reason = reason[:200]
        account.save(update_fields=["is_active", "locked_at", "lock_reason"])
        audit(
            "account.locked",
            request=request,
            actor=by,
            obj=account,
            household=_household_of(account),
            details={"reason": reason[:200]},
        )


def unlock_account(account: Any, *, by: Any, request: HttpRequest | None = None) -> None:
    household = _household_of(account)
    if household is not None and not household.active:
        raise ValueError("household no longer receives benefits")
    with transaction.atomic():
        account.is_active = True
        account.locked_at = None
        account.lock_reason = ""
        account.deactivated_at = None
        account.save(update_fields=["is_active", "locked_at", "lock_reason", "deactivated_at"])
        audit("account.unlocked", request=request, actor=by, obj=account, household=household)
    from axes.utils import reset

    reset(username=account.username)


def deactivate_household_accounts(household: Household) -> int:
    """The household left benefits: its citizen accounts and representatives' grants end."""
    now = timezone.now()
    with transaction.atomic():
        accounts = list(User.objects.filter(person__household=household, role=Role.CITIZEN, is_active=True))
        for account in accounts:
            account.is_active = False
            account.deactivated_at = now
            account.save(update_fields=["is_active", "deactivated_at"])
            audit(
                "account.deactivated",
                obj=account,
                household=household,
                details={"reason": "household_inactive"},
            )
        revoked = Representation.objects.active().filter(household=household).update(revoked_at=now)
        if revoked:
            audit(
                "representation.revoked",
                household=household,
                details={"reason": "household_inactive", "count": revoked},
            )
    return len(accounts)


# --- access requests ------------------------------------------------------------------------------


def route_access_request(bg_number: str, postcode: str) -> Team | None:
    """The team that handles the request: the household's team if the BG number is known, otherwise the
    benefits team of the office serving the postcode, otherwise the clearing team."""
    if bg_number:
        household = Household.objects.filter(bg_number=normalise_bg_number(bg_number)).first()
        if household is not None and household.responsible_team_id:
            return household.responsible_team
    for office in ServiceOffice.objects.all():
        if postcode and postcode in office.postcode_list():
            team = office.teams.filter(function=Team.Function.BENEFITS).first() or office.teams.first()
            if team is not None:
                return team
    return Team.objects.filter(is_clearing=True).first()


def _check_id_document(upload: UploadedFile) -> tuple[bytes, bool]:
    """(the cleaned PDF, scanned): the intake checks of every upload (size, type from the content, the
    malware scan, then documents.normalise under its memory and time limits: a JPEG wrapped unchanged,
    other images decoded and re-encoded, a PDF repaired and stripped of scripts and actions). Nothing is
    kept as it was sent. Raises UploadRejected with a user-facing message."""
    import filetype
    from django.utils.translation import gettext as _

    # The intake checks of documents: plain functions on bytes, no models (accounts is the lower layer).
    from jcportal.documents import normalise, problems

    if upload.size and upload.size > ID_DOCUMENT_MAX_BYTES:
        raise UploadRejected(_("The file is larger than 10 MB. Please send a smaller photo or PDF."))
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if mime not in ID_DOCUMENT_TYPES:
        raise UploadRejected(_("Please send a photo (JPEG or PNG) or a PDF file."))
    scanned = False
    if clamav.configured():
        try:
            result = clamav.scan_stream(upload)  # type: ignore[arg-type]
        except clamav.ScannerUnavailable as exc:
            if settings.MALWARE_SCAN_REQUIRED:
                raise UploadRejected(
                    _(
                        "We cannot check files right now. Please try again later or send the request without the file."
                    )
                ) from exc
        else:
            scanned = True
            if not result.clean:
                raise UploadRejected(_("The file contains malware and was not accepted."))
        upload.seek(0)
    elif settings.MALWARE_SCAN_REQUIRED:
        raise UploadRejected(
            _("We cannot check files right now. Please try again later or send the request without the file.")
        )
    try:
        converted = normalise.convert(upload)  # type: ignore[arg-type]
    except normalise.FileProblem as problem:
        found = problems.get(problem.code)
        raise UploadRejected(f"{found.message} {found.what_to_do}") from problem
    return converted.pdf, scanned


def submit_access_request(
    data: dict[str, Any], upload: UploadedFile | None, request: HttpRequest | None
) -> AccessRequest:
    from jcportal.documents.filenames import display_name

    cleaned, scanned = (b"", False)
    if upload is not None:
        cleaned, scanned = _check_id_document(upload)
    access_request = AccessRequest(
        first_name=data["first_name"],
        last_name=data["last_name"],
        date_of_birth=data["date_of_birth"],
        street=data["street"],
        postcode=data["postcode"],
        city=data["city"],
        bg_number=(data.get("bg_number") or "").strip().upper(),
        email=data.get("email") or "",
        language=translation.get_language() or "",
        consent_version=ACCESS_REQUEST_PRIVACY.version,
        team=route_access_request(data.get("bg_number") or "", data["postcode"]),
    )
    with transaction.atomic():
        if upload is not None:
            access_request.id_document.save(f"{secrets.token_hex(16)}.pdf", ContentFile(cleaned), save=False)
            access_request.id_document_name = display_name(upload.name, 200)  # no paths, no bidi tricks
            access_request.id_document_content_type = "application/pdf"
            access_request.id_document_scanned = scanned
        access_request.save()
        audit("access_request.submitted", request=request, actor=None, obj=access_request)
    return access_request


def _notify_applicant(access_request: AccessRequest, template: str) -> None:
    if not access_request.email:
        return
    with translation.override(access_request.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"accounts/email/{template}_subject.txt", {"r": access_request}).strip()
        body = render_to_string(
            f"accounts/email/{template}.txt", {"r": access_request, "site_url": settings.SITE_URL}
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [access_request.email], fail_silently=True)


def _delete_id_document(access_request: AccessRequest) -> None:
    if access_request.id_document:
        access_request.id_document.delete(save=False)
        access_request.id_document = ""


def forward_access_request(
    access_request: AccessRequest, household: Household, *, by: Any, request: HttpRequest | None = None
) -> None:
    """Matched to a household of another team: hand the request over to that team."""
    with transaction.atomic():
        access_request.team = household.responsible_team
        access_request.save(update_fields=["team"])
        audit(
            "access_request.forwarded",
            request=request,
            actor=by,
            obj=access_request,
            household=household,
            details={"team": str(household.responsible_team or "")},
        )


def approve_access_request(
    access_request: AccessRequest, person: Person, *, by: Any, request: HttpRequest | None = None
) -> User:
    """Create (or reuse) the person's account; the letter is printed next."""
    with transaction.atomic():
        account = person.accounts.filter(role=Role.CITIZEN).first()
        if account is None:
            account = create_citizen_account(person, by=by, language=access_request.language)
        if access_request.email and not account.email:
            account.email = access_request.email
            account.save(update_fields=["email"])
        access_request.status = AccessRequest.Status.APPROVED
        access_request.household = person.household
        access_request.person = person
        access_request.account = account
        access_request.decided_by = by
        access_request.decided_at = timezone.now()
        _delete_id_document(access_request)
        access_request.save()
        audit(
            "access_request.approved",
            request=request,
            actor=by,
            obj=access_request,
            household=person.household,
        )
    _notify_applicant(access_request, "access_request_approved")
    return account


def reject_access_request(
    access_request: AccessRequest, reason: str, *, by: Any, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        access_request.status = AccessRequest.Status.REJECTED
        access_request.rejection_reason = reason
        access_request.decided_by = by
        access_request.decided_at = timezone.now()
        _delete_id_document(access_request)
        access_request.save()
        audit(
            "access_request.rejected",
            request=request,
            actor=by,
            obj=access_request,
            household=access_request.household,
        )
    _notify_applicant(access_request, "access_request_rejected")


# --- representatives -------------------------------------------------------------------------------


def _on_behalf_of(request: HttpRequest | None) -> str:
    household = getattr(request, "portal_household", None) if request is not None else None
    if request is not None and getattr(request, "acting_as_representative", False) and household is not None:
        return household.bg_number
    return ""


def grant_representation(
    household: Household,
    representative: Any,
    *,
    by: Any,
    scope_upload: bool,
    scope_read: bool,
    scope_services: bool,
    valid_until: dt.date | None,
    power_of_attorney_note: str = "",
    request: HttpRequest | None = None,
) -> Representation:
    if representative.role != Role.REPRESENTATIVE:
        raise ValueError("only representative accounts can be granted access")
    with transaction.atomic():
        grant = Representation.objects.create(
            representative=representative,
            household=household,
            granted_by=by,
            scope_upload=scope_upload,
            scope_read=scope_read,
            scope_services=scope_services,
            valid_until=valid_until,
            power_of_attorney_note=power_of_attorney_note[:200],
        )
        audit(
            "representation.granted",
            request=request,
            actor=by,
            obj=grant,
            household=household,
            details={
                "representative": representative.username,
                "scopes": [
                    s
                    for s, on in (
                        ("upload", scope_upload),
                        ("read", scope_read),
                        ("services", scope_services),
                    )
                    if on
                ],
                "valid_until": valid_until.isoformat() if valid_until else "",
            },
        )
    return grant


def invite_representative(
    household: Household,
    *,
    by: Any,
    first_name: str,
    last_name: str,
    email: str = "",
    language: str = "",
    request: HttpRequest | None = None,
    **grant_fields: Any,
) -> tuple[Representation, Letter]:
    """A new representative account with its first letter, granted access right away."""
    with transaction.atomic():
        account = User(
            username=generate_username(),
            role=Role.REPRESENTATIVE,
            first_name=first_name,
            last_name=last_name,
            email=email,
            preferred_language=language,
        )
        account.set_unusable_password()
        account.save()
        audit(
            "account.created",
            request=request,
            actor=by,
            obj=account,
            household=household,
            details={"role": "representative"},
        )
        grant = grant_representation(household, account, by=by, request=request, **grant_fields)
        code = issue_activation_code(account, by=by, purpose=ActivationCode.Purpose.INVITATION)
    letter = render_access_letter(account, code, language=language, for_household=household)
    return grant, letter


def revoke_representation(grant: Representation, *, by: Any, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        grant.revoked_at = timezone.now()
        grant.revoked_by = by
        grant.save(update_fields=["revoked_at", "revoked_by"])
        audit(
            "representation.revoked",
            request=request,
            actor=by,
            obj=grant,
            household=grant.household,
            details={"representative": grant.representative.username},
        )


# --- consents and settings -------------------------------------------------------------------------


def give_consent(
    user: Any, kind: str, *, household: Household | None, request: HttpRequest | None = None
) -> Consent:
    text = TEXTS[kind]
    with transaction.atomic():
        Consent.objects.filter(user=user, kind=kind, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        consent = Consent.objects.create(user=user, household=household, kind=kind, text_version=text.version)
        audit(
            "consent.given",
            request=request,
            obj=consent,
            household=household,
            details={"kind": kind, "version": text.version},
        )
    return consent


def revoke_consent(user: Any, kind: str, *, request: HttpRequest | None = None) -> int:
    with transaction.atomic():
        consents = list(Consent.objects.filter(user=user, kind=kind, revoked_at__isnull=True))
        for consent in consents:
            consent.revoked_at = timezone.now()
            consent.save(update_fields=["revoked_at"])
            audit(
                "consent.revoked",
                request=request,
                obj=consent,
                household=consent.household,
                details={"kind": kind},
            )
    return len(consents)


def update_contact(
    user: Any,
    *,
    email: str,
    notify_by_email: bool,
    notify_daily_digest: bool,
    request: HttpRequest | None = None,
) -> None:
    user.email = email
    user.notify_by_email = bool(email) and notify_by_email
    user.notify_daily_digest = bool(email) and notify_by_email and notify_daily_digest
    user.save(update_fields=["email", "notify_by_email", "notify_daily_digest"])
    audit("account.contact_changed", request=request, actor=user, obj=user, household=_household_of(user))
