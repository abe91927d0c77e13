// Instaclone's small progressive enhancements. Every feature works without this file.
// No inline handlers anywhere (the Content-Security-Policy forbids them): behaviour that templates
// ask for by data attribute lives here, by event delegation.
//   data-confirm="…"   on a submit button or link: ask first, do nothing on Cancel;
//   data-dialog-close  on a button inside a <dialog>: close that dialog.
(function () {
  "use strict";

  // Errors from htmx requests reach the person once, here. The server answers an htmx request that
  // fails with a short text/plain message (instaclone.views error handlers, social's SocialError);
  // anything else gets a sentence by status. Shown as a toast (#toasts), removed after 8 s.
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
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var status = xhr ? xhr.status : 0;
    var type = xhr ? xhr.getResponseHeader("Content-Type") || "" : "";
    var body = xhr && type.indexOf("text/plain") === 0 ? (xhr.responseText || "").trim() : "";
    showError(body && body.length <= 300 ? body : FALLBACK[status] || "Something went wrong. Please try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    showError("The server could not be reached. Check your connection and try again.");
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var asking = target.closest("[data-confirm]");
    if (asking && !window.confirm(asking.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    var closer = target.closest("[data-dialog-close]");
    if (closer) {
      var dialog = closer.closest("dialog");
      if (dialog) dialog.close();
    }
  });
})();
