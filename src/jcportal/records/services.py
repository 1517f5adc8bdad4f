"""Retention, the archive offer and destruction (docs/operations/records.md).

- ``due_records(as_of)``: every record whose retention period is over at ``as_of`` (and whether a legal
  hold stops it); ``plan(as_of)`` counts them per class and office. Neither changes anything.
- ``build_proposal`` collects what is due into a destruction proposal (the daily job calls it);
  staff with the records role review it (``exclude_item``), ``submit`` it, offer it to the state
  archive (xdomea 0501), import the archive's evaluation (0502: the 0503 handover of the records marked
  "A" is built then), import the receipt (0504); ``approve`` by a second person destroys.
- ``destroy_item`` is complete and irreversible: every stored object, the OCR text and search rows,
  form answers, the household and its citizens' accounts, then the household's data key
  (crypto-shredding). What remains is one ``records.destroyed`` audit entry without personal data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import io
import zipfile
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from jcportal.accounts import policy
from jcportal.audit.services import audit
from jcportal.core import crypto, storage

from . import xdomea
from .models import (
    ArchiveSettings,
    DestructionProposal,
    LegalHold,
    ProposalItem,
    RetentionClass,
    Scope,
    StartEvent,
)

DECISION_DOC_TYPES = ("bescheid",)


def ensure_defaults() -> None:
    """The documented default retention classes, the archive settings and the records group, as migration
    0002 seeds them; idempotent, never changes a class an administrator edited (demo data calls it, so a
    database that was emptied after migrating – a test's flush – gets them back)."""
    import importlib

    from django.contrib.auth.models import Group, Permission

    defaults = importlib.import_module("jcportal.records.migrations.0002_default_classes")
    defaults.seed_classes(RetentionClass, ArchiveSettings)
    group, _ = Group.objects.get_or_create(name=defaults.GROUP)
    permission = Permission.objects.filter(
        codename="manage_records", content_type__app_label="records"
    ).first()
    if permission is not None:
        group.permissions.add(permission)


class RecordsError(Exception):
    """A step that is not allowed now (wrong state, missing role, the proposer approving)."""


# --- dates ------------------------------------------------------------------------------------------


def add_period(start: dt.date, retention_class: RetentionClass) -> dt.date:
    """The day a record of ``retention_class`` is due when its start event happened on ``start``."""
    base = dt.date(start.year, 12, 31) if retention_class.from_year_end else start
    if retention_class.start_event == StartEvent.END_OF_YEAR:
        base = dt.date(start.year, 12, 31)
    years = retention_class.duration_years
    try:
        shifted = base.replace(year=base.year + years)
    except ValueError:  # 29 February
        shifted = base.replace(year=base.year + years, day=28)
    return shifted + dt.timedelta(days=retention_class.duration_days)


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date()
    return value  # type: ignore[no-any-return]


def subject_hash(kind: str, record_id: Any) -> str:
    """A keyed hash of the file id: the deletion record names the record without naming it."""
    return hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{record_id}".encode(), hashlib.sha256).hexdigest()


# --- what is due ------------------------------------------------------------------------------------


@dataclass
class DueRecord:
    kind: str  # ProposalItem.Kind
    retention_class: RetentionClass
    household_id: int | None
    document_id: Any
    office_id: int | None
    start_event: str
    start_date: dt.date
    due_on: dt.date
    held: bool
    submission_id: Any = None

    @property
    def record_id(self) -> Any:
        return self.submission_id or self.document_id or self.household_id


def _classes() -> dict[tuple[str, str], RetentionClass]:
    return {(c.scope, c.match): c for c in RetentionClass.objects.filter(active=True)}


def _held() -> tuple[set[int], set[Any]]:
    active = LegalHold.objects.filter(released_at__isnull=True)
    households = set(active.filter(household_id__isnull=False).values_list("household_id", flat=True))
    documents = set(active.filter(document_id__isnull=False).values_list("document_id", flat=True))
    return households, documents  # type: ignore[return-value]


def _household_start(household: Any, event: str, stats: dict[str, Any]) -> dt.date | None:
    if event == StartEvent.LEFT_BENEFITS:
        return household.benefits_ended_on if not household.active else None
    if event == StartEvent.LAST_DECISION:
        return _day(stats.get("last_decision"))
    return _day(stats.get("last_received")) or _day(household.created_at)


def due_records(as_of: dt.date) -> list[DueRecord]:
    """Every record due at ``as_of`` (legal holds marked, not left out). Reads ids and dates only."""
    from jcportal.documents.models import Document
    from jcportal.households.models import Household

    classes = _classes()
    held_households, held_documents = _held()
    found: list[DueRecord] = []
    covered_households: set[int] = set()

    case_class = classes.get((Scope.CASE_FILE, ""))
    if case_class is not None:
        type_classes = {m: c for (s, m), c in classes.items() if s == Scope.DOCUMENT_TYPE}
        candidates = Household.objects.all()
        if case_class.start_event == StartEvent.LEFT_BENEFITS:
            candidates = candidates.filter(active=False, benefits_ended_on__isnull=False)
        for household in candidates.only(
            "pk", "active", "benefits_ended_on", "created_at", "service_office_id"
        ):
            documents = Document.objects.filter(household_id=household.pk)
            stats = documents.aggregate(
                last_received=Max("received_at"),
                last_decision=Max("received_at", filter=Q(doc_type__in=DECISION_DOC_TYPES)),
            )
            start = _household_start(household, case_class.start_event, stats)
            if start is None:
                continue
            due = add_period(start, case_class)
            # a document type kept longer than the case file keeps the whole case file
            for doc_type in documents.values_list("doc_type", flat=True).distinct():
                longer = type_classes.get(doc_type)
                if longer is not None:
                    longer_start = _household_start(household, longer.start_event, stats)
                    if longer_start is not None:
                        due = max(due, add_period(longer_start, longer))
            if due > as_of:
                continue
            held = household.pk in held_households or documents.filter(pk__in=held_documents).exists()
            covered_households.add(household.pk)
            found.append(
                DueRecord(
                    ProposalItem.Kind.CASE_FILE,
                    case_class,
                    household.pk,
                    None,
                    household.service_office_id,
                    case_class.start_event,
                    start,
                    due,
                    held,
                )
            )

    seen_documents: set[Any] = set()

    def documents_of(scope: str, queryset: Any, start_of: Any, match: str = "") -> None:
        retention_class = classes.get((scope, match))
        if retention_class is None:
            return
        for document in queryset.select_related("household").only(
            "pk",
            "household_id",
            "household__service_office_id",
            "household__active",
            "household__benefits_ended_on",
            "received_at",
            "filed_at",
        ):
            if document.household_id in covered_households or document.pk in seen_documents:
                continue
            start = _day(start_of(document))
            if start is None:
                continue
            due = add_period(start, retention_class)
            if due > as_of:
                continue
            held = document.pk in held_documents or document.household_id in held_households
            seen_documents.add(document.pk)
            found.append(
                DueRecord(
                    ProposalItem.Kind.DOCUMENT,
                    retention_class,
                    document.household_id,
                    document.pk,
                    document.household.service_office_id if document.household_id else None,
                    retention_class.start_event,
                    start,
                    due,
                    held,
                )
            )

    from jcportal.eforms.models import Submission

    finished = (Submission.Status.DONE, Submission.Status.REJECTED, Submission.Status.APPROVED)
    for (scope, slug), retention_class in classes.items():
        if scope != Scope.ONLINE_SERVICE:
            continue
        submissions = Submission.objects.filter(
            form_slug=slug, status__in=finished, submitted_at__isnull=False
        )
        for submission in submissions.select_related("household").only(
            "pk", "household_id", "household__service_office_id", "submitted_at", "document_id"
        ):
            if submission.household_id in covered_households:
                continue
            start = _day(submission.submitted_at)
            if retention_class.start_event == StartEvent.LEFT_BENEFITS:
                start = submission.household.benefits_ended_on if submission.household_id else None
            if start is None:
                continue
            due = add_period(start, retention_class)
            if due > as_of:
                continue
            held = submission.household_id in held_households or submission.document_id in held_documents
            found.append(
                DueRecord(
                    ProposalItem.Kind.SUBMISSION,
                    retention_class,
                    submission.household_id,
                    None,
                    submission.household.service_office_id if submission.household_id else None,
                    retention_class.start_event,
                    start,
                    due,
                    held,
                    submission_id=submission.pk,
                )
            )

    rejected = (Document.Status.REJECTED, Document.Status.QUARANTINED)
    documents_of(
        Scope.WORKING_COPY,
        Document.objects.filter(filed_at__isnull=False, household__isnull=False).exclude(status__in=rejected),
        lambda d: d.filed_at,
    )
    documents_of(Scope.REJECTED_UPLOAD, Document.objects.filter(status__in=rejected), lambda d: d.received_at)

    # a document type kept shorter than its case file goes on its own
    def type_start(retention_class: RetentionClass) -> Any:
        if retention_class.start_event == StartEvent.LEFT_BENEFITS:
            return lambda d: None if d.household.active else d.household.benefits_ended_on
        if retention_class.start_event == StartEvent.ACKNOWLEDGED:
            return lambda d: d.filed_at
        return lambda d: d.received_at

    for (scope, doc_type), retention_class in classes.items():
        if scope == Scope.DOCUMENT_TYPE and doc_type:
            documents_of(
                scope,
                Document.objects.filter(doc_type=doc_type, household__isnull=False).exclude(
                    status__in=rejected
                ),
                type_start(retention_class),
                match=doc_type,
            )
    documents_of(
        Scope.UNASSIGNED,
        Document.objects.filter(household__isnull=True).exclude(status__in=rejected),
        lambda d: d.received_at,
    )
    return found


@dataclass(frozen=True)
class PlanLine:
    retention_class: str
    office: str
    due: int
    held: int


def plan(as_of: dt.date) -> list[PlanLine]:
    """Counts of due records per class and office at ``as_of`` (never content). Changes nothing."""
    from jcportal.households.models import ServiceOffice

    offices = dict(ServiceOffice.objects.values_list("pk", "name"))
    due: Counter[tuple[str, str]] = Counter()
    held: Counter[tuple[str, str]] = Counter()
    for record in due_records(as_of):
        key = (record.retention_class.code, offices.get(record.office_id, "-") if record.office_id else "-")
        (held if record.held else due)[key] += 1
    return [
        PlanLine(code, office, due[(code, office)], held[(code, office)])
        for code, office in sorted(set(due) | set(held))
    ]


# --- the proposal -----------------------------------------------------------------------------------


def _require_role(actor: Any) -> Any:
    user = getattr(actor, "user", actor)
    if user is None or not policy.can_manage_records(user):
        raise RecordsError("the records role is required")
    return user


def _in_open_proposals() -> tuple[set[int], set[str]]:
    open_items = ProposalItem.objects.filter(
        proposal__status__in=[
            DestructionProposal.Status.DRAFT,
            DestructionProposal.Status.OFFERED,
            DestructionProposal.Status.AWAITING_APPROVAL,
            DestructionProposal.Status.APPROVED,
        ]
    ).exclude(state=ProposalItem.State.EXCLUDED)
    households = set(
        open_items.filter(kind=ProposalItem.Kind.CASE_FILE).values_list("household_id", flat=True)
    )
    documents = {str(d) for d in open_items.exclude(document_id=None).values_list("document_id", flat=True)}
    documents |= {
        str(d) for d in open_items.exclude(submission_id=None).values_list("submission_id", flat=True)
    }
    return households, documents  # type: ignore[return-value]


def build_proposal(as_of: dt.date | None = None, actor: Any = None) -> DestructionProposal | None:
    """A new proposal of every due record not yet in an open proposal; ``None`` when there is none."""
    as_of = as_of or timezone.localdate()
    households, documents = _in_open_proposals()
    fresh = [
        r
        for r in due_records(as_of)
        if not (r.kind == ProposalItem.Kind.CASE_FILE and r.household_id in households)
        and not (r.kind != ProposalItem.Kind.CASE_FILE and str(r.record_id) in documents)
    ]
    if not fresh:
        return None
    user = getattr(actor, "user", actor)
    with transaction.atomic():
        proposal = DestructionProposal.objects.create(as_of=as_of, built_by=user)
        ProposalItem.objects.bulk_create(
            ProposalItem(
                proposal=proposal,
                kind=r.kind,
                retention_class=r.retention_class,
                household_id=r.household_id,
                document_id=r.document_id,
                submission_id=r.submission_id,
                office_id=r.office_id,
                subject_hash=subject_hash(r.kind, r.record_id),
                start_event=r.start_event,
                start_date=r.start_date,
                due_on=r.due_on,
                state=ProposalItem.State.HELD if r.held else ProposalItem.State.PENDING,
            )
            for r in fresh
        )
        audit(
            "records.proposal.built",
            actor=actor,
            obj=proposal,
            details={"as_of": as_of, "records": len(fresh), "held": sum(r.held for r in fresh)},
        )
    return proposal


def exclude_item(item: ProposalItem, actor: Any, reason: str) -> None:
    user = _require_role(actor)
    if item.proposal.status != DestructionProposal.Status.DRAFT:
        raise RecordsError("records can only be taken out while the proposal is reviewed")
    item.state = ProposalItem.State.EXCLUDED
    item.excluded_by = user
    item.excluded_reason = reason[:500]
    item.save(update_fields=["state", "excluded_by", "excluded_reason"])
    audit(
        "records.proposal.item_excluded",
        actor=actor,
        obj=item.proposal,
        details={"record": item.subject_hash, "reason": reason[:500]},
    )


def refresh_holds(proposal: DestructionProposal) -> None:
    """Holds placed or released since the proposal was built: due records stop or go on."""
    held_households, held_documents = _held()
    held_documents_str = {str(d) for d in held_documents}
    from jcportal.documents.models import Document
    from jcportal.eforms.models import Submission

    for item in proposal.items.filter(state__in=[ProposalItem.State.PENDING, ProposalItem.State.HELD]):
        if item.kind == ProposalItem.Kind.SUBMISSION:
            held = item.household_id in held_households or (
                Submission.objects.filter(
                    pk__in=[item.submission_id], document_id__in=held_documents
                ).exists()
            )
        elif item.kind == ProposalItem.Kind.CASE_FILE:
            held = item.household_id in held_households or (
                Document.objects.filter(household_id=item.household_id or 0, pk__in=held_documents).exists()
            )
        else:
            held = str(item.document_id) in held_documents_str or item.household_id in held_households
        state = ProposalItem.State.HELD if held else ProposalItem.State.PENDING
        if item.state != state:
            item.state = state
            item.save(update_fields=["state"])


def _live_items(proposal: DestructionProposal) -> Any:
    return proposal.items.filter(state=ProposalItem.State.PENDING).select_related("retention_class")


def submit(proposal: DestructionProposal, actor: Any) -> None:
    """The proposer confirms the reviewed proposal; records to offer go to the archive first."""
    user = _require_role(actor)
    if proposal.status != DestructionProposal.Status.DRAFT:
        raise RecordsError("only a proposal under review can be proposed")
    refresh_holds(proposal)
    with transaction.atomic():
        proposal.submitted_by = user
        proposal.submitted_at = timezone.now()
        offered = [i for i in _live_items(proposal) if i.retention_class.offer_to_archive]
        proposal.status = (
            DestructionProposal.Status.OFFERED if offered else DestructionProposal.Status.AWAITING_APPROVAL
        )
        proposal.save(update_fields=["submitted_by", "submitted_at", "status"])
        audit("records.proposal.submitted", actor=actor, obj=proposal, details={"offered": len(offered)})
        if offered:
            _build_offer(proposal, offered, actor)


def cancel(proposal: DestructionProposal, actor: Any) -> None:
    user = _require_role(actor)
    if proposal.status in (DestructionProposal.Status.APPROVED, DestructionProposal.Status.DESTROYED):
        raise RecordsError("an approved proposal cannot be cancelled")
    proposal.status = DestructionProposal.Status.CANCELLED
    proposal.cancelled_by = user
    proposal.cancelled_at = timezone.now()
    proposal.save(update_fields=["status", "cancelled_by", "cancelled_at"])
    audit("records.proposal.cancelled", actor=actor, obj=proposal)


# --- the archive offer ------------------------------------------------------------------------------


def _parties() -> tuple[xdomea.Party, xdomea.Party]:
    current = ArchiveSettings.current()
    return (
        xdomea.Party(current.authority_name, current.authority_code),
        xdomea.Party(current.archive_name, current.archive_code),
    )


def offer_name(proposal: DestructionProposal) -> str:
    return f"records/{proposal.pk}/{proposal.pk}_Aussonderung.Anbieteverzeichnis.0501.xml"


def handover_name(proposal: DestructionProposal) -> str:
    return f"records/{proposal.pk}/{proposal.pk}_Aussonderung.Aussonderung.0503.zip"


def _period_of(item: ProposalItem) -> tuple[dt.date, dt.date]:
    from jcportal.documents.models import Document

    if item.kind == ProposalItem.Kind.SUBMISSION:
        return item.start_date, item.start_date
    if item.kind == ProposalItem.Kind.CASE_FILE:
        span = Document.objects.filter(household_id=item.household_id or 0).aggregate(
            first=Min("received_at"), last=Max("received_at")
        )
    else:
        span = Document.objects.filter(pk__in=[item.document_id]).aggregate(
            first=Min("received_at"), last=Max("received_at")
        )
    begin = _day(span["first"]) or item.start_date
    end = max(_day(span["last"]) or item.start_date, item.start_date)
    return min(begin, end), end


def _build_offer(proposal: DestructionProposal, items: list[ProposalItem], actor: Any) -> None:
    mark = ArchiveSettings.current().file_plan_mark
    records = []
    for item in items:
        begin, end = _period_of(item)
        records.append(xdomea.OfferedRecord(item.xdomea_id, item.retention_class.name, mark, begin, end))
    data = xdomea.offer_0501(proposal.pk, *_parties(), records)
    storage.delete(offer_name(proposal))
    storage.save(offer_name(proposal), data, household_id=None)
    ProposalItem.objects.filter(pk__in=[i.pk for i in items]).update(offered=True)
    proposal.offer_built_at = timezone.now()
    proposal.offer_sha256 = hashlib.sha256(data).hexdigest()
    proposal.save(update_fields=["offer_built_at", "offer_sha256"])
    audit(
        "records.offer.built",
        actor=actor,
        obj=proposal,
        details={"records": len(records), "sha256": proposal.offer_sha256},
    )


def import_evaluation(proposal: DestructionProposal, data: bytes, actor: Any) -> dict[str, int]:
    """The archive's 0502: every offered record gets ``A`` or ``V``; the "A" records are handed over."""
    _require_role(actor)
    if proposal.status != DestructionProposal.Status.OFFERED or proposal.evaluation_imported_at:
        raise RecordsError("the proposal is not waiting for the archive's evaluation")
    decisions = xdomea.read_0502(data, proposal.pk)
    offered = list(proposal.items.filter(offered=True).select_related("retention_class"))
    missing = [i for i in offered if decisions.get(str(i.xdomea_id)) not in ("A", "V")]
    if missing:
        raise RecordsError(f"the evaluation does not decide {len(missing)} offered record(s)")
    with transaction.atomic():
        for item in offered:
            item.decision = decisions[str(item.xdomea_id)]
            item.save(update_fields=["decision"])
        proposal.evaluation_imported_at = timezone.now()
        proposal.save(update_fields=["evaluation_imported_at"])
        counts = Counter(i.decision for i in offered)
        audit("records.evaluation.imported", actor=actor, obj=proposal, details=dict(counts))
    archived = [i for i in offered if i.decision == "A" and i.state == ProposalItem.State.PENDING]
    if archived:
        _build_handover(proposal, archived, actor)
    return dict(counts)


def _build_handover(proposal: DestructionProposal, items: list[ProposalItem], actor: Any) -> None:
    """The 0503 message and the PDFs of the records marked "A", in one zip (stored until destruction)."""
    from jcportal.documents.models import Document

    mark = ArchiveSettings.current().file_plan_mark
    records: list[xdomea.HandedOverRecord] = []
    files: list[tuple[str, str]] = []  # (name in the zip, storage name)
    for item in items:
        if item.kind == ProposalItem.Kind.CASE_FILE:
            documents = Document.objects.filter(household_id=item.household_id or 0)
        else:
            documents = Document.objects.filter(pk__in=[item.document_id])
        handed = []
        for document in documents.exclude(pdf="").order_by("received_at"):
            file_name = f"{document.pk}_{document.receipt_number or 'dokument'}.pdf"
            handed.append(xdomea.HandedOverDocument(document.pk, file_name, _day(document.received_at)))  # type: ignore[arg-type]
            files.append((file_name, str(document.pdf.name)))
        begin, end = _period_of(item)
        records.append(
            xdomea.HandedOverRecord(item.xdomea_id, item.retention_class.name, mark, begin, end, handed)
        )
    message = xdomea.handover_0503(proposal.pk, *_parties(), records)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{proposal.pk}_Aussonderung.Aussonderung.0503.xml", message)
        for zip_name, stored in files:
            with storage.open(stored) as source, archive.open(zip_name, "w") as target:
                while chunk := source.read(storage.CHUNK):
                    target.write(chunk)
    data = buffer.getvalue()
    storage.delete(handover_name(proposal))
    storage.save(handover_name(proposal), data, household_id=None)
    proposal.handover_built_at = timezone.now()
    proposal.handover_sha256 = hashlib.sha256(data).hexdigest()
    proposal.save(update_fields=["handover_built_at", "handover_sha256"])
    audit(
        "records.handover.built",
        actor=actor,
        obj=proposal,
        details={"records": len(records), "files": len(files), "sha256": proposal.handover_sha256},
    )


def import_receipt(proposal: DestructionProposal, data: bytes, actor: Any) -> None:
    """The archive's 0504 closes the offer; then the proposal waits for the second approval."""
    _require_role(actor)
    if proposal.status != DestructionProposal.Status.OFFERED or not proposal.evaluation_imported_at:
        raise RecordsError("import the archive's evaluation (0502) first")
    xdomea.read_0504(data, proposal.pk)
    proposal.receipt_imported_at = timezone.now()
    proposal.status = DestructionProposal.Status.AWAITING_APPROVAL
    proposal.save(update_fields=["receipt_imported_at", "status"])
    audit("records.receipt.imported", actor=actor, obj=proposal)


# --- approval and destruction -----------------------------------------------------------------------


def can_approve(proposal: DestructionProposal, user: Any) -> bool:
    return bool(
        proposal.status == DestructionProposal.Status.AWAITING_APPROVAL
        and user is not None
        and policy.can_manage_records(user)
        and proposal.submitted_by_id is not None
        and user.pk != proposal.submitted_by_id
    )


def approve(proposal: DestructionProposal, actor: Any) -> int:
    """A second person with the records role approves; everything due and not held is destroyed.

    Returns the number of records destroyed."""
    user = _require_role(actor)
    if proposal.status != DestructionProposal.Status.AWAITING_APPROVAL:
        raise RecordsError("the proposal is not waiting for approval")
    if user.pk == proposal.submitted_by_id:
        raise RecordsError("the person who proposed the destruction cannot approve it")
    proposal.approved_by = user
    proposal.approved_at = timezone.now()
    proposal.status = DestructionProposal.Status.APPROVED
    proposal.save(update_fields=["approved_by", "approved_at", "status"])
    audit("records.proposal.approved", actor=actor, obj=proposal)
    return destroy_proposal(proposal)


def destroy_proposal(proposal: DestructionProposal) -> int:
    """Destroy every pending record of an approved proposal (resumable: call again after a crash)."""
    if proposal.status != DestructionProposal.Status.APPROVED:
        raise RecordsError("the proposal is not approved")
    refresh_holds(proposal)
    destroyed = 0
    for item in _live_items(proposal):
        destroy_item(item)
        destroyed += 1
    storage.delete(handover_name(proposal))  # the archive has it; it holds the records' files
    proposal.status = DestructionProposal.Status.DESTROYED
    proposal.destroyed_at = timezone.now()
    proposal.save(update_fields=["status", "destroyed_at"])
    return destroyed


def _document_objects(documents: Any) -> list[str]:
    from jcportal.documents.models import OriginalFile
    from jcportal.documents.storage_keys import DOCUMENT_FOLDERS

    names: set[str] = set()
    for document in documents:
        names.update(n for n in (document.pdf.name, document.thumbnail.name) if n)
        for folder in DOCUMENT_FOLDERS:
            with contextlib.suppress(FileNotFoundError, OSError):
                names.update(storage.iter_names(f"{folder}/{document.pk}"))
    names.update(
        n for n in OriginalFile.objects.filter(document__in=documents).values_list("file", flat=True) if n
    )
    return sorted(names)


def _household_objects(household_id: int, documents: Any) -> list[str]:
    from jcportal.accounts.models import AccessRequest
    from jcportal.eforms.models import Submission

    names = set(_document_objects(documents))
    names.update(
        n
        for n in Submission.objects.filter(household_id=household_id).values_list("export_path", flat=True)
        if n
    )
    names.update(
        n
        for n in AccessRequest.objects.filter(household_id=household_id).values_list("id_document", flat=True)
        if n
    )
    return sorted(names)


def _delete_objects(item: ProposalItem, names: list[str]) -> int:
    item.pending_objects = names
    item.save(update_fields=["pending_objects"])
    for name in names:
        storage.delete(name)
    return len(names)


def _delete_household_rows(household_id: int) -> int:
    from jcportal.accounts.models import AccessRequest, Role, User
    from jcportal.documents.models import Document, ServiceRating
    from jcportal.eforms.models import Submission
    from jcportal.events.models import Event
    from jcportal.households.models import Household

    documents = Document.objects.filter(household_id=household_id)
    document_ids = [str(pk) for pk in documents.values_list("pk", flat=True)]
    rows = 0
    rows += Submission.objects.filter(household_id=household_id).delete()[0]
    rows += ServiceRating.objects.filter(Q(household_id=household_id) | Q(document__in=documents)).delete()[0]
    rows += AccessRequest.objects.filter(household_id=household_id).delete()[0]
    rows += Event.objects.filter(Q(household_id=household_id) | Q(subject__in=document_ids)).delete()[0]
    rows += documents.delete()[0]
    citizens = User.objects.filter(person__household_id=household_id)
    only_here = (
        User.objects.filter(role=Role.REPRESENTATIVE, representations__household_id=household_id)
        .exclude(representations__in=_other_representations(household_id))
        .distinct()
    )
    rows += User.objects.filter(
        Q(pk__in=citizens) | Q(pk__in=list(only_here.values_list("pk", flat=True)))
    ).delete()[0]
    rows += Household.objects.filter(pk=household_id).delete()[0]
    return rows


def _other_representations(household_id: int) -> Any:
    from jcportal.accounts.models import Representation

    return Representation.objects.exclude(household_id=household_id)


def destroy_item(item: ProposalItem) -> None:
    """Destroy one record completely and write its deletion record (see the module docstring)."""
    from jcportal.documents.models import Document

    proposal = item.proposal
    key_ids: list[str] = []
    if item.kind == ProposalItem.Kind.CASE_FILE and item.household_id is not None:
        documents = Document.objects.filter(household_id=item.household_id)
        objects = _delete_objects(item, _household_objects(item.household_id, documents))
        with transaction.atomic():
            rows = _delete_household_rows(item.household_id)
        key_ids = crypto.destroy_household_key(item.household_id)
    elif item.kind == ProposalItem.Kind.SUBMISSION:
        from jcportal.eforms.models import Submission

        submissions = Submission.objects.filter(pk__in=[item.submission_id])
        copies = Document.objects.filter(
            pk__in=submissions.exclude(document=None).values_list("document", flat=True)
        )
        names = _document_objects(copies) + [
            n for n in submissions.values_list("export_path", flat=True) if n
        ]
        objects = _delete_objects(item, names)
        with transaction.atomic():
            copy_ids = list(copies.values_list("pk", flat=True))
            rows = submissions.delete()[0] + Document.objects.filter(pk__in=copy_ids).delete()[0]
    else:
        documents = Document.objects.filter(pk__in=[item.document_id])
        objects = _delete_objects(item, _document_objects(documents))
        with transaction.atomic():
            rows = documents.delete()[0]
    with transaction.atomic():
        item.state = ProposalItem.State.DESTROYED
        item.destroyed_at = timezone.now()
        item.destroyed_objects = objects
        item.destroyed_rows = rows
        item.destroyed_key_ids = key_ids
        item.pending_objects = []
        item.household_id = None
        item.document_id = None
        item.submission_id = None
        item.save()
        audit(
            "records.destroyed",
            obj=proposal,
            details={
                "record": item.subject_hash,
                "kind": item.kind,
                "retention_class": item.retention_class.code,
                "start_event": item.start_event,
                "start_date": item.start_date,
                "due_on": item.due_on,
                "proposed_by": proposal.submitted_by.get_username() if proposal.submitted_by else "",
                "approved_by": proposal.approved_by.get_username() if proposal.approved_by else "",
                "archive_decision": item.decision or "not offered",
                "destroyed_key_ids": key_ids,
                "objects": objects,
                "rows": rows,
            },
        )


# --- the start event "household left benefits" -------------------------------------------------------


def record_benefits_ended(actor: Any, household: Any, on: dt.date | None) -> None:
    """The household's benefits ended on ``on`` (the case file's retention counts from then); ``None``:
    benefits again, nothing of the household is due on that ground."""
    _require_role(actor)
    household.benefits_ended_on = on
    household.active = on is None
    household.save(update_fields=["benefits_ended_on", "active"])
    audit("household.benefits_ended", actor=actor, obj=household, household=household, details={"on": on})


# --- legal holds ------------------------------------------------------------------------------------


def place_hold(
    actor: Any,
    *,
    reason: str,
    review_on: dt.date,
    note: str = "",
    household: Any = None,
    document: Any = None,
) -> LegalHold:
    user = _require_role(actor)
    hold = LegalHold.objects.create(
        household=household, document=document, reason=reason, note=note, review_on=review_on, placed_by=user
    )
    household_id = household.pk if household is not None else getattr(document, "household_id", None)
    audit(
        "records.hold.placed",
        actor=actor,
        obj=hold,
        household=household_id,
        details={"reason": reason, "review_on": review_on},
    )
    return hold


def release_hold(hold: LegalHold, actor: Any, note: str = "") -> None:
    user = _require_role(actor)
    hold.released_at = timezone.now()
    hold.released_by = user
    hold.release_note = note[:500]
    hold.save(update_fields=["released_at", "released_by", "release_note"])
    household_id = hold.household_id or (hold.document.household_id if hold.document_id else None)
    audit("records.hold.released", actor=actor, obj=hold, household=household_id)


# --- the daily job ----------------------------------------------------------------------------------


def daily(as_of: dt.date | None = None) -> DestructionProposal | None:
    """Resume interrupted destructions, build the day's proposal, seal the audit log's last month and
    prune the sealed months whose retention (the ``audit_log`` class) is over."""
    from jcportal.audit.models import AuditEpoch
    from jcportal.audit.services import prune_epochs, seal_due_epochs

    as_of = as_of or timezone.localdate()
    for interrupted in DestructionProposal.objects.filter(status=DestructionProposal.Status.APPROVED):
        destroy_proposal(interrupted)  # an approved destruction that stopped half-way resumes
    proposal = build_proposal(as_of)
    seal_due_epochs()
    log_class = RetentionClass.objects.filter(scope=Scope.AUDIT_LOG, active=True).first()
    if log_class is not None:
        keep_from = ""
        for epoch in AuditEpoch.objects.filter(pruned_at__isnull=True).order_by("first_sequence"):
            year, month = (int(p) for p in epoch.period.split("-"))
            last_day = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
            if add_period(last_day, log_class) > as_of:
                keep_from = epoch.period
                break
            keep_from = f"{last_day + dt.timedelta(days=1):%Y-%m}"
        if keep_from:
            prune_epochs(keep_from)
    return proposal
