/*
 * For printing (print.css): every link in the page's text gets its address in full, so that a
 * printed guide still leads to its sources. The address is made absolute here, where relative
 * links are resolved; a link whose text is its address already gets none. Without JavaScript
 * print.css falls back to the addresses of external links as they stand in the page.
 */
(function () {
  "use strict";

  function mark() {
    var links = document.querySelectorAll(".md-content article a[href]");
    Array.prototype.forEach.call(links, function (link) {
      var raw = link.getAttribute("href");
      var text = link.textContent.trim();
      var wanted = !(raw.charAt(0) === "#" || link.classList.contains("headerlink") || text === raw || text === link.href);
      link.setAttribute("data-kb-print-url", wanted ? link.href : "");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
})();
