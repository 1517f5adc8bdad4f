import factory

from jcportal.events import signing
from jcportal.events.models import Event, Subscription


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    name = factory.Sequence(lambda n: f"DMS {n}")
    url = "http://127.0.0.1:9/hook"
    secret = factory.LazyFunction(signing.new_secret)
    event_types: list[str] = []
    active = True


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    type = "de.jcportal.document.received"
    subject = factory.Sequence(lambda n: f"subject-{n}")
    time = factory.LazyFunction(__import__("django.utils.timezone", fromlist=["now"]).now)
    dataref = factory.LazyAttribute(lambda o: f"/api/v1/documents/{o.subject}/")
