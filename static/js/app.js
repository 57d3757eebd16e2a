// Small behaviours around htmx: show server errors that htmx does not swap.
document.addEventListener("htmx:responseError", function (event) {
  var flash = document.getElementById("flash");
  if (!flash) return;
  var box = document.createElement("div");
  box.innerHTML = event.detail.xhr.responseText || "";
  var text = (box.querySelector(".flash, p") || box).textContent.trim();
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
