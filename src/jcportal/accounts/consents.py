"""The texts people agree to, each with a version. A new wording gets a new version; consents record it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ConsentText:
    version: str
    title: Promise
    text: Promise


ACCESS_REQUEST_PRIVACY = ConsentText(
    version="access-request-2026-11",
    title=_("Processing of your details"),
    text=_(
        "The Jobcenter uses the details in this request only to check who you are and to give you access "
        "to the portal (§ 67a SGB X). An uploaded ID document is deleted when the request is decided."
    ),
)

DIGITAL_DELIVERY = ConsentText(
    version="digital-delivery-2026-11",
    title=_("Digital delivery of decisions"),
    text=_(
        "I agree that the Jobcenter may deliver decisions (Bescheide) and letters to me in the portal "
        "instead of by post (§ 37 SGB X). I will look into the portal regularly. "
        "I can revoke this consent at any time in my account; from then on, letters come by post again. "
        "Sending documents to the Jobcenter works with or without this consent."
    ),
)

TEXTS = {"digital_delivery": DIGITAL_DELIVERY}
