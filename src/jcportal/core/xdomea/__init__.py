"""The official xdomea 3.0.0 schemas (KoSIT / IT-Planungsrat) and one validator for every message we write.

Origin: the XSD files, the XÖV code-list schema they import and four example messages of the
Aussonderung process, as published in the Landesarchiv Thüringen's ``xdomea_toolkit`` repository
(MIT licence), copied unchanged from the project's reference folder ``shared/xdomea-3.0.0/``. Keep the
layout: ``schemas/xdomea.xsd`` imports ``../xoev/code/1_0/xoev-code.xsd`` relative to itself.

    from jcportal.core import xdomea
    xdomea.validate(xml_bytes)          # raises xdomea.InvalidMessage naming the first errors
    xdomea.errors(xml_bytes)            # [] when valid
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
SCHEMA = HERE / "schemas" / "xdomea.xsd"
EXAMPLES = HERE / "examples"
NAMESPACE = "urn:xoev-de:xdomea:schema:3.0.0"
VERSION = "3.0.0"


class InvalidMessage(ValueError):
    pass


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def errors(xml: bytes) -> list[str]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    document = etree.fromstring(xml, parser)
    checker = schema()
    if checker.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log]


def validate(xml: bytes) -> None:
    problems = errors(xml)
    if problems:
        raise InvalidMessage("; ".join(problems[:5]))
