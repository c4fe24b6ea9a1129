// Response clocks that keep up while the page is open. The server renders
// every clock (the working-day calendar, business hours and the wording
// stay in one place); this script asks for the page again every minute,
// and at once when the tab comes back into view, and puts the fresh clocks
// in place of the old ones. Without JavaScript the clocks are as of the
// page's load.
(function () {
  "use strict";
  var selector = "[data-live-clock]";
  if (!document.querySelector(selector)) {
    return;
  }
  var busy = false;

  function refresh() {
    if (busy || document.visibilityState === "hidden") {
      return;
    }
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (res) {
        return res.ok ? res.text() : null;
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelectorAll(selector);
        var shown = document.querySelectorAll(selector);
        // A ticket opened or closed meanwhile changes the list: the clocks
        // no longer pair up, and the next load of the page shows them.
        if (fresh.length !== shown.length) {
          return;
        }
        shown.forEach(function (el, i) {
          el.replaceWith(document.importNode(fresh[i], true));
        });
      })
      .catch(function () {
        // Offline or signed out: keep the clocks as they are.
      })
      .then(function () {
        busy = false;
      });
  }

  window.setInterval(refresh, 60000);
  document.addEventListener("visibilitychange", refresh);
})();
