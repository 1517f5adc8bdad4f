import datetime as dt

import factory

from jcportal.households.models import Household, Jobcenter, Person, ServiceOffice, Team


class JobcenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jobcenter

    name = factory.Sequence(lambda n: f"Jobcenter {n}")


class ServiceOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceOffice

    jobcenter = factory.SubFactory(JobcenterFactory)
    name = factory.Sequence(lambda n: f"Standort {n}")
    postcode = factory.Sequence(lambda n: f"{10000 + n:05d}")
    city = "Teststadt"
    postcodes = factory.LazyAttribute(lambda o: o.postcode)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    service_office = factory.SubFactory(ServiceOfficeFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    function = Team.Function.BENEFITS


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    bg_number = factory.Sequence(lambda n: f"99999BG{n:07d}")
    responsible_team = factory.SubFactory(TeamFactory)
    service_office = factory.LazyAttribute(lambda o: o.responsible_team.service_office)
    street = "Teststraße 1"
    postcode = factory.LazyAttribute(lambda o: o.service_office.postcode)
    city = "Teststadt"
    iban = "DE89370400440532013000"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    household = factory.SubFactory(HouseholdFactory)
    first_name = factory.Sequence(lambda n: f"Vorname{n}")
    last_name = factory.Sequence(lambda n: f"Nachname{n}")
    date_of_birth = dt.date(1985, 5, 17)
    relation = Person.Relation.HEAD
    is_head = True
