// Lederavtaler: the page's only script (the Content-Security-Policy allows no inline script).
// Everything works without it; it adds live progress for running jobs and drag and drop for uploads.
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

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-kjorer]").forEach(pollJob);
  document.querySelectorAll(".slippsone").forEach(dropZone);
});
