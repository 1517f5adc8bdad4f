"""Why a file or a document was not accepted, as codes with a translated, actionable message.

The code is stored (``Document.rejection_code``, ``Document.file_notices``); the text is looked up when
shown, so the citizen reads it in their current language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Problem:
    code: str
    message: Promise
    what_to_do: Promise


# The photo check (documents.photocheck) only advises: the photo is delivered all the same.
_PHOTO_ADVICE = _("It was sent. If the text is hard to read, please take the photo again and send it.")

PROBLEMS: dict[str, Problem] = {
    p.code: p
    for p in [
        Problem(
            "empty_file",
            _("The file is empty (0 bytes)."),
            _("Please choose the file again or take a new photo."),
        ),
        Problem(
            "too_large",
            _("The file is larger than allowed."),
            _("Please take the photo with a lower resolution or split the PDF into smaller parts."),
        ),
        Problem(
            "unsupported_type",
            _("The file is not a photo or a PDF, even if its name says so."),
            _("Please send photos (JPEG, PNG, HEIC, WebP, TIFF) or PDF files."),
        ),
        Problem(
            "corrupt_image",
            _("The photo is damaged or incomplete and cannot be opened."),
            _("Please take the photo again and send it."),
        ),
        Problem(
            "too_many_pixels",
            _("The image is far too large (too many pixels) to be processed safely."),
            _("Please send a normal photo or scan of the page."),
        ),
        Problem(
            "too_complex",
            _("The file needs more memory or time to open than is safe, so it was not processed."),
            _("Please send a normal photo or scan of the page."),
        ),
        Problem(
            "encrypted_pdf",
            _("The PDF is protected by a password and cannot be opened."),
            _("Please remove the password protection and send the PDF again, or send photos of the pages."),
        ),
        Problem(
            "broken_pdf",
            _("The PDF is damaged and could not be repaired."),
            _("Please save or export the PDF again and send it, or send photos of the pages."),
        ),
        Problem(
            "too_many_pages",
            _("The document has more pages than allowed."),
            _("Please split it into several documents and send them one after another."),
        ),
        Problem(
            "malware",
            _("A virus scanner found possibly harmful content. The file was isolated and not delivered."),
            _(
                "Please check your device for viruses and send the document again. The Jobcenter has been "
                "informed."
            ),
        ),
        Problem(
            "active_content_removed",
            _("The PDF contained active content (for example JavaScript); it was removed."),
            _("Nothing to do: the pages themselves were delivered unchanged."),
        ),
        Problem("photo_blurry", _("The photo looks blurred."), _PHOTO_ADVICE),
        Problem("photo_dark", _("The photo looks very dark."), _PHOTO_ADVICE),
        Problem("photo_cut_off", _("The page seems to be cut off at the edge of the photo."), _PHOTO_ADVICE),
        Problem(  # upload.js, only after the citizen chose "Send smaller" (portal.forms_documents)
            "downscaled_in_browser",
            _("The photo was sent smaller, as you chose."),
            _("Nothing to do: the text stays readable."),
        ),
        Problem(
            "no_usable_file",
            _("None of the files could be used."),
            _("Please look at the reason for each file and send the document again."),
        ),
    ]
}


def get(code: str) -> Problem:
    return PROBLEMS.get(code) or Problem(
        code,
        _("The document could not be processed."),
        _("Please try again later or contact your Jobcenter."),
    )
