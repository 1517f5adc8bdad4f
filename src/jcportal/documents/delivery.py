"""Where the intake hands its documents: a registry of delivery targets (``core.registry.Registry``).

The pipeline knows no inbox. It calls the targets registered here; ``inbox`` registers itself from its
``AppConfig.ready`` and alone writes inbox items and their events. Every method is idempotent.

    deliver(document)               a delivered inbound document goes to the people responsible for it
    hand_to_clearing(document, code, detail)
                                    a person must look at a document the intake could not finish
                                    (``quarantined``, ``intake_failed``)
    resolve_clearing(document, actor)
                                    staff retried the document: the clearing hand-over is closed
    reroute(document, user, note)   a correction changed its household or the function its type needs:
                                    route it again (``documents.corrections``)
    refresh_copies(document)        a correction changed its type or title only: lists show the new one
    close_merged(document, user, note)
                                    it was appended to another document: nothing is left to do with it
"""

from __future__ import annotations

from typing import Any, Protocol

from jcportal.core.registry import Registry


class DeliveryTarget(Protocol):
    def deliver(self, document: Any) -> None: ...

    def hand_to_clearing(self, document: Any, *, code: str, detail: str) -> None: ...

    def resolve_clearing(self, document: Any, *, actor: Any) -> None: ...

    def reroute(self, document: Any, *, user: Any, note: str = "") -> None: ...

    def refresh_copies(self, document: Any) -> None: ...

    def close_merged(self, document: Any, *, user: Any, note: str = "") -> None: ...


targets: Registry[DeliveryTarget] = Registry("delivery targets")


def deliver(document: Any) -> None:
    for _identifier, target in targets.items():
        target.deliver(document)


def hand_to_clearing(document: Any, *, code: str, detail: str) -> None:
    for _identifier, target in targets.items():
        target.hand_to_clearing(document, code=code, detail=detail)


def resolve_clearing(document: Any, *, actor: Any) -> None:
    for _identifier, target in targets.items():
        target.resolve_clearing(document, actor=actor)


def reroute(document: Any, *, user: Any, note: str = "") -> None:
    for _identifier, target in targets.items():
        target.reroute(document, user=user, note=note)


def refresh_copies(document: Any) -> None:
    for _identifier, target in targets.items():
        target.refresh_copies(document)


def close_merged(document: Any, *, user: Any, note: str = "") -> None:
    for _identifier, target in targets.items():
        target.close_merged(document, user=user, note=note)
