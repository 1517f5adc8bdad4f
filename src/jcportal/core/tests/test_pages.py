"""The information pages a public site must have: accessibility statement with feedback, Leichte Sprache,
sign language, imprint, privacy notice – editable by the administrator per language."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from jcportal.core import markup
from jcportal.core.models import AccessibilityFeedback, Page, SignLanguageVideo

pytestmark = pytest.mark.django_db

SLUGS = ["barrierefreiheit", "leichte-sprache", "gebaerdensprache", "impressum", "datenschutz"]


@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_has_its_built_in_text_and_one_h1(client, slug):
    response = client.get(f"/seite/{slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert f'href="/seite/{slug}/"' in html  # linked from the footer of every page


def test_unknown_page_is_404(client):
    assert client.get("/seite/gibt-es-nicht/").status_code == 404


def test_accessibility_statement_has_the_mandatory_parts(client):
    html = client.get("/seite/barrierefreiheit/").content.decode()
    assert "BITV 2.0" in html and "WCAG" in html
    assert "/seite/barrierefreiheit/rueckmeldung/" in html  # feedback mechanism
    assert "Schlichtungsstelle" in html and "§ 16 BGG" in html  # conciliation procedure
    assert "2026" in html  # date of the statement


def test_privacy_notice_names_the_legal_bases(client):
    html = client.get("/seite/datenschutz/").content.decode()
    for reference in ("§ 35 SGB I", "SGB X", "Artikel 77", "BfDI"):
        assert reference in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Article 77" in client.get("/seite/datenschutz/").content.decode()


def test_imprint_shows_the_jobcenter_record(client):
    from jcportal.households.models import Jobcenter

    Jobcenter.objects.create(
        name="Jobcenter Musterstadt", street="Hauptstraße 1", postcode="12345", city="Musterstadt"
    )
    html = client.get("/seite/impressum/").content.decode()
    assert "Jobcenter Musterstadt" in html and "Hauptstraße 1" in html


def test_edited_page_replaces_the_built_in_text_only_in_its_language(client):
    Page.objects.create(
        slug="impressum",
        language="de",
        title="Impressum des Jobcenters",
        body="## Anbieter\nJobcenter Test\n\n- eins\n- zwei\n\n[Link](https://example.org) <script>x</script>",
    )
    html = client.get("/seite/impressum/").content.decode()
    assert "<h1>Impressum des Jobcenters</h1>" in html
    assert "<h2>Anbieter</h2>" in html and "<li>eins</li><li>zwei</li>" in html
    assert '<a href="https://example.org">Link</a>' in html
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
    client.cookies["jcportal_language"] = "en"
    html_en = client.get("/seite/impressum/").content.decode()
    assert "Impressum des Jobcenters" not in html_en
    assert "Provider of this portal" in html_en


def test_markup_refuses_javascript_links():
    assert "href" not in markup.render("[klick](javascript:alert(1))")


def test_accessibility_statement_keeps_feedback_and_conciliation_when_edited(client):
    Page.objects.create(slug="barrierefreiheit", language="de", title="Erklärung", body="Text.")
    html = client.get("/seite/barrierefreiheit/").content.decode()
    assert "/seite/barrierefreiheit/rueckmeldung/" in html and "Schlichtungsstelle" in html


def test_feedback_form_stores_the_report_and_mails_the_jobcenter(client, settings):
    settings.ACCESSIBILITY_FEEDBACK_EMAIL = "barrierefreiheit@jobcenter.example"
    client.cookies["jcportal_language"] = "en"
    response = client.post(
        "/seite/barrierefreiheit/rueckmeldung/",
        {"message": "The upload button cannot be reached with the keyboard.", "email": "a@example.org"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/seite/barrierefreiheit/"
    assert 'role="status"' in response.content.decode()
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.language == "en" and feedback.email == "a@example.org"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["barrierefreiheit@jobcenter.example"]
    assert "keyboard" in mail.outbox[0].body


def test_feedback_goes_to_the_jobcenter_address_when_no_special_address_is_set(client, settings):
    from jcportal.households.models import Jobcenter

    settings.ACCESSIBILITY_FEEDBACK_EMAIL = ""
    Jobcenter.objects.create(name="JC", email="poststelle@jobcenter.example")
    client.post("/seite/barrierefreiheit/rueckmeldung/", {"message": "Kontrast zu schwach"})
    assert mail.outbox[0].to == ["poststelle@jobcenter.example"]


def test_empty_feedback_shows_an_error_summary_linked_to_the_field(client):
    client.cookies["jcportal_language"] = "en"
    response = client.post("/seite/barrierefreiheit/rueckmeldung/", {"message": "", "email": "nonsense"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_message"' in html and 'href="#id_email"' in html
    assert 'aria-invalid="true"' in html
    assert not AccessibilityFeedback.objects.exists()


def test_feedback_list_only_for_administrators(client, citizen_client, caseworker_client):
    from django.test import Client

    from jcportal.accounts.tests.factories import StaffFactory
    from jcportal.core.testing.fixtures import login_staff

    AccessibilityFeedback.objects.create(message="Zu kleine Schrift")
    assert citizen_client.get("/rueckmeldungen-barrierefreiheit/").status_code == 403
    assert caseworker_client.get("/rueckmeldungen-barrierefreiheit/").status_code == 403
    admin = login_staff(Client(), StaffFactory(role="admin"))
    html = admin.get("/rueckmeldungen-barrierefreiheit/").content.decode()
    assert "Zu kleine Schrift" in html
    feedback = AccessibilityFeedback.objects.get()
    admin.post(f"/rueckmeldungen-barrierefreiheit/{feedback.pk}/erledigt/")
    feedback.refresh_from_db()
    assert feedback.handled_at is not None


def test_sign_language_page_without_videos_says_so(client):
    client.cookies["jcportal_language"] = "en"
    html = client.get("/seite/gebaerdensprache/").content.decode()
    assert "There are no sign-language videos" in html
    assert "<video" not in html


def test_sign_language_video_is_shown_with_size_duration_and_download(client):
    video = SignLanguageVideo.objects.create(
        title="Das Portal in DGS",
        file=SimpleUploadedFile("portal.mp4", b"\x00" * 2048, content_type="video/mp4"),
        duration_seconds=135,
    )
    assert video.size_bytes == 2048
    client.cookies["jcportal_language"] = "en"
    html = client.get("/seite/gebaerdensprache/").content.decode()
    assert "<video controls" in html
    assert f"/seite/gebaerdensprache/video/{video.pk}/?download=1" in html
    assert "2:15" in html and "2.0\xa0KB" in html
    response = client.get(f"/seite/gebaerdensprache/video/{video.pk}/?download=1")
    assert response["Content-Type"] == "video/mp4"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"\x00" * 2048


def test_unpublished_video_is_not_served(client):
    video = SignLanguageVideo.objects.create(
        title="Entwurf",
        file=SimpleUploadedFile("draft.webm", b"x", content_type="video/webm"),
        duration_seconds=10,
        published=False,
    )
    assert client.get(f"/seite/gebaerdensprache/video/{video.pk}/").status_code == 404


def test_leichte_sprache_page_is_leichte_sprache_for_german_visitors(client, settings, tmp_path):
    """German visitors get this page in Leichte Sprache; the rest of the page stays German."""
    import polib

    from jcportal.core import i18n

    for locale, text in (
        ("de_LS", "Diese Seite erklärt das Portal in einfachen Worten."),
        ("de", "Erklärung"),
    ):
        po = polib.POFile()
        i18n.fix_header(po, locale)
        msgid = (
            "This page explains the portal in easy words." if locale == "de_LS" else "Accessibility statement"
        )
        po.append(polib.POEntry(msgid=msgid, msgstr=text))
        folder = tmp_path / locale / "LC_MESSAGES"
        folder.mkdir(parents=True)
        po.save_as_mofile(str(folder / "django.mo"))
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    html = client.get("/seite/leichte-sprache/").content.decode()
    assert "Diese Seite erklärt das Portal in einfachen Worten." in html
    assert '<html lang="de"' in html and ">Erklärung</a>" in html  # footer in German
    client.cookies["jcportal_language"] = "en"
    assert (
        "This page explains the portal in easy words."
        in client.get("/seite/leichte-sprache/").content.decode()
    )


def test_start_page_points_to_leichte_sprache_and_sign_language(client):
    """§ 4 BITV 2.0: the start page offers the Leichte Sprache and DGS information."""
    html = client.get("/").content.decode()
    main = html.split('id="main-content"', 1)[1].split("</main>", 1)[0]
    assert 'href="/seite/leichte-sprache/"' in main and 'href="/seite/gebaerdensprache/"' in main
