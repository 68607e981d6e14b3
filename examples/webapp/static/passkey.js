// Passkeys in plain JavaScript, for every form with a data-passkey
// attribute:
//
//   data-passkey="create"  registers a passkey (setup);
//   data-passkey="get"     uses one as the second step (login, step-up);
//   data-passkey="signin"  logs in without a password (login page), by the
//                          button, and by autofill: an input with
//                          autocomplete="username webauthn" offers the
//                          browser's passkeys (mediation "conditional").
//
// On submit the script asks the form's data-begin URL for the options (a
// POST carrying the form's fields, CSRF token included), hands them to
// navigator.credentials, puts the browser's answer as JSON in the form's
// hidden "response" field and submits the form: the server answers as it
// does any form. Binary values travel as base64url both ways; the
// conversions are written out here, as not every browser has
// PublicKeyCredential.parseCreationOptionsFromJSON and toJSON yet.
// Messages for an unsupported browser, a cancelled prompt and other
// failures come from the data attributes of the form's [data-passkey-error]
// element, in the page's language.
(function () {
  "use strict";

  function fromB64u(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }

  function toB64u(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeList(list) {
    (list || []).forEach(function (c) { c.id = fromB64u(c.id); });
  }

  // creationOptions and requestOptions turn the server's JSON into what
  // navigator.credentials.create and get take.
  function creationOptions(pk) {
    pk.challenge = fromB64u(pk.challenge);
    pk.user.id = fromB64u(pk.user.id);
    decodeList(pk.excludeCredentials);
    return pk;
  }

  function requestOptions(pk) {
    pk.challenge = fromB64u(pk.challenge);
    decodeList(pk.allowCredentials);
    return pk;
  }

  // answer is the browser's PublicKeyCredential as the server reads it.
  function answer(c) {
    var r = c.response, out = {
      id: c.id, rawId: toB64u(c.rawId), type: c.type,
      clientExtensionResults: c.getClientExtensionResults ? c.getClientExtensionResults() : {},
      response: { clientDataJSON: toB64u(r.clientDataJSON) }
    };
    if (c.authenticatorAttachment) { out.authenticatorAttachment = c.authenticatorAttachment; }
    if (r.attestationObject) {
      out.response.attestationObject = toB64u(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = toB64u(r.authenticatorData);
      out.response.signature = toB64u(r.signature);
      if (r.userHandle) { out.response.userHandle = toB64u(r.userHandle); }
    }
    return JSON.stringify(out);
  }

  // begin asks the server for the options. It resolves to the options, or
  // to null when the server sent the browser elsewhere or said no (shown).
  function begin(form, show) {
    var body = new URLSearchParams(new FormData(form));
    body.delete("response");
    return fetch(form.getAttribute("data-begin"), { method: "POST", body: body, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (j.next) { location.assign(j.next); return null; }
        if (j.error) { show(j.error); return null; }
        return j;
      });
  }

  function finish(form, credential) {
    form.elements.response.value = answer(credential);
    form.submit();
  }

  // errorShower shows messages in the form's error element.
  function errorShower(form) {
    var el = form.querySelector("[data-passkey-error]");
    return function (text) {
      el.textContent = text;
      el.hidden = !text;
    };
  }

  // explain turns a failed ceremony into the user's message.
  function explain(el, err) {
    switch (err && err.name) {
    case "NotAllowedError": return el.getAttribute("data-cancelled"); // cancelled, timed out, or no passkey here
    case "InvalidStateError": return el.getAttribute("data-exists"); // this authenticator is registered already
    default: return el.getAttribute("data-failed");
    }
  }

  var supported = !!(window.PublicKeyCredential && navigator.credentials);
  var conditional = null; // the AbortController of a pending autofill request

  // run performs one ceremony for the form's submit.
  function run(form) {
    var kind = form.getAttribute("data-passkey"), show = errorShower(form);
    var el = form.querySelector("[data-passkey-error]");
    var button = form.querySelector("button[type=submit]");
    if (conditional) { conditional.abort(); conditional = null; }
    show("");
    button.disabled = true;
    begin(form, show).then(function (o) {
      if (!o) { return null; }
      if (kind === "create") {
        return navigator.credentials.create({ publicKey: creationOptions(o.publicKey) });
      }
      return navigator.credentials.get({ publicKey: requestOptions(o.publicKey) });
    }).then(function (c) {
      if (c) { finish(form, c); } else { button.disabled = false; }
    }).catch(function (err) {
      show(explain(el, err));
      button.disabled = false;
    });
  }

  // autofill offers the browser's passkeys in the username field, where
  // the browser can (mediation "conditional"); choosing one logs in.
  function autofill(form) {
    if (!document.querySelector("input[autocomplete~=webauthn]") || !PublicKeyCredential.isConditionalMediationAvailable) {
      return;
    }
    PublicKeyCredential.isConditionalMediationAvailable().then(function (ok) {
      if (!ok) { return null; }
      return begin(form, function () {}).then(function (o) {
        if (!o) { return null; }
        conditional = new AbortController();
        return navigator.credentials.get({ mediation: "conditional", publicKey: requestOptions(o.publicKey), signal: conditional.signal });
      });
    }).then(function (c) {
      if (c) { finish(form, c); }
    }).catch(function () {
      // Aborted by the button, or nothing chosen: the button still works.
    });
  }

  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    if (!supported) {
      var show = errorShower(form);
      show(form.querySelector("[data-passkey-error]").getAttribute("data-unsupported"));
      form.querySelector("button[type=submit]").disabled = true;
      return;
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (form.reportValidity()) { run(form); }
    });
    if (form.getAttribute("data-passkey") === "signin") { autofill(form); }
  });
})();
