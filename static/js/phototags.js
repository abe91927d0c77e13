// phototags: people tagged in photos (progressive enhancement only).
//  - On the post page (posts/_photo_tags.html) the names are a <details> list over the photo that
//    works without JavaScript; here each name is placed at its spot. A spot is a fraction of the
//    photo's width and height, and the carousel shows the photo centre-cropped to the post's frame
//    (object-fit: cover), so the spot is mapped through that crop (and clamped to what shows).
//  - On the author's "Tag people" page (posts/photo_tags.html) a tap on the photo fills the spot's
//    number fields (which work without JavaScript too), moves a marker there, and focuses the search.
// Positions are set through the CSSOM (el.style), which the CSP allows (no style attributes).
(function () {
  "use strict";

  function naturalSize(img) {
    return {
      w: img.naturalWidth || Number(img.getAttribute("width")) || 1,
      h: img.naturalHeight || Number(img.getAttribute("height")) || 1,
    };
  }

  // Where the fractions (fx, fy) of the photo are inside `box` (px), allowing for object-fit.
  function spotIn(box, img, fx, fy) {
    var bw = box.clientWidth, bh = box.clientHeight;
    var fit = img ? getComputedStyle(img).objectFit : "fill";
    if (!img || (fit !== "cover" && fit !== "contain")) return { left: fx * bw, top: fy * bh };
    var size = naturalSize(img);
    var scale = fit === "cover" ? Math.max(bw / size.w, bh / size.h) : Math.min(bw / size.w, bh / size.h);
    var dw = size.w * scale, dh = size.h * scale;
    return {
      left: Math.min(bw, Math.max(0, (bw - dw) / 2 + fx * dw)),
      top: Math.min(bh, Math.max(0, (bh - dh) / 2 + fy * dh)),
    };
  }

  function place(box, img, labels) {
    labels.forEach(function (label) {
      var at = spotIn(box, img, Number(label.getAttribute("data-x")), Number(label.getAttribute("data-y")));
      label.style.left = at.left + "px";
      label.style.top = at.top + "px";
    });
  }

  function placeOverlay(details) {
    var slide = details.parentElement;
    var img = slide && slide.querySelector("img");
    if (!slide || !details.open) return;
    place(slide, img, Array.prototype.slice.call(details.querySelectorAll(".photo-tags__tag[data-x]")));
  }

  function placeEditor(photo) {
    var img = photo.querySelector("img");
    place(photo, img, Array.prototype.slice.call(photo.querySelectorAll(".tag-people__label[data-x]")));
  }

  function init(root) {
    root.querySelectorAll("[data-photo-tags]").forEach(function (details) {
      if (details.dataset.phototagsReady) return;
      details.dataset.phototagsReady = "1";
      details.classList.add("photo-tags--placed");
      details.addEventListener("toggle", function () { placeOverlay(details); });
      placeOverlay(details);
    });
    root.querySelectorAll("[data-tag-people]").forEach(function (form) {
      if (form.dataset.phototagsReady) return;
      form.dataset.phototagsReady = "1";
      var photo = form.querySelector("[data-tag-photo]");
      var img = photo && photo.querySelector("img");
      var marker = form.querySelector("[data-tag-marker]");
      var x = form.elements.namedItem("x"), y = form.elements.namedItem("y");
      var search = form.elements.namedItem("q");
      if (!photo || !img || !x || !y) return;

      function showMarker() {
        var fx = Number(x.value), fy = Number(y.value);
        if (!isFinite(fx) || !isFinite(fy) || x.value === "" || y.value === "") { marker.hidden = true; return; }
        marker.style.left = Math.min(100, Math.max(0, fx)) + "%";
        marker.style.top = Math.min(100, Math.max(0, fy)) + "%";
        marker.hidden = false;
      }

      photo.addEventListener("click", function (event) {
        var rect = img.getBoundingClientRect();
        if (!rect.width || !rect.height) return;
        var fx = (event.clientX - rect.left) / rect.width, fy = (event.clientY - rect.top) / rect.height;
        x.value = (Math.min(1, Math.max(0, fx)) * 100).toFixed(2);
        y.value = (Math.min(1, Math.max(0, fy)) * 100).toFixed(2);
        showMarker();
        if (search) search.focus();
      });
      x.addEventListener("input", showMarker);
      y.addEventListener("input", showMarker);
      if (img.complete) placeEditor(photo); else img.addEventListener("load", function () { placeEditor(photo); });
      showMarker();
    });
  }

  function refresh() {
    document.querySelectorAll("[data-photo-tags][open]").forEach(placeOverlay);
    document.querySelectorAll("[data-tag-people] [data-tag-photo]").forEach(placeEditor);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
  window.addEventListener("resize", refresh);
  window.addEventListener("load", refresh);
})();
