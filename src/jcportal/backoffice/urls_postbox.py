"""The letters postbox (§ 37 (2a) SGB X): notification state and letters to send by post."""

from django.urls import path

from . import views_postbox as views

urlpatterns = [
    path("briefe/", views.postbox, name="postbox"),
    path("briefe/<uuid:document_id>/per-post/", views.sent_by_post, name="postbox-sent-by-post"),
]
