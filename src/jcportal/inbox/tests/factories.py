import factory
from django.utils import timezone

from jcportal.documents.models import Document
from jcportal.households.tests.factories import HouseholdFactory
from jcportal.inbox.models import InboxItem, RoutingRule


class DocumentFactory(factory.django.DjangoModelFactory):
    """A delivered document as the intake pipeline leaves it (without files unless ``pdf`` is given)."""

    class Meta:
        model = Document

    household = factory.SubFactory(HouseholdFactory)
    doc_type = "kontoauszug"
    title = factory.Sequence(lambda n: f"Dokument {n}")
    channel = Document.Channel.PORTAL
    status = Document.Status.DELIVERED
    receipt_number = factory.Sequence(lambda n: f"E-TEST-{n:08d}")
    received_at = factory.LazyFunction(timezone.now)
    delivered_at = factory.LazyFunction(timezone.now)
    page_count = 1


class InboxItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InboxItem

    document = factory.SubFactory(DocumentFactory)
    household = factory.LazyAttribute(lambda o: o.document.household)
    doc_type = factory.LazyAttribute(lambda o: o.document.doc_type)
    received_at = factory.LazyAttribute(lambda o: o.document.received_at)


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    name = factory.Sequence(lambda n: f"Regel {n}")
    kind = RoutingRule.Kind.RESPONSIBLE_BY_SURNAME
