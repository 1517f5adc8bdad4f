/* Progressive enhancement of the upload form and the confirmation page.
   Without this file the plain multipart form works; with it the citizen sees thumbnails of the
   chosen pages and can move or remove them before sending. Files are sent in the shown order
   through the first file input (DataTransfer), so the server sees an ordinary form post. */
(function () {
  "use strict";

  function strings() {
    var t = document.querySelector("[data-upload-strings]");
    var get = function (name, fallback) { return (t && t.getAttribute("data-" + name)) || fallback; };
    return {
      up: get("move-up", "Move up"), down: get("move-down", "Move down"), remove: get("remove", "Remove"),
      page: get("page", "Page"), removed: get("removed", "Page removed."), moved: get("moved", "Page moved."),
      sending: get("sending", "Sending…")
    };
  }

  function enhanceForm(form) {
    if (typeof DataTransfer === "undefined") { return; }
    var inputs = Array.prototype.slice.call(form.querySelectorAll("[data-upload-input]"));
    var preview = form.querySelector("[data-upload-preview]");
    var list = form.querySelector("[data-upload-list]");
    var announce = form.querySelector("[data-upload-announce]");
    var text = strings();
    var pages = []; // {file, url}

    function say(message) { if (announce) { announce.textContent = ""; announce.textContent = message; } }

    function button(label, handler) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button--secondary";
      b.textContent = label;
      b.addEventListener("click", handler);
      return b;
    }

    function render() {
      list.textContent = "";
      pages.forEach(function (page, index) {
        var item = document.createElement("li");
        item.className = "upload-preview__item";
        var img = document.createElement("img");
        img.className = "upload-preview__thumb";
        img.alt = "";
        if (page.url) { img.src = page.url; }
        var name = document.createElement("span");
        name.className = "upload-preview__name";
        name.textContent = text.page + " " + (index + 1) + ": " + page.file.name;
        var actions = document.createElement("span");
        actions.className = "upload-preview__actions";
        if (index > 0) {
          actions.appendChild(button(text.up, function () { move(index, -1); }));
        }
        if (index < pages.length - 1) {
          actions.appendChild(button(text.down, function () { move(index, 1); }));
        }
        actions.appendChild(button(text.remove, function () { removePage(index); }));
        item.appendChild(img);
        item.appendChild(name);
        item.appendChild(actions);
        list.appendChild(item);
      });
      preview.hidden = pages.length === 0;
    }

    function move(index, delta) {
      var target = index + delta;
      var moved = pages.splice(index, 1)[0];
      pages.splice(target, 0, moved);
      render();
      say(text.moved);
    }

    function removePage(index) {
      var removed = pages.splice(index, 1)[0];
      if (removed.url) { URL.revokeObjectURL(removed.url); }
      render();
      say(text.removed);
    }

    // A hook for other enhancements (photocheck.js): each chosen page, with what they may do with it.
    function announcePage(page, input) {
      form.dispatchEvent(new CustomEvent("upload:page-added", { detail: {
        file: page.file, input: input,
        present: function () { return pages.indexOf(page) >= 0; },
        label: function () { return text.page + " " + (pages.indexOf(page) + 1) + ": " + page.file.name; },
        remove: function () { var i = pages.indexOf(page); if (i >= 0) { removePage(i); } }
      } }));
    }

    inputs.forEach(function (input) {
      input.addEventListener("change", function () {
        var added = [];
        Array.prototype.forEach.call(input.files, function (file) {
          var url = /^image\/(jpeg|png|webp|gif)$/.test(file.type) ? URL.createObjectURL(file) : "";
          added.push({ file: file, url: url });
        });
        pages.push.apply(pages, added);
        input.value = "";
        render();
        added.forEach(function (page) { announcePage(page, input); });
      });
    });

    form.addEventListener("submit", function () {
      if (!pages.length) { return; }
      var transfer = new DataTransfer();
      pages.forEach(function (page) { transfer.items.add(page.file); });
      inputs[0].files = transfer.files;
      for (var i = 1; i < inputs.length; i++) { inputs[i].value = ""; }
      var submit = form.querySelector("[data-upload-submit]");
      if (submit) { submit.disabled = true; submit.textContent = text.sending; }
    });
  }

  function pollStatus(region) {
    var url = region.getAttribute("data-refresh-url");
    if (!url || !window.fetch) { return; }
    var attempts = 0;
    function tick() {
      attempts += 1;
      fetch(url, { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (!html) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("[data-document-status]");
        if (!fresh) { return; }
        region.innerHTML = fresh.innerHTML;
        if (fresh.getAttribute("data-refresh-url") && attempts < 60) {
          window.setTimeout(tick, 3000);
        }
      }).catch(function () { /* keep the link to update by hand */ });
    }
    window.setTimeout(tick, 2000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-upload-form]");
    if (form) { enhanceForm(form); }
    var status = document.querySelector("[data-document-status][data-refresh-url]");
    if (status) { pollStatus(status); }
  });
})();
