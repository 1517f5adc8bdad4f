"""Intake failures (documents the pipeline parked for a person)."""

from django.urls import path

from . import views_failures

urlpatterns = [
    path("eingang/fehler/", views_failures.failure_list, name="intake-failures"),
    path(
        "eingang/fehler/<uuid:document_id>/wiederholen/",
        views_failures.failure_retry,
        name="intake-failure-retry",
    ),
]
