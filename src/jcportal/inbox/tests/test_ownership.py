"""The inbox alone writes items and events; each state change leaves its event; the repair migration
fills the columns the pipeline once left empty."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from jcportal.documents import delivery
from jcportal.documents.models import Document
from jcportal.households.tests.factories import TeamFactory
from jcportal.inbox import services
from jcportal.inbox.models import InboxEvent, InboxItem

from .factories import DocumentFactory

pytestmark = pytest.mark.django_db


def test_the_inbox_is_the_registered_delivery_target_and_documents_do_not_import_it():
    from pathlib import Path

    import jcportal.documents.pipeline as pipeline_module

    assert "inbox" in delivery.targets
    # No module of the documents app (the pipeline, corrections, services …) imports the inbox: the
    # inbox depends on documents, never the other way round.
    package = Path(pipeline_module.__file__).parent
    importers = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "tests" not in path.parts
        and (
            "jcportal.inbox" in (text := path.read_text(encoding="utf-8"))
            or "from jcportal import inbox" in text
        )
    ]
    assert importers == []


def test_a_clearing_hand_over_has_its_event_and_filled_columns_and_is_not_routing(household, caseworker):
    clearing = TeamFactory(is_clearing=True, service_office=household.service_office)
    document = DocumentFactory(household=household, doc_type="kontoauszug")
    delivery.hand_to_clearing(document, code="intake_failed", detail="normalise: MemoryError")
    delivery.hand_to_clearing(document, code="intake_failed", detail="again")  # idempotent while open
    item = InboxItem.objects.get(document=document)
    assert item.team == clearing and item.assignee is None
    assert (item.household_id, item.doc_type, item.received_at) == (
        household.pk,
        "kontoauszug",
        document.received_at,
    )
    assert "MemoryError" in item.reason
    assert InboxEvent.objects.filter(item=item, action=InboxEvent.Action.CLEARING).count() == 1
    routed = services.route_document(document)  # after a retry: the caseworker still gets it
    assert [i.assignee for i in routed] == [caseworker]


def test_closing_and_reopening_from_another_workflow_leaves_events(household, caseworker):
    document = DocumentFactory(household=household, doc_type="kontoauszug")
    (item,) = services.route_document(document)
    assert services.close_items_of(document.pk, caseworker) == 1
    item.refresh_from_db()
    assert item.state == InboxItem.State.DONE
    assert services.reopen_items_of(document.pk, None) == 1
    item.refresh_from_db()
    assert item.state == InboxItem.State.OPEN
    actions = list(InboxEvent.objects.filter(item=item).values_list("action", flat=True))
    assert actions == ["routed", "processed", "reopened"]


def test_staff_opening_and_finishing_goes_through_the_documents_lifecycle(household, caseworker):
    document = DocumentFactory(household=household, doc_type="kontoauszug", status=Document.Status.DELIVERED)
    (item,) = services.route_document(document)
    services.mark_read(item, caseworker)
    document.refresh_from_db()
    assert document.status == Document.Status.OPENED and document.opened_at
    services.mark_processed(item, caseworker)
    document.refresh_from_db()
    assert document.status == Document.Status.PROCESSED and document.processed_at


def test_the_migration_repairs_items_with_empty_columns(household):
    document = DocumentFactory(household=household, doc_type="mietvertrag")
    broken = InboxItem.objects.create(document=document, team=TeamFactory(), reason="old pipeline item")
    assert broken.household_id is None and broken.doc_type == "" and broken.received_at is None
    migration = importlib.import_module("jcportal.inbox.migrations.0006_clearing_event_and_repair_columns")
    migration.repair_columns(apps, None)
    broken.refresh_from_db()
    assert (broken.household_id, broken.doc_type, broken.received_at) == (
        household.pk,
        "mietvertrag",
        document.received_at,
    )
