"""Small registries that higher layers join, so that core never imports them.

``resumers``: name -> callable() -> int. Called periodically by ``core.tasks.resume_stalled_work``;
each returns how many stalled items it re-queued. The documents pipeline registers one.

``health_checks``: name -> (callable() -> (ok: bool, detail: str), required: bool). Used by /healthz.
"""

from collections.abc import Callable

resumers: dict[str, Callable[[], int]] = {}
health_checks: dict[str, tuple[Callable[[], tuple[bool, str]], Callable[[], bool]]] = {}


def register_resumer(name: str) -> Callable[[Callable[[], int]], Callable[[], int]]:
    def decorator(func: Callable[[], int]) -> Callable[[], int]:
        resumers[name] = func
        return func

    return decorator


def register_health_check(
    name: str, required: Callable[[], bool] = lambda: True
) -> Callable[[Callable[[], tuple[bool, str]]], Callable[[], tuple[bool, str]]]:
    def decorator(func: Callable[[], tuple[bool, str]]) -> Callable[[], tuple[bool, str]]:
        health_checks[name] = (func, required)
        return func

    return decorator
