"""Small registries that higher layers join, so that core never imports them.

``resumers``: name -> callable() -> int. Called periodically by ``core.tasks.resume_stalled_work``;
each returns how many stalled items it re-queued. The documents pipeline registers one.

``health_checks``: name -> (callable() -> (ok: bool, detail: str), required: bool). Used by /healthz.
"""

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

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


class Registry(Generic[T]):
    """One registry shape for everything pluggable (delivery targets, exporters, key providers,
    notification channels, workflows …): plugins register under an identifier with a decorator, the
    caller looks them up by identifier, configuration names identifiers – never ``if slug == …``.

        exporters: Registry[Exporter] = Registry("exporters")

        @exporters.register("hotfolder")
        class HotFolderExporter: ...

        exporters["hotfolder"]  # the registered object
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: dict[str, T] = {}

    def register(self, identifier: str, *, replace: bool = False) -> Callable[[T], T]:
        def decorator(item: T) -> T:
            if identifier in self._items and not replace and self._items[identifier] is not item:
                raise ValueError(f"{self.name}: {identifier!r} is already registered")
            self._items[identifier] = item
            return item

        return decorator

    def add(self, identifier: str, item: T, *, replace: bool = False) -> T:
        return self.register(identifier, replace=replace)(item)

    def __getitem__(self, identifier: str) -> T:
        try:
            return self._items[identifier]
        except KeyError:
            raise KeyError(f"{self.name}: nothing registered as {identifier!r}") from None

    def get(self, identifier: str, default: T | None = None) -> T | None:
        return self._items.get(identifier, default)

    def __contains__(self, identifier: object) -> bool:
        return identifier in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> list[tuple[str, T]]:
        return list(self._items.items())

    def identifiers(self) -> list[str]:
        return list(self._items)
