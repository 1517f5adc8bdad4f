"""What the API says and accepts about households, members and responsibilities."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from jcportal.households.models import Household, Person, normalise_bg_number

from .serializers import CursorPageSerializer

MAX_BULK = 1000


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MemberSerializer(serializers.ModelSerializer):
    fachverfahren_id = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "fachverfahren_id",
            "first_name",
            "last_name",
            "birth_name",
            "date_of_birth",
            "relation",
            "is_head",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_fachverfahren_id(self, person: Person) -> str | None:
        reference = getattr(person, "fachverfahren_reference", None)
        return reference.external_id if reference is not None else None


class ResponsibilitiesSerializer(serializers.Serializer):
    office = RefSerializer(allow_null=True, help_text="The service office (Standort).")
    team = RefSerializer(allow_null=True)
    caseworker = serializers.CharField(allow_null=True, help_text="Username of the caseworker.")
    integration_specialist = serializers.CharField(
        allow_null=True, help_text="Username of the integration specialist."
    )


class HouseholdSerializer(serializers.ModelSerializer):
    members = MemberSerializer(many=True, read_only=True)
    responsibilities = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = [
            "bg_number",
            "street",
            "postcode",
            "city",
            "active",
            "approval_until",
            "responsibilities",
            "members",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(ResponsibilitiesSerializer)
    def get_responsibilities(self, household: Household) -> dict[str, Any]:
        office, team = household.service_office, household.responsible_team
        caseworker = household.responsible_caseworker
        specialist = household.responsible_integration_specialist
        return {
            "office": {"id": office.pk, "name": office.name} if office else None,
            "team": {"id": team.pk, "name": team.name} if team else None,
            "caseworker": caseworker.username if caseworker else None,
            "integration_specialist": specialist.username if specialist else None,
        }

    @extend_schema_field(serializers.URLField())
    def get_url(self, household: Household) -> str:
        return reverse(
            "api:household-detail", args=[household.bg_number], request=self.context.get("request")
        )


class HouseholdPageSerializer(CursorPageSerializer):
    results = HouseholdSerializer(many=True)


# --- writing --------------------------------------------------------------------------------------------


class MemberWriteSerializer(serializers.Serializer):
    fachverfahren_id = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="The Fachverfahren's person id; without it the member is matched by name and birth date.",
    )
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    birth_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    date_of_birth = serializers.DateField()
    relation = serializers.ChoiceField(choices=Person.Relation.choices, required=False)
    is_head = serializers.BooleanField(
        required=False, help_text="Representative of the household (default: relation is head)."
    )


class ResponsibilitiesWriteSerializer(serializers.Serializer):
    office = serializers.IntegerField(allow_null=True, required=False, help_text="Service office id.")
    team = serializers.IntegerField(allow_null=True, required=False, help_text="Team id.")
    caseworker = serializers.CharField(
        allow_null=True, allow_blank=True, required=False, max_length=150, help_text="Username."
    )
    integration_specialist = serializers.CharField(
        allow_null=True, allow_blank=True, required=False, max_length=150, help_text="Username."
    )


class HouseholdWriteSerializer(serializers.Serializer):
    """A household as the Fachverfahren sends it. Fields left out stay as they are; ``members``, when
    given, is the complete list."""

    street = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postcode = serializers.RegexField(r"^\d{5}$", required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False, help_text="Receives benefits.")
    approval_until = serializers.DateField(required=False, allow_null=True)
    responsibilities = ResponsibilitiesWriteSerializer(required=False)
    members = MemberWriteSerializer(many=True, required=False, max_length=30)


class BulkHouseholdSerializer(HouseholdWriteSerializer):
    bg_number = serializers.CharField(max_length=20)

    def validate_bg_number(self, value: str) -> str:
        value = normalise_bg_number(value)
        if not value:
            raise serializers.ValidationError("empty")
        return value


class BulkRequestSerializer(serializers.Serializer):
    households = BulkHouseholdSerializer(many=True, max_length=MAX_BULK, allow_empty=False)


class UpsertResultSerializer(serializers.Serializer):
    bg_number = serializers.CharField()
    created = serializers.BooleanField()
    changed = serializers.BooleanField(help_text="False when the stored household already matched.")
    changes = serializers.ListField(child=serializers.CharField())
    error = serializers.CharField(
        allow_null=True, help_text="not_found, outside_territory or invalid (bulk only)."
    )
    detail = serializers.CharField(allow_null=True)


class HouseholdUpsertResponseSerializer(UpsertResultSerializer):
    household = HouseholdSerializer()


class BulkResponseSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = UpsertResultSerializer(many=True)
