import datetime as dt

import factory
from django.utils import timezone

from jcportal.docrequests.models import DocumentRequest, DocumentRequestItem
from jcportal.households.tests.factories import HouseholdFactory


class DocumentRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentRequest

    household = factory.SubFactory(HouseholdFactory)
    explanation = "Bitte reichen Sie die Unterlagen ein."
    deadline = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))


class DocumentRequestItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentRequestItem

    request = factory.SubFactory(DocumentRequestFactory)
    position = factory.Sequence(lambda n: n + 1)
    doc_type = "kontoauszug"
