"""``make messages``: extract every translatable string into the seven catalogues and fill ``en``."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jcportal.core import i18n


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "Run makemessages for all seven locales, set plural rules, and fill the English catalogue."

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        import polib

        locales = list(i18n.LOCALES.values())
        i18n.extract(i18n.SOURCE_DIR, locales)
        for locale in locales:
            path = i18n.po_path(locale)
            po = polib.pofile(str(path), wrapwidth=110)
            i18n.fix_header(po, locale)
            if locale == "en":
                i18n.fill_english(po)
            po.save(str(path))
            open_items = len(i18n.problems(po, locale))
            self.stdout.write(f"{locale}: {len(po)} messages, {open_items} to translate or fix")
