// Instaclone's small progressive enhancements. Every feature works without this file.
// No inline handlers anywhere (the Content-Security-Policy forbids them): behaviour that templates
// ask for by data attribute lives here, by event delegation.
// Confirmations are hx-confirm on htmx forms (the profile's Block form posts with htmx and falls back to a
// plain POST without JavaScript).
// Dialogs close with <form method="dialog"> buttons (no script); key filters are hx-trigger modifiers.
(function () {
  "use strict";

  // Errors from htmx requests reach the person once, here, as a toast (#toasts, removed after 8 s).
  // The one channel is the `showToast` event: the server sends `HX-Trigger: {"showToast": "<line>"}`
  // with a failed htmx request (instaclone.views.error_response). An error response without that
  // header (social's RelationshipError, a proxy's 502) is toasted from htmx:responseError: its
  // text/plain line, else a sentence by status. Never both for one response.
  // A form with its own error region (the new-post form, posts.js) stops both events from bubbling.
  var FALLBACK = {
    400: "That request could not be understood. Please reload the page.",
    403: "You can't do that.",
    404: "That is no longer available.",
    429: "Slow down a little and try again.",
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
  function showError(text) {
    var box = toastBox();
    var div = document.createElement("div");
    div.className = "message message--error";
    div.setAttribute("role", "alert");
    div.textContent = text;
    box.appendChild(div);
    setTimeout(function () { div.remove(); }, 8000);
  }
  function carriesToast(xhr) {
    var trigger = xhr ? xhr.getResponseHeader("HX-Trigger") || "" : "";
    if (trigger.indexOf("showToast") === -1) return false;
    try { return Object.prototype.hasOwnProperty.call(JSON.parse(trigger), "showToast"); } catch (e) { return false; }
  }
  document.addEventListener("showToast", function (event) {
    var text = event.detail && typeof event.detail.value === "string" ? event.detail.value.trim() : "";
    showError(text || "Something went wrong. Please try again.");
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (carriesToast(xhr)) return;  // already shown by the showToast listener
    var status = xhr ? xhr.status : 0;
    var type = xhr ? xhr.getResponseHeader("Content-Type") || "" : "";
    var body = xhr && type.indexOf("text/plain") === 0 ? (xhr.responseText || "").trim() : "";
    showError(body && body.length <= 300 ? body : FALLBACK[status] || "Something went wrong. Please try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    showError("The server could not be reached. Check your connection and try again.");
  });
})();
