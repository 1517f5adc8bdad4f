"""The inbox as the target of ``documents.delivery`` (registered in ``InboxConfig.ready``).

``documents`` never imports the inbox: the intake hands documents over through this target, and the
document corrections (``documents.corrections``) tell it when a document changed type or household or was
appended to another one. Only the inbox writes inbox items and their events.
"""

from __future__ import annotations

from typing import Any

from . import corrections, services


class InboxDelivery:
    def deliver(self, document) -> None:  # type: ignore[no-untyped-def]
        services.route_document(document)

    def hand_to_clearing(self, document, *, code: str, detail: str) -> None:  # type: ignore[no-untyped-def]
        services.hand_to_clearing(document, code=code, detail=detail)

    def resolve_clearing(self, document, *, actor: Any) -> None:  # type: ignore[no-untyped-def]
        services.resolve_clearing(document, actor=actor)

    def reroute(self, document, *, user: Any, note: str = "") -> None:  # type: ignore[no-untyped-def]
        corrections.reroute(document, user=user, note=note)

    def refresh_copies(self, document) -> None:  # type: ignore[no-untyped-def]
        corrections.refresh_copies(document)

    def close_merged(self, document, *, user: Any, note: str = "") -> None:  # type: ignore[no-untyped-def]
        corrections.close_merged(document, user=user, note=note)
