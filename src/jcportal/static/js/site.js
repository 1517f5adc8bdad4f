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
    keepInput();
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });

  /* Nothing typed is lost: the input of a page's forms is kept in this tab (sessionStorage, per path;
     the path is the same in every language) while the citizen switches the language or reloads, and put
     back into the empty fields; sending the form forgets it. Chosen files cannot be kept: switching the
     language then asks first. Leaving a changed form any other way warns (beforeunload). */
  function keepInput() {
    var storage;
    try { storage = window.sessionStorage; } catch (e) { return; }
    if (!storage) { return; }
    var forms = Array.prototype.filter.call(document.querySelectorAll("form[method=post]"), function (form) {
      return !form.hasAttribute("data-no-keep") && !form.querySelector("input[type=password]");
    });
    if (!forms.length) { return; }
    var key = "jcportal-input:" + window.location.pathname;
    var dirty = false;
    var leaving = false;
    function fields(form) {
      return Array.prototype.filter.call(form.elements, function (el) {
        return el.name && el.name !== "csrfmiddlewaretoken" && ["hidden", "password", "file", "submit", "button"].indexOf(el.type) < 0;
      });
    }
    function save() {
      var state = {};
      forms.forEach(function (form, index) {
        fields(form).forEach(function (el) {
          var name = index + ":" + el.name;
          if (el.type === "radio") { if (el.checked) { state[name] = el.value; } }
          else if (el.type === "checkbox") { (state[name] = state[name] || []); if (el.checked) { state[name].push(el.value); } }
          else { state[name] = el.value; }
        });
      });
      try { storage.setItem(key, JSON.stringify(state)); } catch (e) { /* full or disabled: nothing kept */ }
    }
    function restore() {
      // Only right after a language switch (or a reload of the same page): never over a page the server
      // filled itself on an ordinary visit.
      var switched = storage.getItem("jcportal-input-switch") === window.location.pathname;
      storage.removeItem("jcportal-input-switch");
      var reloaded = false;
      try { reloaded = performance.getEntriesByType("navigation")[0].type === "reload"; } catch (e) { reloaded = false; }
      if (!switched && !reloaded) { storage.removeItem(key); return; }
      var state;
      try { state = JSON.parse(storage.getItem(key) || "null"); } catch (e) { state = null; }
      if (!state) { return; }
      forms.forEach(function (form, index) {
        if (form.querySelector(".error-message, [aria-invalid=true]")) { return; }  // the server's answer wins
        fields(form).forEach(function (el) {
          var value = state[index + ":" + el.name];
          if (value === undefined) { return; }
          if (el.type === "radio") { if (el.value === value) { el.checked = true; } }
          else if (el.type === "checkbox") { el.checked = value.indexOf(el.value) >= 0; }
          else if (!el.value) { el.value = value; }
        });
      });
      dirty = true;
    }
    restore();
    forms.forEach(function (form) {
      form.addEventListener("input", function () { dirty = true; save(); });
      form.addEventListener("change", function () { dirty = true; save(); });
      form.addEventListener("submit", function () { leaving = true; storage.removeItem(key); });
    });
    var switcher = document.querySelector(".language-switcher");
    if (switcher) {
      switcher.addEventListener("click", function (event) {
        var link = event.target.closest("a");
        if (!link) { return; }
        var files = forms.some(function (form) {
          return form.querySelector("[data-upload-list] > *") ||  // pages kept by upload.js
            Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) { return input.files && input.files.length; });
        });
        if (files && !window.confirm(switcher.getAttribute("data-files-warning"))) { event.preventDefault(); return; }
        save();
        storage.setItem("jcportal-input-switch", window.location.pathname);
        leaving = true;
      });
    }
    var warn = forms.some(function (form) { return form.hasAttribute("data-warn-unsaved"); });
    window.addEventListener("beforeunload", function (event) {
      if (warn && dirty && !leaving) { event.preventDefault(); event.returnValue = ""; }
    });
  }
})();
