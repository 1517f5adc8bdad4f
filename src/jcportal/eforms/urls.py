"""Online services at /antrag/ (namespace ``eforms``)."""

from django.urls import path

from . import views

app_name = "eforms"

urlpatterns = [
    path("erstantrag/", views.erstantrag_start, name="erstantrag-start"),
    path("fortsetzen/", views.resume, name="resume"),
    path("schema/<slug:form_slug>/<int:version>.json", views.schema, name="schema"),
    path("vorgang/<uuid:submission_id>/", views.detail, name="detail"),
    path("vorgang/<uuid:submission_id>/schritt/<str:step>/", views.step, name="step"),
    path("vorgang/<uuid:submission_id>/pruefen/", views.review, name="review"),
    path("vorgang/<uuid:submission_id>/gespeichert/", views.saved, name="saved"),
    path("vorgang/<uuid:submission_id>/verwerfen/", views.discard, name="discard"),
    path("vorgang/<uuid:submission_id>/gesendet/", views.done, name="done"),
    path("vorgang/<uuid:submission_id>/kopie.pdf", views.pdf, name="pdf"),
    path("<slug:form_slug>/", views.start, name="start"),
]
