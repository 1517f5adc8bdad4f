"""The object store restarts while uploads are in flight: the intake waits for it (no attempt counted),
then every accepted upload is delivered exactly once, its PDF in the bucket and nowhere on local disk.

moto in server mode stands in for S3; stopping its HTTP server and starting it again on the same port is
an S3 endpoint that goes away and comes back with its data (moto keeps the objects in this process)."""

from __future__ import annotations

import time
import uuid

import pytest

from jcportal.core.testing.processes import free_port

from .test_faults import _names, harness  # noqa: F401 - the fixture

BUCKET = "jcportal-fault-test"


def _s3(endpoint: str):  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="eu-central-1",
    )


def _pdfs(client, document_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    listing = client.list_objects_v2(Bucket=BUCKET, Prefix=f"documents/{uuid.UUID(document_id)}/")
    return [item["Key"] for item in listing.get("Contents", [])]


@pytest.mark.services
def test_the_s3_server_restarted_while_uploads_are_in_flight_loses_nothing(harness):  # noqa: F811
    from moto.server import ThreadedMotoServer

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        client = _s3(endpoint)
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        h = harness(
            S3_BUCKET=BUCKET,
            S3_ENDPOINT_URL=endpoint,
            S3_ACCESS_KEY_ID="testing",
            S3_SECRET_ACCESS_KEY="testing",
            S3_REGION="eu-central-1",
            AWS_MAX_ATTEMPTS="1",
        )
        h.upload(_names())
        h.worker()
        h.beat()
        h.wait_for(lambda: sum(row[0] == "delivered" for row in h.rows().values()) >= 2, 90, "two deliveries")
        server.stop()  # the object store goes away with uploads in flight
        assert any(row[0] != "delivered" for row in h.rows().values())
        time.sleep(4)
        assert not any(row[2] == "failed" for row in h.rows().values()), "an outage must not count as failure"
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        h.wait_for(h.delivered, 90, "delivery after the object store came back")
        time.sleep(2)
        for document_id in h.ids:
            status, step, state, _attempts = h.rows()[document_id]
            assert (status, step, state) == ("delivered", "done", ""), document_id
            assert h.count("inbox_inboxitem WHERE document_id=?", document_id) == 1
            assert len(_pdfs(client, document_id)) == 1, f"{document_id}: one PDF in the bucket"
            delivered = h.query(
                "SELECT count(*) FROM audit_auditevent WHERE action='document.delivered' AND object_id=?",
                (str(uuid.UUID(document_id)),),
            )
            assert delivered[0][0] == 1
        local = h.var / "media"
        assert not local.exists() or not any(path.is_file() for path in local.rglob("*")), (
            "nothing on local disk"
        )
    finally:
        server.stop()
