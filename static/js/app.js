// Instaclone's small progressive enhancements. Every feature works without this file.
(function () {
  "use strict";
  // An anonymous htmx POST gets an HX-Redirect from the server; nothing else to do here.
  // Show server errors from htmx requests instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("messages");
    if (!box) return;
    var div = document.createElement("div");
    div.className = "message message--error";
    div.setAttribute("role", "alert");
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    div.textContent = status === 429 ? "Slow down a little and try again." :
      status === 404 ? "That is no longer available." : "Something went wrong. Please try again.";
    box.appendChild(div);
  });
})();
