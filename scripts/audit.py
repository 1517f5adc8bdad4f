"""`make audit`: known vulnerabilities in the locked dependencies (requirements.lock), with pip-audit.

pip-audit asks a vulnerability database (PyPI's JSON API per release, or OSV). A database that cannot be
reached, or answers without vulnerability data, must not look like a clean result: pip-audit skips
releases the service does not know, so first a release with known advisories (Django 3.2) is looked
up; if the answer lists none, the audit stops with exit code 2 and says why. These machines reach no
vulnerability database (their package mirror serves packages, not advisories): see
docs/operations/security.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICE = os.environ.get("AUDIT_SERVICE", "pypi")  # pypi | osv
PROBES = {
    "pypi": ("https://pypi.org/pypi/Django/3.2/json", None),
    "osv": (
        "https://api.osv.dev/v1/query",
        {"package": {"name": "django", "ecosystem": "PyPI"}, "version": "3.2"},
    ),
}


def database_answers() -> tuple[bool, str]:
    """(True, "") when the service returns advisories for a release known to have some."""
    url, body = PROBES[SERVICE]
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})  # noqa: S310 - fixed https URLs
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            answer = json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return False, f"{url}: {exc}"
    found = answer.get("vulnerabilities") or answer.get("vulns") or []
    if not found:
        return False, f"{url}: answered without any advisory for Django 3.2 (no vulnerability data)"
    return True, ""


def main() -> int:
    ok, reason = database_answers()
    if not ok:
        print(
            f"make audit: FAILED - no vulnerability database reachable ({SERVICE}): {reason}\n"
            "Nothing was checked. Run `make audit` on a machine with access to pypi.org's JSON API "
            "(or AUDIT_SERVICE=osv with api.osv.dev); see docs/operations/security.md.",
            file=sys.stderr,
        )
        return 2
    command = [
        str(ROOT / ".venv" / "bin" / "pip-audit"),
        "--requirement",
        str(ROOT / "requirements.lock"),
        "--disable-pip",
        "--no-deps",
        "--strict",  # a release the service does not know fails the audit instead of being skipped
        "--progress-spinner",
        "off",
        "--vulnerability-service",
        SERVICE,
    ]
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
