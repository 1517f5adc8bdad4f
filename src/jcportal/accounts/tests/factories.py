import factory

from jcportal.accounts.models import Role, User
from jcportal.households.tests.factories import PersonFactory, TeamFactory

PASSWORD = "Sicheres-Passwort-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    role = Role.CITIZEN

    @factory.post_generation
    def password(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class CitizenFactory(UserFactory):
    role = Role.CITIZEN
    person = factory.SubFactory(PersonFactory)


class StaffFactory(UserFactory):
    role = Role.CASEWORKER
    team = factory.SubFactory(TeamFactory)


class RepresentativeFactory(UserFactory):
    role = Role.REPRESENTATIVE
