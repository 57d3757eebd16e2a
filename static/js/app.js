// Small behaviours around htmx: show server errors that htmx does not swap.
document.addEventListener("htmx:responseError", function (event) {
  var flash = document.getElementById("flash");
  if (!flash) return;
  // An inert document: markup in the answer is read as text, never loaded or run.
  var box = new DOMParser().parseFromString(event.detail.xhr.responseText || "", "text/html");
  var text = (box.querySelector(".flash, p") || box.body).textContent.trim();
  if (!text || text.length > 300) text = document.documentElement.lang.startsWith("zh") ? "操作失败，请刷新页面后重试。" : "The request failed. Reload the page and try again.";
  flash.innerHTML = "";
  var p = document.createElement("p");
  p.className = "flash flash-error";
  p.setAttribute("role", "alert");
  p.textContent = text;
  flash.appendChild(p);
});
document.addEventListener("htmx:sendError", function () {
  var flash = document.getElementById("flash");
  if (flash) flash.innerHTML = '<p class="flash flash-error" role="alert">' + (document.documentElement.lang.startsWith("zh") ? "网络连接失败，请检查网络后重试。" : "Network error: check the connection and try again.") + "</p>";
});

// Active search without htmx evaluating a trigger filter (the Content-Security-Policy forbids eval):
// a form marked data-live-search hears "live-search" on each keystroke, but not while an input
// method composes Chinese characters (pinyin); the finished word (compositionend) counts as one.
function liveSearch(event) {
  if (event.isComposing) return;
  var form = event.target.closest && event.target.closest("form[data-live-search]");
  if (form) form.dispatchEvent(new CustomEvent("live-search"));
}
document.addEventListener("input", liveSearch);
document.addEventListener("compositionend", liveSearch);
