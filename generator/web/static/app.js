// Lederavtaler: the page's only script (the Content-Security-Policy allows no inline script).
// Everything works without it; it adds live progress for running jobs, drag and drop for uploads, and a
// search field and sortable columns to each table marked data-tabell.
"use strict";

function pollJob(panel) {
  var id = panel.getAttribute("data-jobb");
  function tick() {
    fetch("/jobb", {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.json(); })
      .then(function (job) {
        if (!job || String(job.id) !== id || !job.kjorer) {
          window.location.reload();
          return;
        }
        var box = panel.querySelector(".fremdrift");
        if (box) {
          box.textContent = "";
          job.trinn.forEach(function (stage) {
            var p = document.createElement("p");
            var label = document.createElement("label");
            label.appendChild(document.createTextNode(stage.tekst + " "));
            var bar = document.createElement("progress");
            bar.max = stage.av || 1;
            bar.value = stage.ferdig;
            label.appendChild(bar);
            label.appendChild(document.createTextNode(" " + stage.ferdig + " av " + stage.av));
            p.appendChild(label);
            box.appendChild(p);
          });
        }
        window.setTimeout(tick, 500);
      })
      .catch(function () { window.setTimeout(tick, 2000); });
  }
  window.setTimeout(tick, 300);
}

function dropZone(zone) {
  var input = zone.querySelector("input[type=file]");
  if (!input) { return; }
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("over");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      input.dispatchEvent(new Event("change"));
    }
  });
}

// --- Tables: <table data-tabell="ledere"> gets a search field above it and sortable column headers. ---------
// The attribute's value names the rows in «Viser N av M ledere». data-tabell-av="M" gives M when the page has
// already left rows out (the overview's filter); data-tabell-antall="ID" names the element that says the count
// (otherwise one is made beside the field). A header with data-usortert, or with no visible text, is not sortable.
// A short table is read at a glance: the search field comes from SEARCH_FROM rows, the sorting from two.
// Built for 5,000 rows: each row's text and sort keys are read once, when first needed; a search only toggles
// `hidden` on the rows whose state changes; a sort moves the rows once, in one fragment.

var collator = new Intl.Collator("nb", {numeric: true}); // as localeCompare(…, "nb"), made once
var DATE = /(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+kl\.\s*(\d{1,2})[.:](\d{2}))?/;
var NUMBER = /^[-\u2212]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?(?=\s|$)|^[-\u2212]?\d+(?:,\d+)?(?=\s|$)/;
var MARKS = /^[\u2713\u25d0\u2013]\s*/; // the overview's ✓ ◐ –, and – for «nothing»
var SEARCH_FROM = 6;
var tables = 0;

function cellText(cell) {
  return cell ? cell.textContent.replace(/\s+/g, " ").trim() : "";
}

// A cell's place in its column: dates (dd.mm.åååå, with «kl. tt.mm» if there), then numbers, then text, then
// empty cells ("", "–"), which stay last whichever way the column is sorted.
function sortKey(cell) {
  var text = cellText(cell).replace(MARKS, "");
  var date = DATE.exec(text);
  if (date) {
    return {rank: 0, value: Date.UTC(+date[3], +date[2] - 1, +date[1], +(date[4] || 0), +(date[5] || 0))};
  }
  var number = NUMBER.exec(text);
  if (number) {
    return {rank: 1, value: parseFloat(number[0].replace(/[ \u00a0\u202f]/g, "").replace("\u2212", "-").replace(",", "."))};
  }
  return text && text !== "-" ? {rank: 2, value: text} : {rank: 3, value: ""};
}

function compareKeys(a, b) {
  if (a.rank !== b.rank) { return a.rank - b.rank; }
  if (a.rank === 2) { return collator.compare(a.value, b.value); }
  return a.value < b.value ? -1 : (a.value > b.value ? 1 : 0);
}

function enhanceTable(table) {
  var body = table.tBodies[0];
  if (!body || !table.tHead || body.rows.length < 2) { return; }
  tables += 1;
  if (!table.id) { table.id = "tabell-" + tables; }
  var items = Array.prototype.map.call(body.rows, function (row, index) {
    return {row: row, index: index, text: null, keys: []};
  });
  if (items.length >= SEARCH_FROM) { searchField(table, items); }
  sortableHeaders(table, items);
}

// The search field, and the count it keeps up to date (read out by a screen reader when typing stops).
function searchField(table, items) {
  var noun = table.getAttribute("data-tabell") || "rader";
  var total = parseInt(table.getAttribute("data-tabell-av"), 10) || items.length;
  var box = document.createElement("div");
  box.className = "tabellsok";
  var label = document.createElement("label");
  var input = document.createElement("input");
  input.type = "search";
  input.id = table.id + "-sok";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.setAttribute("aria-controls", table.id);
  label.htmlFor = input.id;
  label.textContent = "Søk i tabellen";
  var named = document.getElementById(table.getAttribute("aria-labelledby") || "");
  if (named) { // which table, for a screen reader on a page with more than one
    var which = document.createElement("span");
    which.className = "skjult";
    which.textContent = " " + cellText(named);
    label.appendChild(which);
  }
  box.appendChild(label);
  box.appendChild(input);
  var count = document.getElementById(table.getAttribute("data-tabell-antall") || "");
  var suffix = count ? "." : "";
  if (!count) {
    count = document.createElement("span");
    count.className = "viser";
    box.appendChild(count);
  }
  if (!count.id) { count.id = table.id + "-antall"; }
  count.setAttribute("role", "status");
  input.setAttribute("aria-describedby", count.id);
  var place = table.parentNode.classList.contains("rull") ? table.parentNode : table;
  place.parentNode.insertBefore(box, place);

  function say(shown) {
    count.textContent = "Viser " + shown + " av " + total + " " + noun + suffix;
  }

  function search() {
    var words = input.value.toLocaleLowerCase("nb").split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (item) {
      if (item.text === null) { item.text = cellText(item.row).toLocaleLowerCase("nb"); }
      var match = words.every(function (word) { return item.text.indexOf(word) !== -1; });
      if (item.row.hidden === match) { item.row.hidden = !match; }
      if (match) { shown += 1; }
    });
    say(shown);
  }

  var waiting = null;
  function later() {
    window.clearTimeout(waiting);
    waiting = window.setTimeout(search, 150);
  }
  input.addEventListener("input", later);
  input.addEventListener("search", later);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); window.clearTimeout(waiting); search(); }
  });
  if (!suffix) { say(items.length); } // the page's own count stays until the first search
}

// The column headers: a button in each, aria-sort on the one sorted by.
function sortableHeaders(table, items) {
  var body = table.tBodies[0];
  var headers = table.tHead.rows[table.tHead.rows.length - 1].cells;
  Array.prototype.forEach.call(headers, function (th, column) {
    if (th.hasAttribute("data-usortert") || cellText(th) === cellText(th.querySelector(".skjult"))) {
      return; // nothing to see and press: a column of buttons («Fjern»)
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sorter";
    while (th.firstChild) { button.appendChild(th.firstChild); }
    var arrow = document.createElement("span");
    arrow.className = "pil";
    arrow.setAttribute("aria-hidden", "true");
    arrow.textContent = "\u00a0\u2195"; // a no-break space: the arrow stays with the last word
    button.appendChild(arrow);
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(headers, function (other) {
        other.removeAttribute("aria-sort");
        var mark = other.querySelector(".pil");
        if (mark) { mark.textContent = "\u00a0\u2195"; }
      });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      arrow.textContent = ascending ? "\u00a0\u25b2" : "\u00a0\u25bc";
      items.forEach(function (item) {
        if (!item.keys[column]) { item.keys[column] = sortKey(item.row.cells[column]); }
      });
      items.sort(function (a, b) {
        var x = a.keys[column];
        var y = b.keys[column];
        var order = (x.rank === 3 || y.rank === 3) ? x.rank - y.rank : compareKeys(x, y) * (ascending ? 1 : -1);
        return order || a.index - b.index;
      });
      var rows = document.createDocumentFragment();
      items.forEach(function (item) { rows.appendChild(item.row); });
      body.appendChild(rows);
    });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-kjorer]").forEach(pollJob);
  document.querySelectorAll(".slippsone").forEach(dropZone);
  document.querySelectorAll("table[data-tabell]").forEach(enhanceTable);
});
