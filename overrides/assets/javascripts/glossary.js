/*
 * Glossary terms in running text are <abbr title="one-sentence definition"> elements, made by
 * the abbreviations that `kb build` appends to each page that uses them (tooltips.py). Material
 * shows their tooltip on hover; this script makes each one reachable by keyboard (focus shows the same tooltip) and
 * leads to the term's glossary entry on click or Enter. Without JavaScript the title still
 * shows on hover and the glossary page lists every term.
 */
(function () {
  "use strict";

  function siteBase() {
    var config = document.getElementById("__config");
    try {
      return new URL(JSON.parse(config.textContent).base + "/", document.baseURI);
    } catch (error) {
      return new URL("./", document.baseURI);
    }
  }

  function enhance(terms, base) {
    var abbrs = document.querySelectorAll(".md-content abbr[title]");
    Array.prototype.forEach.call(abbrs, function (abbr) {
      var path = terms[abbr.textContent.trim()];
      abbr.setAttribute("tabindex", "0");
      if (!path) return;
      var href = new URL(path, base).href;
      abbr.setAttribute("role", "link");
      // The title holds the definition HTML-escaped (see tooltips.definitions): decode it as
      // text in an inert document for screen readers.
      var text = new DOMParser().parseFromString(abbr.getAttribute("title") || "", "text/html");
      abbr.setAttribute("aria-description", text.documentElement.textContent);
      abbr.dataset.glossaryHref = href;
      abbr.addEventListener("click", function () { window.location.href = href; });
      abbr.addEventListener("keydown", function (event) {
        if (event.key === "Enter") window.location.href = href;
      });
    });
  }

  function start() {
    var base = siteBase();
    fetch(new URL("glossary/terms.json", base))
      .then(function (response) { return response.ok ? response.json() : {}; })
      .catch(function () { return {}; })
      .then(function (terms) { enhance(terms, base); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
