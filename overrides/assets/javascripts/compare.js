/*
 * The definitions matrix (templates/definition-index.md.j2): choose two definitions and see only
 * their columns, with the rows on which they differ marked "differs" (and, if asked, only those
 * rows). The choice lives in the page's address (?a=osaid-1-0&b=open-weight-definition), so a
 * comparison can be shared. Without JavaScript the whole matrix shows, marked where any of the
 * definitions differ.
 */
(function () {
  "use strict";

  function enhance(box) {
    var form = box.querySelector("form[data-kb-compare-form]");
    var status = box.querySelector("[data-kb-status]");
    var table = box.querySelector("table");
    if (!form || !table) return;
    var first = form.elements.a;
    var second = form.elements.b;
    var only = form.elements.only;
    var names = {};
    Array.prototype.forEach.call(first.options, function (option) { names[option.value] = option.textContent; });

    function chosen() {
      var picked = [first.value, second.value].filter(Boolean);
      return picked.length === 2 && picked[0] !== picked[1] ? picked : null;
    }

    function writeAddress() {
      window.kbView.write({ a: first.value, b: second.value, only: only.checked ? only.value : "" });
    }

    function apply() {
      var pair = chosen();
      Array.prototype.forEach.call(table.querySelectorAll("[data-kb-definition]"), function (cell) {
        cell.hidden = !!pair && pair.indexOf(cell.getAttribute("data-kb-definition")) < 0;
      });
      var differing = 0;
      var rows = table.tBodies[0].rows;
      Array.prototype.forEach.call(rows, function (row) {
        var values = {};
        Array.prototype.forEach.call(row.querySelectorAll("td[data-kb-definition]"), function (cell) {
          if (!cell.hidden) values[cell.getAttribute("data-value")] = true;
        });
        var differs = Object.keys(values).length > 1;
        row.querySelector("[data-kb-differs]").hidden = !differs;
        row.classList.toggle("kb-row--differs", differs);
        row.hidden = only.checked && !differs;
        if (differs) differing += 1;
      });
      var what = pair ? names[pair[0]] + " and " + names[pair[1]] : "all " + (first.options.length - 1) + " definitions";
      status.textContent = (pair ? "Comparing " : "Showing ") + what + ": they differ on " + differing +
        " of " + rows.length + " rows" + (pair ? "." : ". Choose two to compare them side by side.");
      writeAddress();
    }

    var params = new URLSearchParams(window.location.search);
    [first, second].forEach(function (select) {
      var value = params.get(select.name) || "";
      select.value = Object.prototype.hasOwnProperty.call(names, value) ? value : "";
    });
    only.checked = params.get("only") === only.value;
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
    apply();
  }

  window.kbView.enhance("[data-kb-compare]", enhance);
})();
