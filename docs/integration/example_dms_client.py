#!/usr/bin/env python3
"""Example DMS import client for the jcportal integration API (standard library only).

Reads the events feed from the last cursor, fetches the PDF of every delivered document, checks its
SHA-256, files it into a folder (standing in for the DMS) and acknowledges it with the DMS's own id, so
the citizen sees "filed in the electronic case file". Run it from cron or a loop; it is idempotent.

    JCPORTAL_URL=http://127.0.0.1:8000 JCPORTAL_TOKEN=jcp_demodms_Demo-DMS-Token-2026-jcportal \\
        python docs/integration/example_dms_client.py --into ./dms-inbox

The tests run exactly this file (api/tests/test_end_to_end.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import urllib.request
from pathlib import Path
from typing import Any


class Api:
    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token

    def request(self, method: str, url: str, body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        if url.startswith("/"):
            url = self.base_url + url
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - the configured API
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, response.read()

    def json(self, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
        return json.loads(self.request(method, url, body)[1])


def import_new_documents(api: Api, into: Path, cursor_file: Path) -> list[str]:
    """One run: returns the DMS ids of the documents filed in this run."""
    into.mkdir(parents=True, exist_ok=True)
    cursor = cursor_file.read_text().strip() if cursor_file.exists() else "0"
    filed: list[str] = []
    while True:
        page = api.json("GET", f"/api/v1/events/?after={cursor}&limit=200")
        for event in page["events"]:
            if event["type"] != "de.jcportal.document.delivered":
                continue
            document = api.json("GET", event["dataref"])
            if document["filed_at"]:
                continue  # filed before (by an earlier run or another importer)
            _status, pdf = api.request("GET", document["pdf"])
            if hashlib.sha256(pdf).hexdigest() != document["pdf_sha256"]:
                raise RuntimeError(f"checksum mismatch for {document['eingangsnummer']}")
            dms_id = f"DMS-{document['eingangsnummer']}"
            (into / f"{dms_id}.pdf").write_bytes(pdf)
            (into / f"{dms_id}.json").write_text(json.dumps(document, ensure_ascii=False, indent=2))
            api.json(
                "POST", f"/api/v1/documents/{document['id']}/acknowledgement/", {"dms_reference": dms_id}
            )
            filed.append(dms_id)
        if page["cursor"] == cursor:
            break
        cursor = page["cursor"]
        cursor_file.write_text(cursor)
    return filed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("JCPORTAL_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--token", default=os.environ.get("JCPORTAL_TOKEN", ""))
    parser.add_argument("--into", type=Path, default=Path("dms-inbox"))
    parser.add_argument("--cursor-file", type=Path, default=None)
    args = parser.parse_args()
    cursor_file = args.cursor_file or args.into / ".cursor"
    filed = import_new_documents(Api(args.url, args.token), args.into, cursor_file)
    print(f"filed {len(filed)} document(s): {', '.join(filed) or '-'}")


if __name__ == "__main__":
    main()
