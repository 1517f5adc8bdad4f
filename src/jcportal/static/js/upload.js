/* Progressive enhancement of the upload form and the confirmation page.
   Without this file the plain multipart form works; with it the citizen sees thumbnails of the
   chosen pages and can move or remove them before sending. Files are sent in the shown order
   through the first file input (DataTransfer), so the server sees an ordinary form post; where fetch
   works, they are sent in parts instead (resumable, with a progress bar) and complete into the same
   document. */
(function () {
  "use strict";

  function strings() {
    var t = document.querySelector("[data-upload-strings]");
    var get = function (name, fallback) { return (t && t.getAttribute("data-" + name)) || fallback; };
    return {
      up: get("move-up", "Move up"), down: get("move-down", "Move down"), remove: get("remove", "Remove"),
      page: get("page", "Page"), removed: get("removed", "Page removed."), moved: get("moved", "Page moved."),
      sending: get("sending", "Sending…"), progress: get("progress", "{sent} of {total} MB sent"),
      retrying: get("retrying", "Sending the rest…")
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
    form.classList.add("upload-form--js");  // the file inputs become big buttons (their labels)

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

    var submit = form.querySelector("[data-upload-submit]");

    // The plain form post: the pages in the shown order through the first file input.
    function preparePlain() {
      var transfer = new DataTransfer();
      pages.forEach(function (page) { transfer.items.add(page.file); });
      inputs[0].files = transfer.files;
      for (var i = 1; i < inputs.length; i++) { inputs[i].value = ""; }
    }

    form.addEventListener("submit", function (event) {
      if (!pages.length) { return; }
      if (submit) { submit.disabled = true; submit.textContent = text.sending; }
      if (resumable.supported(form)) {
        event.preventDefault();
        resumable.send(form, pages.map(function (page) { return page.file; }), text, function () {
          preparePlain();
          form.submit();  // the server's answer explains what to change
        });
        return;
      }
      preparePlain();
    });
  }

  /* Resumable upload in parts (portal/views_uploads_resumable.py): announce the form's fields and the
     files' sizes, send each file in parts, and after a dropped connection ask the server which parts it
     has and send only the missing ones; "complete" creates the document and names the receipt page. */
  var resumable = {
    supported: function (form) {
      return !!(form.getAttribute("data-parts-url") && window.fetch && window.FormData && window.Blob && Blob.prototype.slice);
    },
    send: function (form, files, text, fallback) {
      var box = form.querySelector("[data-upload-progress]");
      var bar = form.querySelector("[data-upload-progress-bar]");
      var label = form.querySelector("[data-upload-progress-text]");
      var csrf = (form.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
      var total = files.reduce(function (sum, file) { return sum + file.size; }, 0);
      var mb = function (bytes) { return (bytes / 1048576).toFixed(1); };
      var upload = null;
      var parts = [];  // {file, start, end}: numbered from 1 through all files in order
      var done = [];  // the part numbers the server has
      var failures = 0;

      function show(sent) {
        var percent = total ? Math.floor(sent * 100 / total) : 100;
        box.hidden = false;
        bar.value = percent;
        label.textContent = percent + " % – " + text.progress.replace("{sent}", mb(sent)).replace("{total}", mb(total));
      }
      function sentBytes() {
        return done.reduce(function (sum, n) { return sum + parts[n - 1].end - parts[n - 1].start; }, 0);
      }
      function post(url, body) {
        return fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf } });
      }
      function next() {
        for (var n = 1; n <= parts.length; n++) { if (done.indexOf(n) < 0) { return n; } }
        return 0;
      }
      function step() {
        var number = next();
        if (!number) { return finish(); }
        var part = parts[number - 1];
        fetch(upload.status_url + number + "/", {
          method: "PUT", body: part.file.slice(part.start, part.end), credentials: "same-origin",
          headers: { "X-CSRFToken": csrf, "Content-Type": "application/octet-stream" }
        }).then(function (response) {
          if (!response.ok) { throw new Error("part"); }
          failures = 0;
          done.push(number);
          show(sentBytes());
          step();
        }).catch(resume);
      }
      // After a dropped connection: ask the server which parts it has, then continue from there.
      function resume() {
        failures += 1;
        if (failures > 8) { fallback(); return; }
        label.textContent = text.retrying;
        window.setTimeout(function () {
          fetch(upload.status_url, { credentials: "same-origin" }).then(function (response) {
            if (!response.ok) { throw new Error("status"); }
            return response.json();
          }).then(function (answer) {
            done = answer.received;
            show(sentBytes());
            step();
          }).catch(resume);
        }, Math.min(1000 * failures, 5000));
      }
      function finish() {
        post(upload.complete_url, new FormData()).then(function (response) {
          if (response.status === 409) {
            return response.json().then(function (answer) { done = answer.received; step(); });
          }
          if (!response.ok) { throw new Error("complete"); }
          return response.json().then(function (answer) { window.location.assign(answer.redirect); });
        }).catch(function () {
          failures += 1;
          if (failures > 8) { fallback(); return; }
          window.setTimeout(finish, Math.min(1000 * failures, 5000));
        });
      }

      var body = new FormData(form);
      inputs(form).forEach(function (input) { body.delete(input.name); });
      body.set("files", JSON.stringify(files.map(function (file) { return { name: file.name, size: file.size }; })));
      show(0);
      post(form.getAttribute("data-parts-url"), body).then(function (response) {
        if (response.status !== 201) { throw new Error("announce"); }
        return response.json();
      }).then(function (answer) {
        upload = answer;
        files.forEach(function (file) {
          for (var start = 0; start < file.size || start === 0; start += upload.part_size) {
            parts.push({ file: file, start: start, end: Math.min(start + upload.part_size, file.size) });
          }
        });
        step();
      }).catch(function () { box.hidden = true; fallback(); });
    }
  };

  function inputs(form) { return Array.prototype.slice.call(form.querySelectorAll("[data-upload-input]")); }

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
