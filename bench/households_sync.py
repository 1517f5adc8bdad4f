"""The Fachverfahren's nightly sync: 10,000 households through the API in under a minute (issue 16).

Sends ``POST /api/v1/households/bulk/`` in requests of 1,000 households (two members each, one with a
Fachverfahren person id, office, team and caseworker) with a bearer token through Django's full request
stack, then the identical sync again, which must change nothing (no event, no audit entry).
Target: the first sync of 10,000 households < 60 s (the issue's figure, an absolute one); the second
run reports 0 changed; informational: the second run's time and households per second.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import report, setup_django

HOUSEHOLDS = 10_000
PER_REQUEST = 1_000
TARGET_SECONDS = 60.0


def payloads(team: Any, caseworker: str) -> list[dict[str, Any]]:
    return [
        {
            "bg_number": f"64646BG{n:07d}",
            "street": f"Hauptstraße {n % 200 + 1}",
            "postcode": "64646",
            "city": "Heppenheim",
            "active": True,
            "approval_until": "2027-06-30",
            "responsibilities": {"office": team.service_office_id, "team": team.pk, "caseworker": caseworker},
            "members": [
                {
                    "fachverfahren_id": f"P{n:08d}",
                    "first_name": "Aylin",
                    "last_name": f"Demir{n}",
                    "date_of_birth": "1985-04-02",
                    "relation": "head",
                },
                {
                    "first_name": "Emre",
                    "last_name": f"Demir{n}",
                    "date_of_birth": "2015-09-30",
                    "relation": "child",
                },
            ],
        }
        for n in range(HOUSEHOLDS)
    ]


def sync(client: Any, token: str, households: list[dict[str, Any]]) -> tuple[float, dict[str, int]]:
    totals = {"created": 0, "changed": 0, "unchanged": 0, "failed": 0}
    start = time.perf_counter()
    for offset in range(0, len(households), PER_REQUEST):
        body = json.dumps({"households": households[offset : offset + PER_REQUEST]})
        response = client.post(
            "/api/v1/households/bulk/",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        if response.status_code != 200:
            raise SystemExit(f"bulk sync answered {response.status_code}: {response.content[:500]!r}")
        for key in totals:
            totals[key] += response.json()[key]
    return time.perf_counter() - start, totals


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp))
        from django.test import Client

        from jcportal.accounts.models import Role, User
        from jcportal.api.services import create_client
        from jcportal.audit.models import AuditEvent
        from jcportal.events.models import Event
        from jcportal.households.models import Jobcenter, ServiceOffice, Team

        office = ServiceOffice.objects.create(
            jobcenter=Jobcenter.objects.create(name="JC"), name="Heppenheim"
        )
        team = Team.objects.create(service_office=office, name="Leistung 1")
        User.objects.create_user("k.mueller", role=Role.CASEWORKER)
        _api_client, token = create_client(
            "fachverfahren", scopes=["households:write"], all_households=True, rate_limit_per_minute=10_000
        )
        households = payloads(team, "k.mueller")
        client = Client()
        first, first_totals = sync(client, token, households)
        events, audits = Event.objects.count(), AuditEvent.objects.count()
        second, second_totals = sync(client, token, households)
        unchanged = (
            second_totals["unchanged"] == HOUSEHOLDS
            and Event.objects.count() == events
            and AuditEvent.objects.count() == audits
        )
        ok = first_totals["created"] == HOUSEHOLDS and first < TARGET_SECONDS and unchanged
        message = (
            f"{HOUSEHOLDS} households in {HOUSEHOLDS // PER_REQUEST} requests: first sync {first:.1f} s "
            f"({HOUSEHOLDS / first:.0f}/s, {first_totals['created']} created); identical second sync "
            f"{second:.1f} s, {second_totals['unchanged']} unchanged, "
            f"{'no' if unchanged else 'SOME'} events or audit entries written (target < {TARGET_SECONDS:.0f} s)"
        )
        return report(
            "households_sync",
            {"first_seconds": round(first, 2), "second_seconds": round(second, 2), **first_totals},
            ok,
            message,
        )


if __name__ == "__main__":
    sys.exit(main())
