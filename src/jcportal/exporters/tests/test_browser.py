"""The exporter pages in real Chromium: an administrator configures a hot folder on a phone, and
every page passes axe (WCAG 2.1 AA); case staff read the list of unacknowledged documents."""

from __future__ import annotations

import pytest

from jcportal.core.testing import a11y
from jcportal.core.testing.fixtures import staff_browser_context
from jcportal.exporters.models import ExporterConfig

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser, live_server, username: str):  # type: ignore[no-untyped-def]
    from jcportal.accounts.models import User

    context = staff_browser_context(browser, live_server, User.objects.get(username=username))
    return context, context.new_page()


def test_administrator_configures_a_hot_folder_on_a_phone(
    browser, live_server, demo_data, settings, tmp_path
):  # type: ignore[no-untyped-def]
    settings.EXPORTER_FOLDER_ROOT = tmp_path / "exports"
    context, page = _page(browser, live_server, "demo-admin")
    try:
        page.goto("/verwaltung/exporter/")
        a11y.assert_accessible(page, "exporters")
        page.click("text=Hot folder (DMS import folder)")
        a11y.assert_accessible(page, "new exporter")
        page.fill("#id_name", "DMS OTS")
        page.fill("#id_option_folder", "../etc")
        page.click("form[novalidate] button[type=submit]")
        page.locator(".error-summary").first.wait_for()
        a11y.assert_accessible(page, "new exporter with errors")
        page.fill("#id_option_folder", "dms/eingang")
        page.click("form[novalidate] button[type=submit]")
        page.locator("text=DMS OTS").first.wait_for()
        config = ExporterConfig.objects.get()
        assert config.options == {"folder": "dms/eingang"} and config.exporter == "hotfolder"
        page.click("text=DMS OTS")
        a11y.assert_accessible(page, "edit exporter")
    finally:
        context.close()
    context, page = _page(browser, live_server, "demo-sachbearbeitung")
    try:
        page.goto("/verwaltung/dms/nicht-bestaetigt/")
        a11y.assert_accessible(page, "documents not acknowledged by the DMS")
    finally:
        context.close()
