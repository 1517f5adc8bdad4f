/* Inbox keyboard shortcuts (progressive enhancement; every action also works with links and buttons).
 * Elements with data-shortcut="x" are activated by the key x. Lists marked data-inbox-list get j/k to
 * move the selection and Enter to open it. Nothing happens while focus is in a field or a modifier key
 * is held, so typing and the screen reader's own keys keep working; Tab order is untouched (no traps). */
(function () {
  "use strict";
  function typing(target) {
    if (!target) { return false; }
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector("[data-inbox-list]");
    var rows = list ? Array.prototype.slice.call(list.querySelectorAll("tbody tr")) : [];
    var selected = -1;
    function select(index) {
      if (!rows.length) { return; }
      if (selected >= 0 && rows[selected]) { rows[selected].removeAttribute("data-selected"); }
      selected = Math.max(0, Math.min(rows.length - 1, index));
      rows[selected].setAttribute("data-selected", "");
      var link = rows[selected].querySelector("[data-inbox-link]");
      if (link) { link.focus(); }
    }
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
      var key = event.key;
      if (rows.length && (key === "j" || key === "k")) {
        select(selected + (key === "j" ? 1 : -1));
        event.preventDefault();
        return;
      }
      if (key === "/") {
        var field = document.querySelector(".filter-bar select, .filter-bar input:not([type=hidden])");
        if (field) { field.focus(); event.preventDefault(); }
        return;
      }
      var target = null;
      document.querySelectorAll("[data-shortcut]").forEach(function (el) {
        if (!target && el.getAttribute("data-shortcut") === key) { target = el; }
      });
      if (target) {
        event.preventDefault();
        target.click();
      }
    });
  });
})();
