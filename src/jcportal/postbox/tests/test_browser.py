"""The letters postbox in real Chromium on a phone, in Arabic: a caseworker sees a letter going
by post and one notified by e-mail, records the first as sent by post; every page passes axe and reflows."""

from __future__ import annotations

import pytest

from jcportal.accounts import services as account_services
from jcportal.accounts.models import Consent
from jcportal.casework.services import release_document
from jcportal.casework.tests.helpers import document_with_pdf
from jcportal.core.testing import a11y
from jcportal.core.testing.fixtures import staff_browser_context, submit
from jcportal.postbox.models import Letter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["ar"])  # right to left; the a11y sweep covers every language
def test_postbox_pages_on_a_phone(browser, live_server, household, citizen, caseworker, language):  # type: ignore[no-untyped-def]
    by_post = document_with_pdf(
        household=household, title="Schreiben A", doc_type="schreiben", direction="outbound"
    )
    release_document(by_post, by=caseworker)
    citizen.email = "kunde@example.org"
    citizen.save()
    account_services.give_consent(citizen, Consent.Kind.DIGITAL_DELIVERY, household=household)
    noticed = document_with_pdf(
        household=household, title="Bescheid B", doc_type="bescheid", direction="outbound"
    )
    release_document(noticed, by=caseworker)
    context = staff_browser_context(browser, live_server, caseworker, language=language)
    page = context.new_page()
    try:
        for where, url in (
            ("postbox", "/verwaltung/briefe/"),
            ("document details", f"/verwaltung/dokumente/{noticed.pk}/"),
        ):
            page.goto(url)
            a11y.assert_accessible(page, f"{where} ({language})")
        page.goto("/verwaltung/briefe/")
        submit(page, "form[action$='/per-post/'] button")
        assert Letter.objects.get(document=by_post).sent_by_post_at is not None
        violations = a11y.axe_violations(page)
        assert not violations, a11y.format_violations(f"postbox after recording ({language})", violations)
    finally:
        context.close()
