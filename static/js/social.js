// social: progressive enhancement only. Everything works without this file.
// Errors from follow/block/request buttons (400 "You can't follow yourself", 404, ...) come from
// instaclone.views.error_response with `HX-Trigger: showToast` and are toasted by app.js (one channel).
(function () {
  "use strict";

  // Report dialog (social/report.html). With htmx it is appended to <body>: show it as a native
  // modal (focus stays inside, Esc closes it) and remove it once closed.
  function openDialogs(root) {
    if (!root || !root.querySelectorAll) return;
    var dialogs = root.matches && root.matches("dialog.report-dialog--modal") ? [root] : root.querySelectorAll("dialog.report-dialog--modal");
    Array.prototype.forEach.call(dialogs, function (dialog) {
      if (!dialog.open && dialog.isConnected) dialog.showModal();
    });
  }
  document.addEventListener("htmx:load", function (event) { openDialogs(event.detail.elt); });
  // "close" does not bubble: listen in the capture phase.
  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (dialog && dialog.matches && dialog.matches("dialog.report-dialog--modal")) dialog.remove();
  }, true);
  // htmx does not swap 4xx answers; the dialog shows its inline errors (400) and the rate-limit
  // notice (429) in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.target;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if ((status === 400 || status === 429) && elt && elt.closest && elt.closest(".report-dialog")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
