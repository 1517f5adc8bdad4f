"""Webhook subscriptions an API client manages for itself (webhooks:manage)."""

from __future__ import annotations

from rest_framework import serializers

from jcportal.events.catalogue import event_types
from jcportal.events.models import Subscription


class WebhookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subscription
        fields = ["id", "name", "url", "event_types", "active", "created_at", "updated_at"]
        read_only_fields = fields


class WebhookWithSecretSerializer(WebhookSerializer):
    secret = serializers.CharField(
        help_text="The HMAC-SHA256 key for the signature. Shown only now (on creation and rotation)."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    url = serializers.URLField(max_length=500, help_text="https:// address that receives the events.")
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=event_types.identifiers()),
        required=False,
        max_length=50,
        help_text="CloudEvents types, e.g. de.jcportal.document.delivered. Empty: all types.",
    )
    active = serializers.BooleanField(required=False)


class WebhookPatchSerializer(WebhookWriteSerializer):
    url = serializers.URLField(max_length=500, required=False)
