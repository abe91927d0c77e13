// The ••• menu's "Copy link" and "Share…" (posts/_card.html#share-items). Without this file (or
// without a clipboard) the menu shows a plain link to the post instead. The page says what this
// browser can do once, on <html> (data-can-copy, data-can-share), and CSS shows the matching menu
// items: cards that htmx adds later need nothing more. The link is the post's absolute URL.
(function () {
  "use strict";

  var root = document.documentElement;
  if (navigator.clipboard && typeof navigator.clipboard.writeText === "function") root.dataset.canCopy = "";
  if (typeof navigator.share === "function") root.dataset.canShare = "";

  function absolute(url) {
    return new URL(url, window.location.href).href;
  }
  function toast(text) {
    // app.js's toast: a polite status message that leaves after 4 s.
    if (window.instaclone && window.instaclone.toast) window.instaclone.toast(text, "success");
  }
  function closeMenu(el) {
    var menu = el.closest("details");
    if (menu) menu.open = false;
  }

  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy-link]");
    if (copy) {
      var url = absolute(copy.dataset.copyLink);
      navigator.clipboard.writeText(url).then(
        function () { toast("Link copied"); },
        function () { toast("Couldn't copy the link: " + url); }
      );
      closeMenu(copy);
      return;
    }
    var share = event.target.closest("[data-web-share]");
    if (share) {
      closeMenu(share);
      // A cancelled share rejects with AbortError: nothing to tell.
      navigator.share({ url: absolute(share.dataset.webShare), title: document.title }).catch(function () {});
    }
  });
})();
