// Scan page: the consumer may share their position to tell the province of the scan.
// Nothing is sent unless they press the button; the position is rounded to 0.1 degree (about 11 km)
// before it leaves the phone, and the server keeps only the province it falls in.
(function () {
  "use strict";
  var form = document.getElementById("place-form");
  if (!form || !window.fetch) { return; }
  var button = document.getElementById("geo-button");
  var status = document.getElementById("place-status");

  function say(text) { status.textContent = text; }

  function send(data) {
    return fetch(form.action, {
      method: "POST",
      body: data,
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) {
          say(body.message || "");
          form.querySelector(".place-row").hidden = true;
          if (button) { button.hidden = true; }
        } else {
          say((body.errors || []).join(" "));
        }
      });
    }).catch(function () { form.submit(); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    data.delete("lat");
    data.delete("lon");
    send(data);
  });

  if (button && navigator.geolocation) {
    button.hidden = false;
    button.addEventListener("click", function () {
      say(button.getAttribute("data-sending"));
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var data = new FormData(form);
          data.set("lat", position.coords.latitude.toFixed(1));
          data.set("lon", position.coords.longitude.toFixed(1));
          data.delete("province");
          send(data);
        },
        function () { say(button.getAttribute("data-denied")); },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 }
      );
    });
  }
})();
