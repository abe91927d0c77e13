// Instaclone's small progressive enhancements. Every feature works without this file.
// No inline handlers anywhere (the Content-Security-Policy forbids them): behaviour that templates
// ask for by data attribute lives here, by event delegation.
// Confirmations are hx-confirm on htmx forms (the profile's Block form posts with htmx and falls back to a
// plain POST without JavaScript).
// Dialogs close with <form method="dialog"> buttons (no script); search waits with hx-trigger modifiers
// (`input changed delay:250ms`). htmx key filters (`keydown[...]`) need eval, which the CSP forbids: Enter
// to post a comment is in engagement.js.
(function () {
  "use strict";

  // Errors from htmx requests reach the person once, here, as a toast (#toasts, removed after 8 s).
  // The one channel is the `showToast` event: every error this server answers to htmx goes through
  // instaclone.views.error_response, which sends `HX-Trigger: {"showToast": "<line>"}`; htmx
  // dispatches that event before htmx:responseError.
  // The htmx:responseError listener is only the fallback for answers that never passed through
  // error_response and so carry no HX-Trigger: a proxy's 502/504 while the app is restarting, or
  // Django's bare 405. It toasts a sentence chosen by status (it does not read the body, which for
  // those is a proxy's HTML page or empty). A response with an HX-Trigger header has already been
  // toasted by the showToast listener and is skipped. Never both for one response.
  // A form with its own error region (the new-post form, posts.js) stops both events from bubbling.
  var FALLBACK = {
    400: "That request could not be understood. Please reload the page.",
    403: "You can't do that.",
    404: "That is no longer available.",
    405: "That didn't work. Reload the page and try again.",
    429: "Slow down a little and try again.",
    502: "The server can't answer right now. Please try again in a moment.",
    503: "The server can't answer right now. Please try again in a moment.",
    504: "The server took too long to answer. Please try again.",
  };
  function toastBox() {
    // Fixed at the bottom of the screen: the page may be scrolled far below its message region.
    var box = document.getElementById("toasts");
    if (!box) {
      box = document.createElement("div");
      box.id = "toasts";
      box.className = "toasts";
      document.body.appendChild(box);
    }
    return box;
  }
  // A request nobody asked for (the nav badge's poll, marked data-background-request) never toasts:
  // while the server is away it would say so every 30 s.
  function background(event) {
    var elt = (event.detail && event.detail.elt) || event.target;
    return !!(elt && elt.closest && elt.closest("[data-background-request]"));
  }
  // The badge's poll (hx-headers sends X-Background: 1, so it is no activity for the session's idle
  // timeout) waits while the tab is hidden: no request from a tab nobody looks at. (A trigger filter
  // `[document.visibilityState === 'visible']` would need eval, which htmx-config forbids.)
  document.addEventListener("htmx:configRequest", function (event) {
    if (background(event) && document.visibilityState === "hidden") event.preventDefault();
  });
  // The one toast of the site, also for other scripts (share.js's "Link copied"):
  // window.instaclone.toast(text, "error") is an alert that stays 8 s, "success" a polite status for 4 s.
  function toast(text, kind) {
    var error = kind !== "success";
    var box = toastBox();
    // The same line twice (a second tap on a post that is gone) keeps one toast, shown anew.
    var same = Array.prototype.find.call(box.children, function (el) { return el.textContent === text; });
    if (same) {
      clearTimeout(same.dataset.timer);
      same.dataset.timer = setTimeout(function () { same.remove(); }, error ? 8000 : 4000);
      return;
    }
    var div = document.createElement("div");
    div.className = error ? "message message--error" : "message message--success";
    div.setAttribute("role", error ? "alert" : "status");
    div.textContent = text;
    box.appendChild(div);
    div.dataset.timer = setTimeout(function () { div.remove(); }, error ? 8000 : 4000);
  }
  function showError(text) {
    toast(text, "error");
  }
  window.instaclone = window.instaclone || {};
  window.instaclone.toast = toast;
  document.addEventListener("showToast", function (event) {
    if (background(event)) return;
    var text = event.detail && typeof event.detail.value === "string" ? event.detail.value.trim() : "";
    showError(text || "Something went wrong. Please try again.");
  });
  document.addEventListener("htmx:responseError", function (event) {
    if (background(event)) return;
    var xhr = event.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Trigger")) return;  // the server asked for its toast (showToast)
    var status = xhr ? xhr.status : 0;
    showError(FALLBACK[status] || "Something went wrong. Please try again.");
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (background(event)) return;
    showError("The server could not be reached. Check your connection and try again.");
  });
})();
