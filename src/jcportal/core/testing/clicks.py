"""Count the clicks a person makes in a browser test, across page loads.

The issue's click budgets ("seen + done in two clicks") are counted from the browser's own trusted click
events, not from the test's calls, so a test cannot undercount by reaching past the user interface.
"""

from __future__ import annotations

_SCRIPT = """
(() => {
  if (window.__jcpClicks) return;
  window.__jcpClicks = true;
  document.addEventListener('click', (event) => {
    if (!event.isTrusted) return;
    const count = Number(sessionStorage.getItem('jcp-clicks') || '0') + 1;
    sessionStorage.setItem('jcp-clicks', String(count));
  }, true);
})();
"""


class ClickCounter:
    """Install on a page before the flow starts; ``count`` is the number of clicks since the last reset."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        page.context.add_init_script(_SCRIPT)
        self._offset = 0
        if page.url.startswith("http"):
            page.evaluate(_SCRIPT)

    def _stored(self) -> int:
        if not self.page.url.startswith("http"):
            return 0
        return int(self.page.evaluate("() => Number(sessionStorage.getItem('jcp-clicks') || '0')"))

    @property
    def count(self) -> int:
        return self._stored() - self._offset

    def reset(self) -> None:
        self._offset = self._stored()
