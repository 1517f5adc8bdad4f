from django.urls import path

from . import views_releases

urlpatterns: list = [
    path("vom-jobcenter/", views_releases.releases, name="releases"),
    path(
        "vom-jobcenter/<uuid:document_id>/herunterladen/",
        views_releases.release_download,
        name="release-download",
    ),
]
