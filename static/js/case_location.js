// The quick report's "use my location" button: asks the device for its position and puts it into the
// form's hidden lat / lng inputs. Loaded only on that page; no inline script (CSP). The messages
// come translated from the button's data-msg-* attributes.
(function () {
  "use strict";

  function say(status, text, failed) {
    status.textContent = text;
    status.classList.toggle("text-danger", failed);
    status.hidden = false;
  }

  function locate(button) {
    var form = button.closest("form");
    var status = form.querySelector("[data-location-status]");
    var lat = form.querySelector("input[name=lat]");
    var lng = form.querySelector("input[name=lng]");
    if (!navigator.geolocation || !window.isSecureContext) {
      say(status, button.getAttribute("data-msg-unavailable"), true);
      return;
    }
    button.disabled = true;
    say(status, button.getAttribute("data-msg-locating"), false);
    navigator.geolocation.getCurrentPosition(
      function (position) {
        lat.value = position.coords.latitude.toFixed(6);
        lng.value = position.coords.longitude.toFixed(6);
        button.disabled = false;
        say(status, button.getAttribute("data-msg-located") + " " + lat.value + ", " + lng.value, false);
      },
      function (error) {
        button.disabled = false;
        var denied = error.code === error.PERMISSION_DENIED;
        say(status, button.getAttribute(denied ? "data-msg-denied" : "data-msg-unavailable"), true);
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }

  // A form sent back with an error keeps its point: say so.
  document.querySelectorAll("[data-use-location]").forEach(function (button) {
    var form = button.closest("form");
    var lat = form.querySelector("input[name=lat]");
    var lng = form.querySelector("input[name=lng]");
    if (lat.value && lng.value) {
      say(form.querySelector("[data-location-status]"), button.getAttribute("data-msg-located") + " " + lat.value + ", " + lng.value, false);
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-use-location]");
    if (button) { event.preventDefault(); locate(button); }
  });
})();
