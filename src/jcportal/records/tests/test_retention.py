"""Retention end to end: the clock moves ten years on, the plan shows what is due, a hold stops a case
file, the proposal goes to the state archive (0501 → 0502 → 0503 → 0504), the proposer cannot approve,
a second person can, and afterwards nothing of the household is left anywhere."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import zipfile
from collections.abc import Iterator
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from jcportal.accounts.actor import Actor
from jcportal.accounts.models import User
from jcportal.accounts.tests.factories import CitizenFactory, StaffFactory
from jcportal.audit.models import AuditEvent
from jcportal.audit.services import audit, verify_chain
from jcportal.casework.search import matching_documents
from jcportal.core import crypto, storage, xdomea
from jcportal.core.models import DataKey
from jcportal.documents import services as documents
from jcportal.documents.models import Document, OriginalFile
from jcportal.documents.tests import samples
from jcportal.households.models import Household, Person
from jcportal.households.tests.factories import HouseholdFactory
from jcportal.records import services
from jcportal.records.models import DestructionProposal, LegalHold, ProposalItem, RetentionClass

pytestmark = pytest.mark.django_db

WORD = "Zebrafinkquittung"


@pytest.fixture(autouse=True)
def _fresh_key_cache():  # type: ignore[no-untyped-def]
    """Household ids repeat between tests (rolled back): no data key cached from an earlier test."""
    crypto.forget_cached_keys()
    yield
    crypto.forget_cached_keys()


@contextlib.contextmanager
def clock(day: dt.date) -> Iterator[None]:
    """Move the clock: ``timezone.now()`` is noon of ``day`` (Django's own ``now``, used everywhere)."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def records_staff(**kwargs):  # type: ignore[no-untyped-def]
    user = StaffFactory(**kwargs)
    user.groups.add(Group.objects.get(name__startswith="Records management"))
    return User.objects.get(pk=user.pk)  # fresh permission cache


def left_benefits(household: Household, on: dt.date) -> None:
    household.active = False
    household.benefits_ended_on = on
    household.save(update_fields=["active", "benefits_ended_on"])


@pytest.fixture
def case_file(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """A household with a citizen account, a delivered photo upload (PDF, thumbnail, original) and a
    word in its OCR text; benefits ended on 31 January 2026."""
    household = HouseholdFactory()
    citizen = CitizenFactory(person__household=household)
    with django_capture_on_commit_callbacks(execute=True):
        document = documents.accept_upload(
            household=household,
            uploaded_by=citizen,
            doc_type="mietvertrag",
            title="Mietvertrag",
            files=[("seite1.jpg", io.BytesIO(samples.jpeg("red")))],
        )
    document.refresh_from_db()
    document.ocr_text = f"Mietvertrag {WORD} Musterstraße"
    document.save(update_fields=["ocr_text"])
    left_benefits(household, dt.date(2026, 1, 31))
    return household, citizen, Document.objects.get(pk=document.pk)


def stored_names() -> set[str]:
    return set(storage.iter_names(""))


def test_plan_counts_what_is_due_and_changes_nothing(case_file, capsys):
    household, _citizen, _document = case_file
    # 10 years from the end of 2026: due on 31 December 2036
    assert services.plan(dt.date(2036, 12, 30)) == []
    lines = services.plan(dt.date(2036, 12, 31))
    assert [(line.retention_class, line.due, line.held) for line in lines] == [("leistungsakte", 1, 0)]
    assert lines[0].office == household.service_office.name

    call_command("retention", "plan", "--as-of", "2037-01-02")
    out = capsys.readouterr().out
    assert "leistungsakte" in out and "1 due" in out
    assert household.bg_number not in out and WORD not in out
    assert not DestructionProposal.objects.exists()
    assert Household.objects.filter(pk=household.pk).exists()


def test_working_copy_of_a_filed_document_expires_after_90_days(case_file):
    household, _citizen, document = case_file
    household.active = True
    household.benefits_ended_on = None
    household.save()
    documents.acknowledge_filed(
        document, dms_reference="DMS-1", filed_at=timezone.make_aware(dt.datetime(2030, 3, 1))
    )
    assert services.plan(dt.date(2030, 5, 29)) == []
    lines = services.plan(dt.date(2030, 5, 30))
    assert [(line.retention_class, line.due) for line in lines] == [("arbeitskopie-portal", 1)]


def test_ten_years_later_the_archive_gets_its_offer_and_the_second_person_destroys(case_file):
    household, citizen, document = case_file
    held_household = HouseholdFactory()
    left_benefits(held_household, dt.date(2026, 1, 31))
    proposer, approver = records_staff(), records_staff()
    caseworker = StaffFactory()
    hid, document_id, bg_number = household.pk, document.pk, household.bg_number
    person_ids = list(Person.objects.filter(household=household).values_list("pk", flat=True))
    objects_before = {n for n in stored_names() if str(document_id) in n}
    original_names = list(OriginalFile.objects.filter(document=document).values_list("file", flat=True))
    assert document.pdf and document.thumbnail and original_names and objects_before
    assert matching_documents(Document.objects.all(), WORD).count() == 1

    with clock(dt.date(2037, 1, 4)):
        services.place_hold(
            Actor.for_user(proposer),
            household=held_household,
            reason=LegalHold.Reason.KLAGE,
            review_on=dt.date(2037, 6, 30),
            note="Klage beim Sozialgericht",
        )
        services.daily()  # the beat job builds the proposal of the day
        proposal = DestructionProposal.objects.get()
        states = dict(proposal.items.values_list("household_id", "state"))
        assert states == {hid: ProposalItem.State.PENDING, held_household.pk: ProposalItem.State.HELD}

        with pytest.raises(services.RecordsError):
            services.submit(proposal, Actor.for_user(caseworker))  # no records role
        services.submit(proposal, Actor.for_user(proposer))
        proposal.refresh_from_db()
        assert proposal.status == DestructionProposal.Status.OFFERED

        offer = storage.read_bytes(services.offer_name(proposal))
        assert xdomea.errors(offer) == []
        assert b"Anbieteverzeichnis.0501" in offer
        assert bg_number.encode() not in offer and WORD.encode() not in offer
        item = proposal.items.get(household_id=hid)
        assert str(item.xdomea_id).encode() in offer
        assert str(proposal.items.get(household_id=held_household.pk).xdomea_id).encode() not in offer

        evaluation = archive_answer("0502", proposal, decisions={item.xdomea_id: "A"})
        services.import_evaluation(proposal, evaluation, Actor.for_user(proposer))
        handover = storage.read_bytes(services.handover_name(proposal))
        with zipfile.ZipFile(io.BytesIO(handover)) as archive:
            names = archive.namelist()
            message = archive.read(next(n for n in names if n.endswith(".0503.xml")))
            pdfs = [n for n in names if n.endswith(".pdf")]
            assert xdomea.errors(message) == []
            assert len(pdfs) == 1 and archive.read(pdfs[0]).startswith(b"%PDF")
            assert pdfs[0].encode() in message

        with pytest.raises(services.RecordsError):
            services.approve(proposal, Actor.for_user(approver))  # the offer is still open
        services.import_receipt(proposal, archive_answer("0504", proposal), Actor.for_user(proposer))
        proposal.refresh_from_db()
        assert proposal.status == DestructionProposal.Status.AWAITING_APPROVAL

        with pytest.raises(services.RecordsError, match="cannot approve"):
            services.approve(proposal, Actor.for_user(proposer))
        assert services.approve(proposal, Actor.for_user(approver)) == 1

    proposal.refresh_from_db()
    assert proposal.status == DestructionProposal.Status.DESTROYED
    # database: the household, its people, the citizen's account, the document and its files' rows
    assert not Household.objects.filter(pk=hid).exists()
    assert not Person.objects.filter(pk__in=person_ids).exists()
    assert not User.objects.filter(pk=citizen.pk).exists()
    assert not Document.objects.filter(pk=document_id).exists()
    assert not OriginalFile.objects.filter(document_id=document_id).exists()
    # storage: originals, PDF, thumbnail, work files and the handover zip are gone
    remaining = stored_names()
    assert not {n for n in remaining if str(document_id) in n}
    assert not set(original_names) & remaining
    assert not storage.exists(services.handover_name(proposal))
    # search: no row of the full-text index finds the word
    assert matching_documents(Document.objects.all(), WORD).count() == 0
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM casework_document_fts WHERE casework_document_fts MATCH %s", [WORD]
            )
            assert cursor.fetchone()[0] == 0
    # no file anywhere in the storage folder holds the word or the BG number
    root = storage.storage().location
    for folder, _dirs, files in os.walk(root):
        for name in files:
            with open(os.path.join(folder, name), "rb") as handle:
                data = handle.read()
            assert WORD.encode() not in data and bg_number.encode() not in data
    # crypto-shredding: the household's data keys are destroyed
    keys = DataKey.objects.filter(household_id=hid)
    assert keys.exists() and not keys.filter(destroyed_at__isnull=True).exists()
    # the held household is untouched
    assert Household.objects.filter(pk=held_household.pk).exists()
    assert proposal.items.get(state=ProposalItem.State.HELD)
    # the deletion record: in the chain, without personal data
    record = AuditEvent.objects.get(action="records.destroyed")
    text = str(record.details)
    assert record.household_id is None
    assert bg_number not in text and WORD not in text
    assert record.details["record"] == services.subject_hash("case_file", hid)
    assert record.details["archive_decision"] == "A"
    assert record.details["approved_by"] == approver.username
    assert record.details["proposed_by"] == proposer.username
    assert record.details["destroyed_key_ids"] == [str(k) for k in keys.values_list("pk", flat=True)]
    assert list(verify_chain()) == []


def test_a_hold_placed_after_the_proposal_still_stops_destruction(case_file):
    household, _citizen, document = case_file
    proposer, approver = records_staff(), records_staff()
    # a class that is not offered to the archive goes straight to the second approval
    RetentionClass.objects.filter(code="leistungsakte").update(offer_to_archive=False)
    with clock(dt.date(2037, 1, 4)):
        proposal = services.build_proposal()
        assert proposal is not None
        services.submit(proposal, Actor.for_user(proposer))
        services.place_hold(
            Actor.for_user(proposer),
            document=document,
            reason=LegalHold.Reason.WIDERSPRUCH,
            review_on=dt.date(2037, 3, 1),
        )
        assert services.approve(proposal, Actor.for_user(approver)) == 0
    assert Household.objects.filter(pk=household.pk).exists()
    assert Document.objects.filter(pk=document.pk).exists()
    assert list(verify_chain()) == []


def archive_answer(number: str, proposal: DestructionProposal, decisions: dict | None = None) -> bytes:
    """The archive's message: the official example with our ProzessID (and our records' ids)."""
    names = {
        "0502": "xx_Aussonderung.Bewertungsverzeichnis.0502.xml",
        "0504": "xx_Aussonderung.AnbietungEmpfangBestaetigen.0504.xml",
    }
    text = (xdomea.EXAMPLES / names[number]).read_text(encoding="utf-8")
    start = text.index("<xdomea:ProzessID>") + len("<xdomea:ProzessID>")
    end = text.index("</xdomea:ProzessID>")
    text = text[:start] + str(proposal.pk) + text[end:]
    if decisions:
        head, _sep, _rest = text.partition("<xdomea:BewertetesObjekt>")
        objects = "".join(
            f"<xdomea:BewertetesObjekt><xdomea:ID>{record_id}</xdomea:ID><xdomea:Aussonderungsart>"
            f"<xdomea:Aussonderungsart><code>{code}</code></xdomea:Aussonderungsart>"
            f"</xdomea:Aussonderungsart></xdomea:BewertetesObjekt>"
            for record_id, code in decisions.items()
        )
        text = head + objects + "</xdomea:Aussonderung.Bewertungsverzeichnis.0502>"
    data = text.encode()
    assert xdomea.errors(data) == []
    return data


def test_the_daily_job_prunes_audit_months_past_their_retention_and_the_chain_verifies():
    for day in (dt.date(2030, 1, 15), dt.date(2030, 2, 15), dt.date(2031, 6, 1)):
        with clock(day):
            audit("household.viewed", details={"day": day})
    with clock(dt.date(2033, 1, 2)):  # 2 years after the end of 2030
        services.daily()
    assert not AuditEvent.objects.filter(at__year=2030).exists()
    assert AuditEvent.objects.filter(at__year=2031).exists()
    assert AuditEvent.objects.filter(action="audit.epochs_pruned").exists()
    assert list(verify_chain()) == []


def test_a_finished_contact_request_is_destroyed_after_two_years_without_its_case_file(case_file):
    from jcportal.eforms.models import Submission

    household, _citizen, document = case_file
    household.active, household.benefits_ended_on = True, None
    household.save()
    sent = timezone.make_aware(dt.datetime(2027, 3, 1, 10))
    done = Submission.objects.create(
        form_slug="kontakt",
        form_version=1,
        status=Submission.Status.DONE,
        household=household,
        submitted_at=sent,
        reference="V-2027-000001",
        data={"message": f"Bitte um Rückruf {WORD}"},
        document=document,
    )
    open_one = Submission.objects.create(
        form_slug="kontakt",
        form_version=1,
        status=Submission.Status.SUBMITTED,
        household=household,
        submitted_at=sent,
    )
    # two years from the end of 2027
    assert services.plan(dt.date(2029, 12, 30)) == []
    assert [(line.retention_class, line.due) for line in services.plan(dt.date(2029, 12, 31))] == [
        ("kontaktanliegen", 1)
    ]
    proposer, approver = records_staff(), records_staff()
    with clock(dt.date(2030, 1, 2)):
        proposal = services.build_proposal()
        assert proposal is not None and proposal.items.get().kind == ProposalItem.Kind.SUBMISSION
        services.submit(proposal, Actor.for_user(proposer))  # not offered to the archive
        assert services.approve(proposal, Actor.for_user(approver)) == 1
    assert not Submission.objects.filter(pk=done.pk).exists()
    assert not Document.objects.filter(pk=document.pk).exists()  # its PDF copy
    assert not {n for n in stored_names() if str(document.pk) in n}
    assert Submission.objects.filter(pk=open_one.pk).exists()  # not finished: kept
    assert Household.objects.filter(pk=household.pk).exists()
    assert AuditEvent.objects.get(action="records.destroyed").details["kind"] == "submission"
    assert list(verify_chain()) == []


def test_a_document_type_kept_shorter_than_the_case_file_goes_on_its_own(case_file):
    household, _citizen, document = case_file
    household.active, household.benefits_ended_on = True, None
    household.save()
    RetentionClass.objects.filter(code="au-bescheinigungen").update(
        duration_years=1, start_event="received", from_year_end=False
    )
    Document.objects.filter(pk=document.pk).update(
        doc_type="au_bescheinigung", received_at=timezone.make_aware(dt.datetime(2030, 5, 1, 9))
    )
    assert services.plan(dt.date(2031, 4, 30)) == []
    assert [(line.retention_class, line.due) for line in services.plan(dt.date(2031, 5, 1))] == [
        ("au-bescheinigungen", 1)
    ]
    # the case file class ("left benefits") still keeps the household
    assert [r.kind for r in services.due_records(dt.date(2031, 5, 1))] == [ProposalItem.Kind.DOCUMENT]
