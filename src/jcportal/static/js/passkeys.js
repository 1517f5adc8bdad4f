/* Passkeys (WebAuthn): login ([data-passkey-login]) and "Add a passkey" ([data-passkey-register]).
   Without JavaScript both stay hidden and a <noscript> note says that passkeys need JavaScript. */
(function () {
  "use strict";

  function toBytes(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBytes(item.id), transports: item.transports };
    });
  }

  function post(url, container, body) {
    var token = container.querySelector("input[name=csrfmiddlewaretoken]");
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.error || ""); }
        return data;
      });
    });
  }

  function showError(container, message) {
    var target = container.querySelector("[data-passkey-error]");
    if (target) { target.textContent = message; }
  }

  function supported(container) {
    if (window.PublicKeyCredential && navigator.credentials) { return true; }
    container.hidden = false;
    Array.prototype.forEach.call(container.querySelectorAll("button, input"), function (el) { el.disabled = true; });
    showError(container, container.getAttribute("data-unsupported"));
    return false;
  }

  function setUpLogin(container) {
    if (!supported(container)) { return; }
    container.hidden = false;
    var button = container.querySelector("[data-passkey-button]");
    button.addEventListener("click", function () {
      button.disabled = true;
      showError(container, "");
      post(container.getAttribute("data-options-url"), container).then(function (options) {
        options.challenge = toBytes(options.challenge);
        options.allowCredentials = descriptors(options.allowCredentials);
        return navigator.credentials.get({ publicKey: options });
      }).then(function (credential) {
        var response = credential.response;
        return post(container.getAttribute("data-verify-url"), container, {
          next: container.getAttribute("data-next") || "",
          credential: {
            id: credential.id,
            rawId: toBase64url(credential.rawId),
            type: credential.type,
            response: {
              clientDataJSON: toBase64url(response.clientDataJSON),
              authenticatorData: toBase64url(response.authenticatorData),
              signature: toBase64url(response.signature),
              userHandle: response.userHandle ? toBase64url(response.userHandle) : null
            },
            clientExtensionResults: credential.getClientExtensionResults()
          }
        });
      }).then(function (data) {
        window.location.assign(data.redirect);
      }).catch(function () {
        button.disabled = false;
        showError(container, container.getAttribute("data-failed"));
      });
    });
  }

  function setUpRegistration(form) {
    if (!supported(form)) { return; }
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      showError(form, "");
      post(form.getAttribute("data-options-url"), form).then(function (options) {
        options.challenge = toBytes(options.challenge);
        options.user.id = toBytes(options.user.id);
        options.excludeCredentials = descriptors(options.excludeCredentials);
        return navigator.credentials.create({ publicKey: options });
      }).then(function (credential) {
        var response = credential.response;
        return post(form.getAttribute("data-verify-url"), form, {
          name: form.querySelector("input[name=name]").value,
          credential: {
            id: credential.id,
            rawId: toBase64url(credential.rawId),
            type: credential.type,
            response: {
              clientDataJSON: toBase64url(response.clientDataJSON),
              attestationObject: toBase64url(response.attestationObject),
              transports: response.getTransports ? response.getTransports() : []
            },
            clientExtensionResults: credential.getClientExtensionResults()
          }
        });
      }).then(function (data) {
        window.location.assign(data.redirect);
      }).catch(function () {
        button.disabled = false;
        showError(form, form.getAttribute("data-failed"));
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-passkey-login]"), setUpLogin);
    Array.prototype.forEach.call(document.querySelectorAll("[data-passkey-register]"), setUpRegistration);
  });
})();
