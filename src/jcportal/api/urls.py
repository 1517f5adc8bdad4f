"""/api/v1/: the integration API (docs/integration/api.md)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import (
    views_documents,
    views_events,
    views_households,
    views_letters,
    views_requests,
    views_submissions,
    views_uploads,
    views_webhooks,
)

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("documents/", views_documents.DocumentList.as_view(), name="document-list"),
    path("documents/<uuid:document_id>/", views_documents.DocumentDetail.as_view(), name="document-detail"),
    path("documents/<uuid:document_id>/pdf/", views_documents.DocumentPdf.as_view(), name="document-pdf"),
    path("documents/<uuid:document_id>/text/", views_documents.DocumentText.as_view(), name="document-text"),
    path(
        "documents/<uuid:document_id>/originals/<int:position>/",
        views_documents.DocumentOriginal.as_view(),
        name="document-original",
    ),
    path(
        "documents/<uuid:document_id>/acknowledgement/",
        views_documents.DocumentAcknowledgement.as_view(),
        name="document-acknowledgement",
    ),
    path("events/", views_events.EventFeed.as_view(), name="event-feed"),
    path("households/", views_households.HouseholdList.as_view(), name="household-list"),
    path("households/bulk/", views_households.HouseholdBulk.as_view(), name="household-bulk"),
    path("households/<str:bg_number>/", views_households.HouseholdDetail.as_view(), name="household-detail"),
    path("households/<str:bg_number>/letters/", views_letters.LetterCreate.as_view(), name="letter-create"),
    path("letters/<uuid:letter_id>/", views_letters.LetterDetail.as_view(), name="letter-detail"),
    path(
        "households/<str:bg_number>/document-requests/",
        views_requests.DocumentRequestCreate.as_view(),
        name="docrequest-create",
    ),
    path(
        "document-requests/<str:request_id>/",
        views_requests.DocumentRequestDetail.as_view(),
        name="docrequest-detail",
    ),
    path("webhooks/", views_webhooks.WebhookList.as_view(), name="webhook-list"),
    path("webhooks/<str:webhook_id>/", views_webhooks.WebhookDetail.as_view(), name="webhook-detail"),
    path(
        "webhooks/<str:webhook_id>/rotate-secret/",
        views_webhooks.WebhookRotateSecret.as_view(),
        name="webhook-rotate-secret",
    ),
    path("submissions/", views_submissions.SubmissionList.as_view(), name="submission-list"),
    path(
        "submissions/schemas/<str:form_slug>/<str:version>/",
        views_submissions.SubmissionSchema.as_view(),
        name="submission-schema",
    ),
    path(
        "submissions/<uuid:submission_id>/",
        views_submissions.SubmissionDetail.as_view(),
        name="submission-detail",
    ),
    path(
        "submissions/<uuid:submission_id>/pdf/",
        views_submissions.SubmissionPdf.as_view(),
        name="submission-pdf",
    ),
    path(
        "submissions/<uuid:submission_id>/fachverfahren/",
        views_submissions.SubmissionFachverfahren.as_view(),
        name="submission-fachverfahren",
    ),
    path("uploads/", views_uploads.UploadCreate.as_view(), name="upload-create"),
    path("uploads/<uuid:upload_id>/", views_uploads.UploadDetail.as_view(), name="upload-detail"),
    path(
        "uploads/<uuid:upload_id>/parts/<str:number>/",
        views_uploads.UploadPartView.as_view(),
        name="upload-part",
    ),
    path(
        "uploads/<uuid:upload_id>/complete/", views_uploads.UploadComplete.as_view(), name="upload-complete"
    ),
]
