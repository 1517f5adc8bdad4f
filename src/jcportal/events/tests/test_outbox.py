"""The outbox: an event is written with the change (and vanishes with its rollback), gets a growing
position after the commit, and is the same CloudEvent everywhere."""

from __future__ import annotations

import io
import uuid

import pytest
from django.db import transaction

from jcportal.documents.services import accept_upload
from jcportal.events import services
from jcportal.events.models import Event
from jcportal.households.tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def upload(household):  # type: ignore[no-untyped-def]
    return accept_upload(
        household=household,
        uploaded_by=None,
        doc_type="sonstiges",
        title="Kontoauszug",
        files=[("auszug.pdf", io.BytesIO(b"%PDF-1.4 test"))],
    )


def test_an_upload_writes_a_received_event_in_its_transaction(settings, django_capture_on_commit_callbacks):
    household = HouseholdFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = upload(household)
    event = Event.objects.get(type="de.jcportal.document.received", subject=str(document.pk))
    assert event.household == household and event.position is None
    assert event.data == {
        "receipt_number": document.receipt_number,
        "direction": "inbound",
        "bg_number": household.bg_number,
    }
    assert callbacks  # the dispatcher starts only after the commit
    body = services.cloudevent(event)
    assert body["specversion"] == "1.0" and uuid.UUID(body["id"]) == event.event_id
    assert body["type"] == "de.jcportal.document.received" and body["subject"] == str(document.pk)
    assert body["dataref"] == f"{settings.SITE_URL}/api/v1/documents/{document.pk}/"
    assert body["datacontenttype"] == "application/json" and body["time"].endswith("Z")
    assert body["source"] == settings.SITE_URL


def test_a_rolled_back_change_leaves_no_event():
    household = HouseholdFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        upload(household)
        raise RuntimeError("the surrounding work failed")
    assert not Event.objects.exists()


def test_positions_grow_in_the_order_events_are_sequenced():
    household = HouseholdFactory()
    first = services.emit("de.jcportal.household.upserted", household.pk, household=household)
    second = services.emit("de.jcportal.household.upserted", household.pk, household=household)
    sequenced = services.sequence_pending()
    assert [e.pk for e in sequenced] == [first.pk, second.pk]
    first.refresh_from_db()
    second.refresh_from_db()
    assert 0 < first.position < second.position
    assert services.sequence_pending() == []  # idempotent
    third = services.emit("de.jcportal.household.upserted", household.pk, household=household)
    services.sequence_pending()
    third.refresh_from_db()
    assert third.position == second.position + 1
    assert services.cloudevent(third)["sequence"] == str(third.position)
