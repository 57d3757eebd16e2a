// Photo upload: the chosen files' names, drag and drop onto the upload area, and a progress bar
// driven by htmx's upload progress. Delegated from the document, so forms swapped in later work too.
(function () {
  var zh = function () { return document.documentElement.lang.indexOf("zh") === 0; };

  function showChosen(input) {
    var zone = input.closest(".drop-zone");
    var out = zone && zone.querySelector(".chosen");
    if (!out) return;
    var names = Array.prototype.map.call(input.files || [], function (file) { return file.name; });
    if (!names.length) { out.textContent = ""; return; }
    var head = zh() ? "已选 " + names.length + " 个文件：" : names.length + (names.length === 1 ? " file: " : " files: ");
    out.textContent = head + names.slice(0, 5).join(zh() ? "、" : ", ") + (names.length > 5 ? " …" : "");
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches(".photo-upload input[type=file]")) showChosen(event.target);
  });

  function zoneOf(event) {
    return event.target.closest ? event.target.closest(".photo-upload .drop-zone") : null;
  }
  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var zone = zoneOf(event);
      if (!zone) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      zone.classList.add("dragging");
    });
  });
  document.addEventListener("dragleave", function (event) {
    var zone = zoneOf(event);
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("dragging");
  });
  document.addEventListener("drop", function (event) {
    var zone = zoneOf(event);
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("dragging");
    var input = zone.querySelector("input[type=file]");
    if (!input || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    showChosen(input);
  });

  function progressOf(event) {
    var form = event.target.closest && event.target.closest("form.photo-upload");
    return form ? form.querySelector(".upload-progress") : null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var bar = progressOf(event);
    if (bar) { bar.value = 0; bar.hidden = false; }
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var bar = progressOf(event);
    if (bar && event.detail.lengthComputable) bar.value = Math.round(event.detail.loaded * 100 / event.detail.total);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var bar = progressOf(event);
    if (!bar) return;
    bar.hidden = true;
    var form = bar.closest("form");
    if (event.detail.successful) {
      var input = form.querySelector("input[type=file]");
      input.value = "";
      showChosen(input);
    }
  });
})();
