/* Online services: progressive enhancement only; every form works without this file. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Prevent double submission (slow phone connections), keep the button's name in the request.
    document.querySelectorAll("form.eforms-form, form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.getAttribute("data-submitting") === "1") { event.preventDefault(); return; }
        form.setAttribute("data-submitting", "1");
        window.setTimeout(function () { form.removeAttribute("data-submitting"); }, 8000);
      });
    });
    // Show the names of chosen files next to the camera/file input.
    document.querySelectorAll('input[type="file"]').forEach(function (input) {
      var output = document.createElement("p");
      output.className = "hint";
      output.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", output);
      input.addEventListener("change", function () {
        var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
        output.textContent = names.join(", ");
      });
    });
  });
})();
