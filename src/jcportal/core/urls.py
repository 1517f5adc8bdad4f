from django.urls import path

from . import ops_views, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("weiter/", views.after_login, name="after-login"),
    path("sprache/<str:code>/", views.set_language, name="set-language"),
    path("seite/barrierefreiheit/rueckmeldung/", views.accessibility_feedback, name="accessibility-feedback"),
    path(
        "seite/gebaerdensprache/video/<int:video_id>/", views.sign_language_video, name="sign-language-video"
    ),
    path("seite/<slug:slug>/", views.page, name="page"),
    path(
        "rueckmeldungen-barrierefreiheit/",
        views.accessibility_feedback_list,
        name="accessibility-feedback-list",
    ),
    path(
        "rueckmeldungen-barrierefreiheit/<int:feedback_id>/erledigt/",
        views.accessibility_feedback_handled,
        name="accessibility-feedback-handled",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("livez", ops_views.livez, name="livez"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics_view, name="metrics"),
]
