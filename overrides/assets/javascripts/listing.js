/*
 * The index tables of podcasts, papers, recommendations and data sets (templates/listing.md.j2):
 * narrowed by the filter form above each table, sorted by tablesort (vendor/tablesort) when a
 * column header is clicked or gets Enter. The filters and the sort live in the page's address
 * (?stakeholder=policymakers&length=short&sort=date&order=desc), so a view can be bookmarked or
 * shared and comes back as it was. Without JavaScript the form stays hidden and the whole table
 * shows, in the build's order.
 */
(function () {
  "use strict";

  var SORT = "sort";
  var ORDER = "order";

  // Lower-case, accents dropped: "Régulation" is found by "regulation".
  function fold(text) {
    return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  function controls(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && (el.tagName === "SELECT" || el.tagName === "INPUT");
    });
  }

  function hasOption(select, value) {
    return Array.prototype.some.call(select.options, function (option) {
      return option.value === value;
    });
  }

  function enhance(listing) {
    var form = listing.querySelector("form[data-kb-filter]");
    var status = listing.querySelector("[data-kb-status]");
    var table = listing.querySelector("table");
    if (!form || !table || !table.tBodies.length || !table.tHead) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var texts = rows.map(function (row) { return fold(row.textContent); });
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var sorter = window.Tablesort ? new window.Tablesort(table) : null;

    function sortedBy() {
      for (var i = 0; i < headers.length; i++) {
        var order = headers[i].getAttribute("aria-sort");
        if (order === "ascending" || order === "descending") {
          return { key: headers[i].getAttribute("data-kb-key"), order: order === "ascending" ? "asc" : "desc" };
        }
      }
      return null;
    }

    function writeAddress() {
      var values = {};
      controls(form).forEach(function (el) { values[el.name] = el.value.trim(); });
      var sort = sortedBy();
      values[SORT] = sort && sort.key ? sort.key : "";
      values[ORDER] = sort && sort.key ? sort.order : "";
      window.kbView.write(values);
    }

    function apply() {
      var terms = [];
      var facets = [];
      controls(form).forEach(function (el) {
        var value = el.value.trim();
        if (!value) return;
        if (el.name === "text") terms = fold(value).split(/\s+/).filter(Boolean);
        else facets.push({ name: el.name, value: value });
      });
      var shown = 0;
      rows.forEach(function (row, index) {
        var match = terms.every(function (term) { return texts[index].indexOf(term) >= 0; }) &&
          facets.every(function (facet) {
            return (row.getAttribute("data-" + facet.name) || "").split(" ").indexOf(facet.value) >= 0;
          });
        row.hidden = !match;
        if (match) shown += 1;
      });
      if (status) {
        status.textContent = shown === rows.length
          ? "Showing all " + rows.length + "."
          : "Showing " + shown + " of " + rows.length + (shown ? "." : ": none matches; choose “Show all” to clear the filters.");
      }
      writeAddress();
    }

    function readAddress() {
      var params = new URLSearchParams(window.location.search);
      controls(form).forEach(function (el) {
        var value = params.get(el.name) || "";
        if (el.tagName === "SELECT" && !hasOption(el, value)) value = "";
        el.value = value;
      });
      var key = params.get(SORT);
      var header = headers.filter(function (th) { return th.getAttribute("data-kb-key") === key; })[0];
      if (sorter && header && header.getAttribute("data-sort-method") !== "none") {
        // tablesort turns ascending into descending: start from the other order to land on the one asked.
        header.setAttribute("aria-sort", params.get(ORDER) === "desc" ? "ascending" : "descending");
        sorter.current = header;
        sorter.sortTable(header);
      }
    }

    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    table.addEventListener("afterSort", writeAddress);
    readAddress();
    form.hidden = false;
    apply();
  }

  window.kbView.enhance("[data-kb-listing]", enhance);
})();
