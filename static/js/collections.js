// Collections: progressive enhancement only. Without this file "Save to collection" is a page.
// - The "Save to collection" dialog (posts/save_to.html), appended to <body> by htmx, is shown as a
//   native modal (focus stays inside, Esc closes it) and removed once closed.
// - A long press on the save button opens that dialog (as Instagram's), instead of saving.
(function () {
  "use strict";

  var MODAL = "dialog.save-to-dialog--modal";
  function openDialogs(root) {
    if (!root || !root.querySelectorAll) return;
    var dialogs = root.matches && root.matches(MODAL) ? [root] : root.querySelectorAll(MODAL);
    Array.prototype.forEach.call(dialogs, function (dialog) {
      if (!dialog.open && dialog.isConnected) dialog.showModal();
    });
  }
  document.addEventListener("htmx:load", function (event) { openDialogs(event.detail.elt); });
  // "close" does not bubble: listen in the capture phase.
  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (dialog && dialog.matches && dialog.matches(MODAL)) dialog.remove();
  }, true);

  var LONG_PRESS_MS = 500;
  var timer = null;
  var swallowClick = false;
  function saveToLinkFor(button) {
    var row = button.closest(".post-actions");
    return row ? row.querySelector("[data-save-to]") : null;
  }
  function cancel() {
    if (timer) { clearTimeout(timer); timer = null; }
  }
  document.addEventListener("pointerdown", function (event) {
    var button = event.target.closest && event.target.closest(".save-form button");
    if (!button || event.button > 0) return;
    var link = saveToLinkFor(button);
    if (!link) return;
    cancel();
    timer = setTimeout(function () {
      timer = null;
      swallowClick = true;  // the click that ends this press must not toggle the save
      link.click();
    }, LONG_PRESS_MS);
  });
  ["pointerup", "pointercancel", "pointerleave", "dragstart"].forEach(function (name) {
    document.addEventListener(name, cancel, true);
  });
  document.addEventListener("click", function (event) {
    if (!swallowClick) return;
    var button = event.target.closest && event.target.closest(".save-form button");
    swallowClick = false;
    if (button) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);
  // A long touch would open the browser's context menu over the button.
  document.addEventListener("contextmenu", function (event) {
    if (event.target.closest && event.target.closest(".save-form button") && saveToLinkFor(event.target)) event.preventDefault();
  });
})();
