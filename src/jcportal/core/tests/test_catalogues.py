"""The seven catalogues are complete, safe and up to date; our catalogue beats Django's own.

``test_catalogue_is_complete`` fails as long as any catalogue has an untranslated or fuzzy entry or a
translation whose placeholders differ from the English source: that is its purpose (string freeze,
then translators fill the catalogues). ``make messages`` refreshes the catalogues from the sources.
"""

from __future__ import annotations

import polib
import pytest
from django import forms
from django.utils import translation

from jcportal.core import django_messages, i18n

LOCALES = list(i18n.LOCALES.values())


def _catalogue(locale: str) -> polib.POFile:
    path = i18n.po_path(locale)
    assert path.exists(), f"{path} is missing: run `make messages`"
    return polib.pofile(str(path))


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_is_complete(locale):
    problems = i18n.problems(_catalogue(locale), locale)
    shown = "\n".join(problems[:40])
    assert not problems, f"{len(problems)} problems in the {locale} catalogue (first 40):\n{shown}"


def test_catalogues_are_up_to_date_with_the_sources(tmp_path):
    """A fresh extraction from the sources yields exactly the messages of the committed catalogues."""
    source = i18n.copy_sources(tmp_path)
    i18n.extract(source, ["de"])
    fresh = i18n.entry_keys(polib.pofile(str(i18n.po_path("de", source / "locale"))))
    for locale in LOCALES:
        committed = i18n.entry_keys(_catalogue(locale))
        missing = sorted(m for _, m, _ in fresh - committed)[:20]
        stale = sorted(m for _, m, _ in committed - fresh)[:20]
        assert not missing and not stale, (
            f"{locale} is out of date – run `make messages`. New in the sources: {missing}; "
            f"no longer in the sources: {stale}"
        )


def _po(locale: str, *entries: polib.POEntry) -> polib.POFile:
    po = polib.POFile()
    i18n.fix_header(po, locale)
    for entry in entries:
        po.append(entry)
    return po


def test_checker_reports_untranslated_fuzzy_and_changed_placeholders():
    po = _po(
        "tr",
        polib.POEntry(msgid="Hello %(name)s", msgstr="Merhaba %(isim)s"),
        polib.POEntry(msgid="Upload", msgstr=""),
        polib.POEntry(msgid="Send", msgstr="Gönder", flags=["fuzzy"]),
        polib.POEntry(msgid="{count} files", msgstr="dosyalar"),
        polib.POEntry(msgid="%d pages", msgstr="%s sayfa"),
        polib.POEntry(msgid="Fine %(name)s", msgstr="İyi %(name)s"),
    )
    problems = "\n".join(i18n.problems(po, "tr"))
    assert "Hello" in problems and "Upload" in problems and "Send" in problems
    assert "{count} files" in problems and "%d pages" in problems
    assert "Fine" not in problems


def test_checker_knows_six_arabic_plural_forms():
    entry = polib.POEntry(
        msgid="%(count)d file",
        msgid_plural="%(count)d files",
        msgstr_plural={0: "لا ملفات", 1: "ملف واحد", 2: "ملفان", 3: "%(count)d ملفات", 4: "%(count)d ملفًا"},
    )
    assert any("plural forms" in p for p in i18n.problems(_po("ar", entry), "ar"))
    entry.msgstr_plural[5] = "%(count)d ملف"
    assert i18n.problems(_po("ar", entry), "ar") == []  # a form may leave out the number
    entry.msgstr_plural[5] = "%(anzahl)d ملف"
    assert i18n.problems(_po("ar", entry), "ar")


def test_header_plural_rules_are_right():
    for locale in LOCALES:
        assert _catalogue(locale).metadata["Plural-Forms"] == i18n.PLURAL_FORMS[locale]
    assert i18n.PLURAL_FORMS["ar"].startswith("nplurals=6;")


def test_english_catalogue_is_the_source_text():
    assert i18n.problems(_catalogue("en"), "en") == []
    for entry in _catalogue("en"):
        assert entry.msgstr == entry.msgid or entry.msgstr_plural[0] == entry.msgid


def _django_msgids() -> set[tuple[str, str]]:
    from pathlib import Path

    import django

    root = Path(django.__file__).parent
    keys: set[tuple[str, str]] = set()
    for path in [
        root / "conf/locale/de/LC_MESSAGES/django.po",
        root / "contrib/auth/locale/de/LC_MESSAGES/django.po",
    ]:
        keys |= {(e.msgctxt or "", e.msgid) for e in polib.pofile(str(path))}
    return keys


def test_listed_django_messages_are_exactly_djangos_msgids():
    django_keys = _django_msgids()
    groups = [
        django_messages.FORM_MESSAGES,
        django_messages.PASSWORD_MESSAGES,
        django_messages.FILE_SIZES,
        django_messages.DATES,
    ]
    ours: list[tuple[str, str]] = []
    for group in groups:
        for message in group:
            if isinstance(message, str):
                ours.append(("", message))
            else:  # lazy ngettext / pgettext proxies: take the arguments they were made from
                args, kwargs = getattr(message, "_args", ()), getattr(message, "_kw", {})
                ours.append(("", kwargs["singular"]) if "singular" in kwargs else (args[0], args[1]))
    unknown = [m for m in ours if m not in django_keys]
    assert not unknown, f"not a Django msgid (Django changed its wording?): {unknown}"
    committed = {(ctxt, msgid) for ctxt, msgid, _ in i18n.entry_keys(_catalogue("de"))}
    assert not [m for m in ours if m not in committed], "run `make messages`"


def test_our_catalogue_wins_over_djangos_own(tmp_path, settings):
    """LOCALE_PATHS come first: our wording of a Django message is what the form shows."""
    directory = tmp_path / "locale" / "de" / "LC_MESSAGES"
    directory.mkdir(parents=True)
    po = _po("de", polib.POEntry(msgid="This field is required.", msgstr="Bitte füllen Sie dieses Feld aus."))
    po.save_as_mofile(str(directory / "django.mo"))
    settings.LOCALE_PATHS = [tmp_path / "locale"]

    class F(forms.Form):
        name = forms.CharField()

    with translation.override("de"):
        assert F({}).errors["name"] == ["Bitte füllen Sie dieses Feld aus."]
        assert translation.gettext("Enter a valid date.") == "Bitte ein gültiges Datum eingeben."  # Django's


@pytest.mark.parametrize("code", list(i18n.LOCALES))
def test_every_language_can_be_activated(code):
    """Needs the compiled catalogues (`make compilemessages`; `make test` does it first)."""
    assert translation.check_for_language(code), f"no compiled catalogue for {code}"
    with translation.override(code):
        assert translation.get_language() == code
