"""Cache headers of static files (WhiteNoise).

collectstatic writes every file under a name with its content hash (``site.3f2a…css``, the manifest
storage in ``settings.STORAGES["staticfiles"]``) plus gzip and Brotli copies. A hashed name never changes
its content, so browsers may keep it for a year without asking again: no revalidation round trip on a
slow connection. Unhashed names (only reachable by typing them) keep WhiteNoise's short max-age.
"""

from __future__ import annotations

ONE_YEAR = 365 * 24 * 3600


def add_headers(headers, path: str, url: str) -> None:  # type: ignore[no-untyped-def]
    """``WHITENOISE_ADD_HEADERS_FUNCTION``: one year instead of WhiteNoise's ten for immutable files."""
    if "immutable" in headers.get("Cache-Control", ""):
        headers["Cache-Control"] = f"max-age={ONE_YEAR}, public, immutable"
