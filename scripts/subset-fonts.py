#!/usr/bin/env python
"""Make the web fonts of the citizen portal: small WOFF2 subsets of the Noto fonts in static/fonts.

    .venv/bin/python scripts/subset-fonts.py

The full TTFs stay for the PDFs (WeasyPrint embeds only the glyphs it uses). The browser gets:
- ``NotoSansArabic-{Regular,Bold}.subset.woff2``: the Arabic block (Arabic and Farsi letters, digits,
  punctuation, joiners), loaded only by pages that show Arabic script (``unicode-range`` in site.css);
- ``NotoSansEthiopic-{Regular,Bold}.subset.woff2``: the Ethiopic syllables and punctuation (Tigrinya);
- ``LanguageNames-{Arabic,Ethiopic}.woff2``: only the glyphs of the language switcher's own names
  (العربية, فارسی, ትግርኛ), a few KB, so a German page never loads a whole script's font.

Run it again when a language name or the subset ranges change; commit the WOFF2 files it writes.
"""

from __future__ import annotations

from pathlib import Path

from fontTools import subset

FONTS = Path(__file__).resolve().parent.parent / "src" / "jcportal" / "static" / "fonts"

ARABIC_RANGES = "U+0600-06FF,U+200C-200F,U+FDFC"
ETHIOPIC_RANGES = "U+1200-137F"
# The names of the languages written in these scripts, as the switcher shows them (settings.LANGUAGES).
ARABIC_NAMES = "العربية فارسی"
ETHIOPIC_NAMES = "ትግርኛ"


def _subset(source: str, target: str, *, unicodes: str = "", text: str = "") -> int:
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # shaping (joining forms, ligatures, marks) must survive
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(FONTS / source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(
        unicodes=subset.parse_unicodes(unicodes) if unicodes else [],
        text=text,
    )
    subsetter.subset(font)
    subset.save_font(font, str(FONTS / target), options)
    return (FONTS / target).stat().st_size


def main() -> None:
    made = {}
    for weight in ("Regular", "Bold"):
        made[f"NotoSansArabic-{weight}.subset.woff2"] = _subset(
            f"NotoSansArabic-{weight}.ttf", f"NotoSansArabic-{weight}.subset.woff2", unicodes=ARABIC_RANGES
        )
        made[f"NotoSansEthiopic-{weight}.subset.woff2"] = _subset(
            f"NotoSansEthiopic-{weight}.ttf",
            f"NotoSansEthiopic-{weight}.subset.woff2",
            unicodes=ETHIOPIC_RANGES,
        )
    made["LanguageNames-Arabic.woff2"] = _subset(
        "NotoSansArabic-Regular.ttf", "LanguageNames-Arabic.woff2", text=ARABIC_NAMES
    )
    made["LanguageNames-Ethiopic.woff2"] = _subset(
        "NotoSansEthiopic-Regular.ttf", "LanguageNames-Ethiopic.woff2", text=ETHIOPIC_NAMES
    )
    for name, size in made.items():
        print(f"{name}: {size / 1024:.1f} KB")


if __name__ == "__main__":
    main()
