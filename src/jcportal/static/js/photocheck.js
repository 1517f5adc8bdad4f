/* The photo check at capture: when the citizen chooses a photo on the upload page, look at a
   downscaled grayscale copy on a canvas and ask them to take it again if it is blurred, too dark, or
   the page is cut off at the edge. They may send it anyway; nothing is ever blocked.
   Same measures and thresholds as documents/photocheck.py (which checks again on the server).
   upload.js announces each chosen page with an "upload:page-added" event on the form. */
(function () {
  "use strict";

  var SIZE = 800, MIN_SIDE = 600, DARK_P95 = 90, BLUR_RATIO = 0.45, MIN_CONTRAST = 40, BAND = 0.015,
    PAPER_SHARE = 0.6, EDGE_SHARE = 0.5, MIN_EDGE_DENSITY = 0.004;

  function histogram(values, width, box) {
    var h = new Array(256).fill(0);
    var x0 = Math.max(0, box[0]), y0 = Math.max(0, box[1]), x1 = box[2], y1 = box[3];
    var rows = values.length / width;
    for (var y = y0; y < y1; y++) {
      for (var x = x0; x < x1; x++) {
        if (x < width && y < rows) { h[values[y * width + x]] += 1; } else { h[0] += 1; } // PIL pads with 0
      }
    }
    return h;
  }

  function total(h) { return h.reduce(function (a, b) { return a + b; }, 0); }

  function percentile(h, share) {
    var limit = total(h) * share, running = 0;
    for (var v = 0; v < 256; v++) { running += h[v]; if (running >= limit) { return v; } }
    return 255;
  }

  function topMean(h, share) {
    var wanted = Math.max(1, total(h) * share), taken = 0, weighted = 0;
    for (var v = 255; v >= 0; v--) {
      var count = Math.min(h[v], wanted - taken);
      if (count <= 0) { continue; }
      taken += count; weighted += v * count;
      if (taken >= wanted) { break; }
    }
    return taken ? weighted / taken : 0;
  }

  function shareAtLeast(h, threshold) {
    var all = total(h), above = 0;
    for (var v = Math.max(0, threshold); v < 256; v++) { above += h[v]; }
    return all ? above / all : 0;
  }

  function measure(gray, width, height) {
    var full = histogram(gray, width, [0, 0, width, height]);
    var p95 = percentile(full, 0.95), p5 = percentile(full, 0.05);
    var contrast = percentile(full, 0.99) - percentile(full, 0.01);
    var w = width - 2, h = height - 2, edges = new Uint8Array(w * h);
    for (var y = 1; y < height - 1; y++) {
      for (var x = 1; x < width - 1; x++) {
        var i = y * width + x;
        var lap = gray[i - 1] + gray[i + 1] + gray[i - width] + gray[i + width] - 4 * gray[i];
        edges[(y - 1) * w + (x - 1)] = Math.min(255, Math.abs(lap));
      }
    }
    var sharpness = topMean(histogram(edges, w, [0, 0, w, h]), 0.005) / Math.max(contrast, 1);
    var edgeThreshold = Math.max(8, Math.round(contrast * 0.25));
    var paperThreshold = Math.floor((p95 + p5) / 2);
    var dx = Math.floor(width / 10), dy = Math.floor(height / 10);
    var inside = shareAtLeast(histogram(edges, w, [dx, dy, width - dx, height - dy]), edgeThreshold);
    var cut = [];
    if (inside >= MIN_EDGE_DENSITY && contrast >= MIN_CONTRAST) {
      var bx = Math.max(2, Math.round(width * BAND)), by = Math.max(2, Math.round(height * BAND));
      var strips = [
        [[0, 0, width, by], [0, 0, w, by]],
        [[0, height - by, width, height], [0, h - by, w, h]],
        [[0, 0, bx, height], [0, 0, bx, h]],
        [[width - bx, 0, width, height], [w - bx, 0, w, h]]
      ];
      strips.forEach(function (strip) {
        var paper = shareAtLeast(histogram(gray, width, strip[0]), paperThreshold);
        var density = shareAtLeast(histogram(edges, w, strip[1]), edgeThreshold);
        if (paper >= PAPER_SHARE && density >= inside * EDGE_SHARE) { cut.push(strip); }
      });
    }
    var codes = [];
    if (contrast >= MIN_CONTRAST && sharpness < BLUR_RATIO) { codes.push("photo_blurry"); }
    if (p95 < DARK_P95) { codes.push("photo_dark"); }
    if (cut.length) { codes.push("photo_cut_off"); }
    return codes;
  }

  function load(file) {
    if (window.createImageBitmap) { return createImageBitmap(file); } // turned upright from EXIF
    return new Promise(function (resolve, reject) {
      var img = new Image(), url = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("not decodable")); };
      img.src = url;
    });
  }

  /* The codes for one file (a Promise); [] for other files, small images or anything undecodable. */
  function analyse(file) {
    if (!/^image\/(jpeg|heic|heif|webp)$/.test(file.type || "")) { return Promise.resolve([]); }
    return load(file).then(function (image) {
      var long = Math.max(image.width, image.height);
      if (long < MIN_SIDE) { return []; }
      var scale = Math.min(1, SIZE / long);
      var width = Math.max(1, Math.round(image.width * scale)), height = Math.max(1, Math.round(image.height * scale));
      var canvas = document.createElement("canvas");
      canvas.width = width; canvas.height = height;
      var context = canvas.getContext("2d");
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = "medium";
      context.drawImage(image, 0, 0, width, height);
      if (image.close) { image.close(); }
      var rgba = context.getImageData(0, 0, width, height).data, gray = new Uint8Array(width * height);
      for (var i = 0, j = 0; i < gray.length; i++, j += 4) {
        gray[i] = (rgba[j] * 19595 + rgba[j + 1] * 38470 + rgba[j + 2] * 7471 + 32768) >> 16; // as PIL "L"
      }
      return measure(gray, width, height);
    }).catch(function () { return []; });
  }

  window.jcPhotoCheck = { analyse: analyse };

  function strings() {
    var t = document.querySelector("[data-photo-check-strings]");
    var get = function (name, fallback) { return (t && t.getAttribute("data-" + name)) || fallback; };
    return {
      photo_blurry: get("blurry", "The photo looks blurred."),
      photo_dark: get("dark", "The photo looks very dark."),
      photo_cut_off: get("cut-off", "The page seems to be cut off at the edge of the photo."),
      again: get("again", "Take it again?"), retake: get("retake", "Take again"), send: get("send", "Send anyway")
    };
  }

  function enhance(form) {
    var text = strings();
    var queue = []; // {detail, codes}
    var panel = document.createElement("div");
    panel.className = "notification notification--warning photo-check";
    panel.setAttribute("role", "alert");
    panel.setAttribute("data-photo-check", "");
    panel.hidden = true;
    var preview = form.querySelector("[data-upload-preview]");
    form.insertBefore(panel, preview || form.querySelector("[data-upload-submit]"));

    function button(label, className, handler) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = className;
      b.textContent = label;
      b.addEventListener("click", handler);
      return b;
    }

    function next() {
      queue.shift();
      show();
    }

    function show() {
      while (queue.length && !queue[0].detail.present()) { queue.shift(); }
      panel.textContent = "";
      panel.hidden = !queue.length;
      if (!queue.length) { return; }
      var current = queue[0];
      var name = document.createElement("p");
      var strong = document.createElement("strong");
      strong.textContent = current.detail.label();
      name.appendChild(strong);
      var question = document.createElement("p");
      question.textContent = current.codes.map(function (code) { return text[code]; }).join(" ") + " " + text.again;
      var actions = document.createElement("div");
      actions.className = "button-group";
      actions.appendChild(button(text.retake, "button", function () {
        current.detail.remove();
        next();
        if (current.detail.input) { current.detail.input.click(); }
      }));
      actions.appendChild(button(text.send, "button button--secondary", next));
      panel.appendChild(name);
      panel.appendChild(question);
      panel.appendChild(actions);
    }

    form.addEventListener("upload:page-added", function (event) {
      var detail = event.detail;
      analyse(detail.file).then(function (codes) {
        if (!codes.length || !detail.present()) { return; }
        queue.push({ detail: detail, codes: codes });
        if (queue.length === 1) { show(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-upload-form]");
    if (form) { enhance(form); }
  });
})();
