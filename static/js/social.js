// social: progressive enhancement only. Everything works without this file.
// Errors from follow/block/request buttons (400 "You can't follow yourself", 404, ...) are shown
// as a short message instead of silently doing nothing (htmx does not swap 4xx responses).
(function () {
  "use strict";
  function toast(text) {
    var el = document.createElement("div");
    el.className = "social-toast";
    el.setAttribute("role", "alert");
    el.textContent = text;
    document.body.appendChild(el);
    setTimeout(function () { el.remove(); }, 4000);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.closest(".follow-form, .request-actions, .person, .search")) return;
    var xhr = event.detail.xhr;
    var type = (xhr.getResponseHeader("Content-Type") || "");
    var text = type.indexOf("text/plain") === 0 && xhr.responseText ? xhr.responseText : "Something went wrong. Please try again.";
    if (xhr.status === 404) text = "That account isn't available.";
    toast(text);
  });
})();
