/* SPDX-License-Identifier: AGPL-3.0-or-later
   The workbench report: expand/collapse the drill-down lists, print, sort small tables.
   No network, no storage; the page reads fine without this script. */
(function () {
  "use strict";

  function drillDowns() {
    return Array.prototype.slice.call(document.querySelectorAll("main.wbr details"));
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest("[data-wbr-action]") : null;
    if (!button) { return; }
    var action = button.getAttribute("data-wbr-action");
    if (action === "expand" || action === "collapse") {
      drillDowns().forEach(function (d) { d.open = action === "expand"; });
    } else if (action === "print") {
      window.print();
    }
  });

  /* Sorting: a click (or Enter) on a header sorts by that column; again reverses. */
  function cellKey(row, index, numeric) {
    var cell = row.children[index];
    if (!cell) { return numeric ? -Infinity : ""; }
    var raw = cell.getAttribute("data-sort");
    if (numeric) {
      var value = raw === null || raw === "" ? NaN : parseFloat(raw);
      return isNaN(value) ? -Infinity : value;
    }
    return (cell.textContent || "").trim().toLowerCase();
  }

  function sortBy(table, header, index) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var numeric = header.classList.contains("wbr-num") || header.classList.contains("wbr-idcol");
    var descending = header.getAttribute("aria-sort") === "ascending";
    var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
      return { row: row, key: cellKey(row, index, numeric), i: i };
    });
    rows.sort(function (a, b) {
      var order = numeric ? a.key - b.key : a.key.localeCompare(b.key);
      if (order === 0 || isNaN(order)) { order = a.i - b.i; return order; }
      return descending ? -order : order;
    });
    rows.forEach(function (item) { body.appendChild(item.row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.wbr-sortable"), function (table) {
    if (!table.tHead || !table.tHead.rows.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      th.tabIndex = 0;
      th.title = document.documentElement.lang === "da" ? "Sortér efter denne kolonne" : "Sort by this column";
      th.addEventListener("click", function () { sortBy(table, th, index); });
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(table, th, index); }
      });
    });
  });
}());
