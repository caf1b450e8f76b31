// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.body.classList.add("js-enabled");
  // Move focus to the error summary so screen-reader and keyboard users hear the problems first.
  var summary = document.querySelector("[data-module='error-summary']");
  if (summary) {
    summary.focus();
  }
  // Read-only links (join link, personal link): select all on focus, for easy copying.
  document.querySelectorAll("input[readonly]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  // The live dashboard (htmx refreshes #live): a control to pause the updates (WCAG 2.2.2), and no update
  // while the keyboard focus is inside the figures, so nobody loses their place.
  var controls = document.getElementById("live-controls");
  var toggle = document.getElementById("live-toggle");
  var paused = false;
  if (controls && toggle) {
    controls.hidden = false;
    toggle.addEventListener("click", function () {
      paused = !paused;
      toggle.setAttribute("aria-pressed", paused ? "true" : "false");
      toggle.textContent = paused ? "Resume live updates" : "Pause live updates";
    });
  }
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var live = event.detail.elt;
    if (paused || (live && live.contains(document.activeElement))) {
      event.preventDefault();
    }
  });
  // Live views answer conditional requests: send the ETag of what is on screen, and the server answers
  // 304 Not Modified (no body; htmx swaps nothing) until something shown has changed.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var etag = event.detail.elt.getAttribute("data-etag");
    if (etag) {
      event.detail.headers["If-None-Match"] = etag;
    }
  });
  // The presenter view: a button to fill the screen (where the browser allows it).
  var full = document.getElementById("full-screen");
  if (full && document.fullscreenEnabled) {
    full.hidden = false;
    full.addEventListener("click", function () {
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        document.documentElement.requestFullscreen();
      }
    });
  }
})();
