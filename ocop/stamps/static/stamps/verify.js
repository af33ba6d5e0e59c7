// Verifies a signed OCOP stamp in the browser with WebCrypto Ed25519, against the
// published key set (/.well-known/ocop-stamp-keys.json). Same grammar and message as
// ocop/stamps/codes.py, which documents them.
//
// Use:
//   OcopStamp.verify(scannedText, keySet) -> Promise<{ok, reason, kid, province, identity}>
//     reason: "valid" | "malformed" | "unsigned" | "unknown_key" | "bad_signature" | "unsupported"
//   OcopStamp.fetchKeys(url) -> Promise<keySet>
// Or declaratively: an element
//   <p data-stamp-verify data-code="(scanned text)" data-keys-url="/.well-known/ocop-stamp-keys.json"
//      data-text-valid="…" data-text-bad_signature="…" …></p>
// gets data-result="<reason>" and the matching data-text-<reason> as its text.
(function () {
  "use strict";
  var ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  var C = "[0-9A-HJKMNP-TV-Z]";
  var URI_RE = new RegExp(
    "^(?:[A-Z][A-Z0-9+.-]*://[^/]+(?:/[^/]+)*?)?/?" +
    "(01/(\\d{14})/10/([0-9A-Z][0-9A-Z.-]{0,19})/21/(" + C + "{20})|S/(" + C + "{20}))" +
    "(?:/K/([0-9A-Z]{1,16})/G/(" + C + "{103}))?/?$"
  );
  var PREFIX = "OCOPSTAMP1/";

  function gtinOk(gtin) {
    var total = 0;
    var body = gtin.slice(0, -1);
    for (var i = 0; i < body.length; i++) {
      var digit = body.charCodeAt(body.length - 1 - i) - 48;
      total += digit * (i % 2 === 0 ? 3 : 1);
    }
    return (10 - (total % 10)) % 10 === gtin.charCodeAt(13) - 48;
  }

  // 103 Crockford characters -> 64 bytes, big-endian; null when the 3 padding bits are set.
  function decodeSignature(text) {
    var bits = 0;
    var value = 0;
    var out = [];
    var first = ALPHABET.indexOf(text.charAt(0));
    if (first > 3) { return null; }
    value = first;
    bits = 2;
    for (var i = 1; i < text.length; i++) {
      value = (value << 5) | ALPHABET.indexOf(text.charAt(i));
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        out.push((value >> bits) & 255);
        value &= (1 << bits) - 1;
      }
    }
    return out.length === 64 ? new Uint8Array(out) : null;
  }

  function parse(text) {
    if (typeof text !== "string" || text.length > 512) { return null; }
    var cleaned = text.trim().split("#")[0].split("?")[0].toUpperCase();
    var m = URI_RE.exec(cleaned);
    if (!m) { return null; }
    if (m[2] && !gtinOk(m[2])) { return null; }
    var signature = null;
    if (m[7]) {
      signature = decodeSignature(m[7]);
      if (!signature) { return null; }
    }
    return { identity: m[1], serial: m[4] || m[5], gtin: m[2] || "", lot: m[3] || "", kid: m[6] || "", signature: signature };
  }

  function fromBase64Url(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function findKey(keySet, kid) {
    var keys = (keySet && keySet.keys) || [];
    for (var i = 0; i < keys.length; i++) {
      if (String(keys[i].kid).toUpperCase() === kid && keys[i].crv === "Ed25519") { return keys[i]; }
    }
    return null;
  }

  function verify(text, keySet) {
    var stamp = parse(text);
    if (!stamp) { return Promise.resolve({ ok: false, reason: "malformed" }); }
    var base = { identity: stamp.identity, kid: stamp.kid };
    if (!stamp.signature) { return Promise.resolve(Object.assign({ ok: false, reason: "unsigned" }, base)); }
    var key = findKey(keySet, stamp.kid);
    if (!key) { return Promise.resolve(Object.assign({ ok: false, reason: "unknown_key" }, base)); }
    if (!window.crypto || !window.crypto.subtle) {
      return Promise.resolve(Object.assign({ ok: false, reason: "unsupported" }, base));
    }
    var message = new TextEncoder().encode(PREFIX + stamp.kid + "/" + stamp.identity);
    return window.crypto.subtle
      .importKey("raw", fromBase64Url(key.x), { name: "Ed25519" }, false, ["verify"])
      .then(function (publicKey) {
        return window.crypto.subtle.verify({ name: "Ed25519" }, publicKey, stamp.signature, message);
      })
      .then(function (good) {
        return Object.assign({ ok: good, reason: good ? "valid" : "bad_signature", province: key.province }, base);
      })
      .catch(function () {
        // A browser without Ed25519 in WebCrypto: say so rather than "forged".
        return Object.assign({ ok: false, reason: "unsupported" }, base);
      });
  }

  function fetchKeys(url) {
    return fetch(url, { headers: { "Accept": "application/json" } }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    });
  }

  function run(element) {
    var code = element.getAttribute("data-code") || "";
    var url = element.getAttribute("data-keys-url") || "/.well-known/ocop-stamp-keys.json";
    fetchKeys(url)
      .then(function (keySet) { return verify(code, keySet); })
      .catch(function () { return { ok: false, reason: "unsupported" }; })
      .then(function (result) {
        element.setAttribute("data-result", result.reason);
        var label = element.getAttribute("data-text-" + result.reason);
        if (label) { element.textContent = label; }
        element.dispatchEvent(new CustomEvent("stamp-verified", { bubbles: true, detail: result }));
      });
  }

  window.OcopStamp = { parse: parse, verify: verify, fetchKeys: fetchKeys };

  function runAll() {
    var elements = document.querySelectorAll("[data-stamp-verify]");
    for (var i = 0; i < elements.length; i++) { run(elements[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", runAll);
  } else {
    runAll();
  }
})();
