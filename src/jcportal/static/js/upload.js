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
      retrying: get("retrying", "Sending the rest…"),
      large: get("large", "Your photo is large ({size} MB). Send it smaller? That is faster."),
      smaller: get("smaller", "Send smaller"), keep: get("keep", "Keep as it is"),
      madeSmaller: get("made-smaller", "The photo will be sent smaller: {size} MB.")
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
    var smaller = downscaler(form, text, pages, function () { render(); });

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
        added.forEach(function (page) { announcePage(page, input); smaller.offer(page); });
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
      if (smaller.busy()) {  // a photo is still being made smaller: send when it is ready
        event.preventDefault();
        smaller.ready().then(function () { form.requestSubmit ? form.requestSubmit(submit || undefined) : form.submit(); });
        return;
      }
      smaller.record();
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

  /* Large photos made smaller in the browser, only when the citizen agrees (issue 14 point 5): for a
     photo over LARGE_BYTES or LARGE_PIXELS the page asks "Your photo is large (8 MB). Send it smaller?"
     in the citizen's language; only on "Send smaller" it is drawn on a canvas with the long side at most
     LONG_SIDE px and encoded as JPEG (QUALITY). Unanswered or "Keep as it is": the original bytes are
     sent. What was made smaller is recorded in the form's hidden "downscaled" field (stored with the
     document's file notices). */
  var LARGE_BYTES = 2.5 * 1024 * 1024, LARGE_PIXELS = 12e6, LONG_SIDE = 2480, QUALITY = 0.85;

  function downscaler(form, text, pages, changed) {
    var field = form.querySelector("[name=downscaled]");
    var pending = [];  // promises of conversions still running
    var queue = [];  // pages waiting for the citizen's answer
    if (!field || !window.HTMLCanvasElement || !window.Promise) {
      return { offer: function () {}, busy: function () { return false; }, ready: function () { return Promise.resolve(); }, record: function () {} };
    }
    var panel = document.createElement("div");
    panel.className = "notification downscale";
    panel.setAttribute("role", "alert");
    panel.setAttribute("data-downscale", "");
    panel.hidden = true;
    var preview = form.querySelector("[data-upload-preview]");
    form.insertBefore(panel, preview || form.querySelector("[data-upload-submit]"));

    function megabytes(bytes) {
      var value = Math.round(bytes / 104857.6) / 10;
      try { return value.toLocaleString(document.documentElement.lang || undefined); } catch (e) { return String(value); }
    }
    function load(file) {
      if (window.createImageBitmap) { return createImageBitmap(file); }  // turned upright from EXIF
      return new Promise(function (resolve, reject) {
        var img = new Image(), url = URL.createObjectURL(file);
        img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
        img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("not decodable")); };
        img.src = url;
      });
    }
    function button(label, className, handler) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = className;
      b.textContent = label;
      b.addEventListener("click", handler);
      return b;
    }
    function show() {
      while (queue.length && pages.indexOf(queue[0]) < 0) { queue.shift(); }
      panel.textContent = "";
      panel.hidden = !queue.length;
      if (!queue.length) { return; }
      var page = queue[0];
      var name = document.createElement("p");
      var strong = document.createElement("strong");
      strong.textContent = text.page + " " + (pages.indexOf(page) + 1) + ": " + page.file.name;
      name.appendChild(strong);
      var question = document.createElement("p");
      question.textContent = text.large.replace("{size}", megabytes(page.file.size));
      var actions = document.createElement("div");
      actions.className = "button-group";
      actions.appendChild(button(text.smaller, "button", function () { queue.shift(); convert(page); show(); }));
      actions.appendChild(button(text.keep, "button button--secondary", function () { queue.shift(); show(); }));
      panel.appendChild(name);
      panel.appendChild(question);
      panel.appendChild(actions);
    }
    function ask(page) {
      queue.push(page);
      if (queue.length === 1) { show(); }
    }
    function convert(page) {
      var original = page.file;
      var job = load(original).then(function (image) {
        var scale = Math.min(1, LONG_SIDE / Math.max(image.width, image.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(image.width * scale));
        canvas.height = Math.max(1, Math.round(image.height * scale));
        var context = canvas.getContext("2d");
        context.imageSmoothingEnabled = true;
        context.imageSmoothingQuality = "high";
        context.fillStyle = "#fff";  // a transparent PNG gets a white page, not a black one
        context.fillRect(0, 0, canvas.width, canvas.height);
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        var from = { width: image.width, height: image.height };
        if (image.close) { image.close(); }
        return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", QUALITY); }).then(function (blob) {
          if (!blob || blob.size >= original.size || pages.indexOf(page) < 0) { return; }  // not smaller: the original
          var name = original.name.replace(/\.[^.]*$/, "") + ".jpg";
          page.file = new File([blob], name, { type: "image/jpeg", lastModified: original.lastModified });
          page.downscaled = {
            name: name, original_name: original.name, original_size: original.size, size: blob.size,
            original_width: from.width, original_height: from.height, width: canvas.width, height: canvas.height
          };
          if (page.url) { URL.revokeObjectURL(page.url); }
          page.url = URL.createObjectURL(page.file);
          changed();
          var announce = form.querySelector("[data-upload-announce]");
          if (announce) { announce.textContent = text.madeSmaller.replace("{size}", megabytes(blob.size)); }
        });
      }).catch(function () { /* not decodable here: the original is sent */ });
      pending.push(job);
      job.then(function () { pending.splice(pending.indexOf(job), 1); });
    }
    return {
      offer: function (page) {
        var file = page.file;
        if (!/^image\/(jpeg|png|webp)$/.test(file.type || "")) { return; }
        if (file.size > LARGE_BYTES) { ask(page); return; }
        load(file).then(function (image) {
          var pixels = image.width * image.height;
          if (image.close) { image.close(); }
          if (pixels > LARGE_PIXELS && pages.indexOf(page) >= 0) { ask(page); }
        }).catch(function () {});
      },
      busy: function () { return pending.length > 0; },
      ready: function () { return Promise.all(pending.slice()); },
      record: function () {
        field.value = JSON.stringify(pages.filter(function (page) { return page.downscaled; })
          .map(function (page) { return page.downscaled; }));
      }
    };
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
