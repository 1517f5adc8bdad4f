/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
    // A link in the error summary moves the focus to its field (not only the scroll position), with
    // the field's label or legend in view (GOV.UK pattern).
    document.querySelectorAll("[data-error-summary] a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
        if (!target) { return; }
        event.preventDefault();
        var fieldset = target.closest("fieldset");
        var caption = fieldset ? fieldset.querySelector("legend") : document.querySelector("label[for='" + target.id + "']");
        (caption || target).scrollIntoView();
        target.focus({ preventScroll: true });
      });
    });
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });
})();
