// engagement: double-tap to like, and Enter to post a comment (progressive enhancement only).
// Like/save/comment are real forms that work without JavaScript, and htmx (hx-post on those forms)
// swaps the results in place. This file only adds:
//  - double-tap (double-click) on a post's photo likes it (never unlikes, as on Instagram); the heart
//    that bursts is the template's own `.double-tap-heart` (components/icons/_heart.html), not a copy;
//  - Enter in a comment box posts the comment (Shift+Enter for a new line).
// Why Enter is not an htmx key filter (`hx-trigger="keydown[key=='Enter'&&!shiftKey]"`): htmx compiles
// a filter with Function(), which our Content-Security-Policy (no 'unsafe-eval') and htmx-config
// `allowEval: false` forbid; htmx then drops the filter and fires on *every* keydown (posting each
// letter). A filter also cannot preventDefault, so Enter would still add a new line. Twelve lines here
// do both (instaclone/tests/test_security_headers.py refuses filters in templates).
(function () {
  "use strict";

  var lastFire = 0;

  function likeFormFor(media) {
    var root = media.closest("article") || media.parentElement;
    return root ? root.querySelector("form.like-form") : null;
  }

  function burst(media) {
    var heart = media.querySelector(".double-tap-heart");
    if (!heart) return;
    heart.classList.remove("is-on");
    void heart.offsetWidth; // restart the animation
    heart.classList.add("is-on");
  }

  function likeByDoubleTap(media) {
    var now = Date.now();
    if (now - lastFire < 400) return; // touch and dblclick for the same gesture
    lastFire = now;
    burst(media);
    var form = likeFormFor(media);
    if (!form || form.getAttribute("data-liked") === "true") return;
    var button = form.querySelector("button");
    if (button && button.disabled) return; // a like is already on its way
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else if (button) {
      button.click();
    }
  }

  function ignored(target) {
    return target.closest("button, a[href], input, textarea, select, video, summary, [data-carousel-prev], [data-carousel-next]");
  }

  document.addEventListener("dblclick", function (event) {
    var media = event.target.closest("[data-double-tap-like]");
    if (!media || ignored(event.target)) return;
    event.preventDefault();
    window.getSelection && window.getSelection().removeAllRanges();
    likeByDoubleTap(media);
  });

  // Touch screens: two taps within 300 ms on the same photo.
  var lastTap = 0;
  var lastMedia = null;
  document.addEventListener("touchend", function (event) {
    var media = event.target.closest("[data-double-tap-like]");
    if (!media || ignored(event.target) || event.touches.length > 0) return;
    var now = Date.now();
    if (media === lastMedia && now - lastTap < 300) {
      event.preventDefault();
      lastTap = 0;
      likeByDoubleTap(media);
    } else {
      lastTap = now;
      lastMedia = media;
    }
  }, { passive: false });

  // Enter posts a comment; Shift+Enter is a new line.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    var box = event.target;
    if (!box.matches || !box.matches(".comment-form textarea")) return;
    event.preventDefault();
    var form = box.form;
    if (form && box.value.trim() && typeof form.requestSubmit === "function") form.requestSubmit();
  });

  // After htmx swapped in a fresh comment form, keep the focus in it for the next comment.
  document.addEventListener("htmx:afterSwap", function (event) {
    var el = event.detail && event.detail.elt;
    if (el && el.id && el.id.indexOf("comment-form-") === 0) {
      var box = document.querySelector("#" + el.id + " textarea");
      if (box && document.activeElement === document.body) box.focus();
    }
  });
})();
