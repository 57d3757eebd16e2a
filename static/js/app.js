// Messages where the eye is: the answer to an htmx action that failed appears beside the control
// that asked (inside its form), is scrolled into view and focused; a request that never reached the
// server offers a retry; a write refused because the login or the form token expired keeps the form
// as typed and offers to send it again once logged in. Markup comes from the server (translated):
// the error fragments of renovation/errors.py and the <template>s at the end of base.html.

function feedbackAnchor(elt) {
  return (elt.closest && elt.closest("form")) || elt;
}

function clearFeedback(anchor) {
  var old = anchor.tagName === "FORM" ? anchor.querySelectorAll(":scope > .htmx-feedback") : [];
  Array.prototype.forEach.call(old, function (box) { box.remove(); });
  var next = anchor.nextElementSibling;
  if (next && next.classList.contains("htmx-feedback")) next.remove();
}

function isTyping() {
  var active = document.activeElement;
  return !!active && active.matches("input:not([type=submit]):not([type=button]):not([type=file]), textarea");
}

// Puts ``box`` beside the element that sent the request and remembers how to send it again.
function showFeedback(detail, box) {
  var elt = detail.elt;
  var config = detail.requestConfig || {};
  var anchor = feedbackAnchor(elt);
  if (config.boosted && anchor.tagName !== "FORM") anchor = document.getElementById("flash") || anchor;
  clearFeedback(anchor);
  box.feedbackSource = elt;
  box.feedbackTrigger = config.triggeringEvent ? config.triggeringEvent.type : null;
  box.setAttribute("tabindex", "-1");
  if (anchor.tagName === "FORM" || anchor.id === "flash") anchor.appendChild(box);
  else anchor.insertAdjacentElement("afterend", box);
  box.scrollIntoView({ block: "nearest" });
  // Someone typing (a live search) keeps the caret; the alert is read out all the same.
  if (!isTyping()) box.focus({ preventScroll: true });
}

function feedbackFromTemplate(id) {
  var template = document.getElementById(id);
  return template ? template.content.firstElementChild.cloneNode(true) : null;
}

// The server's answer to a failed request, parsed inertly: our own feedback fragment is kept as it
// is, anything else is read as text into the generic message.
function feedbackFromResponse(xhr) {
  var parsed = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
  var own = parsed.body.querySelector(":scope > .htmx-feedback");
  if (own) return document.importNode(own, true);
  var box = feedbackFromTemplate("failed-feedback");
  var text = (parsed.querySelector(".flash, p") || parsed.body).textContent.trim();
  if (box && text && text.length <= 300) box.querySelector("[data-message]").textContent = text;
  return box;
}

// Sends the same request again, as the user would: submitting the form or using the control.
function replayRequest(elt, triggerType) {
  if (!elt || !document.body.contains(elt)) return;
  if (elt.tagName === "FORM" && (!triggerType || triggerType === "submit")) {
    if (elt.requestSubmit) elt.requestSubmit(); else htmx.trigger(elt, "submit");
  } else if (!triggerType || triggerType === "click") {
    elt.click();
  } else {
    htmx.trigger(elt, triggerType);
  }
}

// A fresh form token for the current login, written wherever the page keeps one.
function refreshCsrfToken() {
  var url = document.body.getAttribute("data-csrf-token-url");
  return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
    .then(function (response) {
      if (!response.ok) throw new Error("not logged in");
      return response.json();
    })
    .then(function (data) {
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      headers["X-CSRFToken"] = data.csrf_token;
      document.body.setAttribute("hx-headers", JSON.stringify(headers));
      document.querySelectorAll("input[name=csrf_token]").forEach(function (input) { input.value = data.csrf_token; });
      return data.csrf_token;
    });
}

// Still logged out: point at the way to log in again rather than failing silently.
function pointToLogin(box) {
  var login = box.querySelector("a[target=_blank]");
  if (login) login.focus(); else box.focus();
  announce(box.querySelector("p").textContent);
}

function resubmitAfterLogin(box) {
  refreshCsrfToken().then(function () {
    box.remove();
    replayRequest(box.feedbackSource, box.feedbackTrigger);
  }, function () { pointToLogin(box); });
}

document.addEventListener("htmx:responseError", function (event) {
  var box = feedbackFromResponse(event.detail.xhr);
  if (box) showFeedback(event.detail, box);
});
document.addEventListener("htmx:sendError", function (event) {
  var box = feedbackFromTemplate("offline-feedback");
  if (box) showFeedback(event.detail, box);
});
document.addEventListener("htmx:beforeRequest", function (event) {
  clearFeedback(feedbackAnchor(event.detail.elt));
});
document.addEventListener("click", function (event) {
  var retry = event.target.closest("[data-feedback-retry]");
  var resubmit = event.target.closest("[data-feedback-resubmit]");
  var box = (retry || resubmit) && (retry || resubmit).closest(".htmx-feedback");
  if (!box) return;
  event.preventDefault();
  if (retry) { box.remove(); replayRequest(box.feedbackSource, box.feedbackTrigger); }
  else resubmitAfterLogin(box);
});

// A full-page post refused for an expired login (errors/session_expired.html) holds the values as
// they were typed: send them again with a token of the new login.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("form[data-fresh-token]")) return;
  event.preventDefault();
  refreshCsrfToken().then(function () { form.submit(); }, function () {
    var box = form.closest(".session-expired");
    if (box) pointToLogin(box);
  });
});

// --- Focus after htmx swaps -------------------------------------------------------------------

// Reads ``text`` out through the page's live region (a fresh node, so a repeat is read again).
function announce(text) {
  var region = document.getElementById("announcer");
  if (!region || !text) return;
  region.textContent = "";
  window.setTimeout(function () { region.textContent = text.trim(); }, 50);
}

function focusElement(element) {
  if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) element.setAttribute("tabindex", "-1");
  element.focus({ preventScroll: true });
  element.scrollIntoView({ block: "nearest" });
}

// The field to start typing in: the first in error, else the first of a form shown (not one folded
// away in a closed <details>, like a stage card's photo upload).
function firstField(container) {
  var fields = container.querySelectorAll("[aria-invalid=true], form input:not([type=hidden]):not([disabled]), " +
                                          "form select:not([disabled]), form textarea:not([disabled])");
  var visible = Array.prototype.filter.call(fields, function (field) { return !field.closest("details:not([open])") && field.getClientRects().length > 0;
  });
  return visible.filter(function (field) { return field.getAttribute("aria-invalid") === "true"; })[0] || visible[0];
}

function isPaging(elt) {
  return !!(elt && elt.closest && elt.closest("nav.pagination, [rel=next], [rel=prev]"));
}

// Paging: the reader goes to the top of the new results, focused on their heading or count.
function focusNewResults(results) {
  var heading = results.querySelector("h2, h3, .result-count") || results;
  results.scrollIntoView({ block: "start" });
  focusElement(heading);
}

// After a swap that took away the focused control (opening a form, saving, cancelling): what the
// fragment marks data-focus-after-swap (a result or an error message of a form that stays open) gets
// the focus, else a new form's first field (or the first field in error), else the fragment itself.
function placeFocusAfterSwap(event) {
  var swapped = event.target;
  var detail = event.detail;
  if (!(swapped instanceof Element) || detail.boosted) return;
  if (swapped.swappedOutOfBand) { delete swapped.swappedOutOfBand; return; }
  // A form asked for when its <details> was opened (登记协商, 登记诉求): its first field, as if it had been there.
  var waiting = swapped.closest("details[data-focus-on-load]");
  if (waiting) {
    waiting.removeAttribute("data-focus-on-load");
    var first = waiting.open && firstField(swapped);
    if (first) focusElement(first);
    return;
  }
  var trigger = detail.requestConfig && detail.requestConfig.elt;
  var status = swapped.querySelector(":scope .flash, :scope [role=status]");
  if (status) announce(status.textContent);
  if (isPaging(trigger)) { focusNewResults(swapped); return; }
  // What came by itself (a preview loaded with the page, a status polled) is not where the user acted.
  if (trigger && /^\s*(load|every )/.test(trigger.getAttribute("hx-trigger") || "")) return;
  var active = document.activeElement;
  var lost = !active || active === document.body || !document.body.contains(active);
  if (!lost && !(trigger && swapped.contains(trigger) && !document.body.contains(trigger))) return;
  focusElement(swapped.querySelector("[data-focus-after-swap]") || firstField(swapped) || swapped);
}
document.addEventListener("htmx:afterSettle", placeFocusAfterSwap);
// What came along out of band (a project's demand figures beside the demand just saved) is not where
// the user acted: the focus follows the main swap, not the first element settled. (htmx tells every
// element settled so far, the main target included; the out-of-band one has the target's id.)
function markOutOfBand(event) {
  var target = event.detail.target;
  if (event.target === target || (target && target.id && event.target.id === target.id)) event.target.swappedOutOfBand = true;
}
document.addEventListener("htmx:oobAfterSwap", markOutOfBand);

// A form folded in a <details> (登记协商, 登记诉求, 办理与记录) opened by its summary gets the focus on
// its first field, like a form opened by htmx (the first two are asked for when opened: see above). Only when the user opens it: a <details> the server
// sends open (a form refused) leaves the focus to placeFocusAfterSwap.
function focusFormOnOpen(event) {
  var summary = event.target.closest && event.target.closest("summary");
  var details = summary && summary.parentElement;
  if (!details || details.tagName !== "DETAILS" || details.open) return;
  // Its form comes when it opens (a .form-slot asks for it): placeFocusAfterSwap focuses it then.
  if (details.querySelector(".form-slot")) { details.setAttribute("data-focus-on-load", ""); return; }
  if (!details.querySelector("form")) return;
  details.addEventListener("toggle", function () {
    var field = details.open && firstField(details);
    if (field) focusElement(field);
  }, { once: true });
}
document.addEventListener("click", focusFormOnOpen);

// Escape cancels the form being filled in: its cancel control, or the <details> that holds it.
function cancelOnEscape(event) {
  if (event.key !== "Escape" || event.defaultPrevented) return;
  var form = event.target.closest && event.target.closest("form");
  if (!form) return;
  var cancel = form.querySelector("[data-cancel]") || form.querySelector(".actions a[role=button][hx-get]");
  if (cancel) { event.preventDefault(); cancel.click(); return; }
  var details = form.closest("details[open]");
  if (details) {
    event.preventDefault();
    details.open = false;
    details.querySelector("summary").focus();
  }
}
document.addEventListener("keydown", cancelOnEscape);

// A boosted navigation swaps only the body: the page's language (after switching) comes along here.
function followPageLanguage(event) {
  if (!event.detail.boosted || !event.detail.xhr) return;
  var found = /<html[^>]*\slang="([^"]+)"/i.exec(event.detail.xhr.responseText || "");
  if (found) document.documentElement.lang = found[1];
}
document.addEventListener("htmx:afterSwap", followPageLanguage);

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
