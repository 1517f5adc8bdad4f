"""The copied xdomea 3.0.0 schemas load and judge messages: the official examples pass, a broken one fails."""

from __future__ import annotations

import pytest

from jcportal.core import xdomea


@pytest.mark.parametrize("example", sorted(p.name for p in xdomea.EXAMPLES.glob("*.xml")))
def test_official_example_messages_validate(example):
    assert xdomea.errors((xdomea.EXAMPLES / example).read_bytes()) == []


def test_a_message_missing_its_header_is_refused():
    broken = (xdomea.EXAMPLES / "xx_Aussonderung.Anbieteverzeichnis.0501.xml").read_bytes()
    broken = broken.replace(b"<xdomea:Kopf>", b"<xdomea:KopfX>").replace(
        b"</xdomea:Kopf>", b"</xdomea:KopfX>"
    )
    with pytest.raises(xdomea.InvalidMessage):
        xdomea.validate(broken)
