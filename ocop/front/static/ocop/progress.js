// Polls a background job's progress and moves its bar; reloads the page when the job is over.
// Used by any <progress data-url="…" data-progress-text="id-of-a-text-element"> on the page
// (spreadsheet imports, stamp generation). The URL answers {"percent": n, "done": bool}.
// Without JavaScript the page refreshes itself (<meta refresh> inside <noscript>).
(function () {
  "use strict";
  var bar = document.querySelector("progress[data-url]");
  if (!bar || !window.fetch) { return; }
  var text = document.getElementById(bar.getAttribute("data-progress-text") || "");
  var url = bar.getAttribute("data-url");
  var delay = 1000;

  function show(percent) {
    bar.value = percent;
    bar.textContent = percent + " %";
    if (text) { text.textContent = percent + " %"; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) {
        show(state.percent || 0);
        if (state.done) {
          window.location.reload();
        } else {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        // A hiccup (server restart, network): try again, more slowly.
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
