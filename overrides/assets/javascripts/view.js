/*
 * Shared by listing.js and compare.js: a view's state kept in the page's address (so a filtered
 * table or a comparison can be bookmarked and shared), and starting each view once the page is
 * there. The address is replaced, not pushed: changing a filter adds no step to Back.
 */
(function () {
  "use strict";

  function write(values) {
    var url = new URL(window.location.href);
    Object.keys(values).forEach(function (name) {
      if (values[name]) url.searchParams.set(name, values[name]);
      else url.searchParams.delete(name);
    });
    if (url.href !== window.location.href) {
      window.history.replaceState(window.history.state, "", url.href);
    }
  }

  function enhance(selector, start) {
    function run() {
      Array.prototype.forEach.call(document.querySelectorAll(selector), function (element) {
        if (element.hasAttribute("data-kb-ready")) return;
        element.setAttribute("data-kb-ready", "");
        start(element);
      });
    }
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", run);
    } else {
      run();
    }
  }

  window.kbView = { write: write, enhance: enhance };
})();
