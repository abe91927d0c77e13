// posts: progressive enhancement only. Without this file the carousel scrolls, the new-post form
// is a plain multipart form and every link works.
(function () {
  "use strict";

  // --- Carousel (post detail) ----------------------------------------------------------------
  function initCarousel(root) {
    if (root.dataset.carouselReady) return;
    root.dataset.carouselReady = "1";
    var slides = root.querySelectorAll(".carousel__slide");
    var dots = root.querySelectorAll("[data-carousel-dot]");
    var prev = root.querySelector("[data-carousel-prev]");
    var next = root.querySelector("[data-carousel-next]");
    var index = 0;
    root.classList.add("carousel--js");

    function show(i) {
      if (i < 0 || i >= slides.length) return;
      index = i;
      slides.forEach(function (slide, n) {
        var active = n === i;
        slide.classList.toggle("is-active", active);
        slide.setAttribute("aria-hidden", active ? "false" : "true");
        if (!active) slide.querySelectorAll("video").forEach(function (v) { v.pause(); });
      });
      dots.forEach(function (dot, n) {
        dot.classList.toggle("is-active", n === i);
        dot.setAttribute("aria-selected", n === i ? "true" : "false");
      });
      if (prev) prev.hidden = i === 0;
      if (next) next.hidden = i === slides.length - 1;
    }

    if (prev) prev.addEventListener("click", function () { show(index - 1); });
    if (next) next.addEventListener("click", function () { show(index + 1); });
    dots.forEach(function (dot) {
      dot.addEventListener("click", function () { show(parseInt(dot.dataset.carouselDot, 10)); });
    });
    root.addEventListener("keydown", function (e) {
      if (e.key === "ArrowLeft") { show(index - 1); e.preventDefault(); }
      if (e.key === "ArrowRight") { show(index + 1); e.preventDefault(); }
    });
    // Swipe on touch screens.
    var startX = null;
    root.addEventListener("pointerdown", function (e) { startX = e.clientX; });
    root.addEventListener("pointerup", function (e) {
      if (startX === null) return;
      var dx = e.clientX - startX;
      startX = null;
      if (Math.abs(dx) > 40) show(index + (dx < 0 ? 1 : -1));
    });
    root._carouselShow = show;
    show(0);
  }

  // Arrow keys anywhere on a page with one carousel (unless typing in a field).
  document.addEventListener("keydown", function (e) {
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var carousels = document.querySelectorAll("[data-carousel]");
    if (carousels.length !== 1 || carousels[0].contains(t)) return;
    carousels[0].dispatchEvent(new KeyboardEvent("keydown", { key: e.key, bubbles: false }));
  });

  // --- New post form -------------------------------------------------------------------------
  function formatSize(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function initNewPost(form) {
    if (form.dataset.ready) return;
    form.dataset.ready = "1";
    var input = form.querySelector('input[type=file][name=media]');
    var previews = form.querySelector("#previews");
    var altDetails = form.querySelector("#alt-texts");
    var progress = form.querySelector("#upload-progress");
    var caption = form.querySelector("textarea[name=caption]");
    var counter = form.querySelector("[data-caption-count]");
    var maxFiles = parseInt(form.dataset.maxFiles, 10);
    var maxImage = parseInt(form.dataset.imageMaxBytes, 10);
    var maxVideo = parseInt(form.dataset.videoMaxBytes, 10);
    var problems = [];

    function errorsBox() { return form.querySelector("#upload-errors"); }

    function showProblems() {
      var box = errorsBox();
      box.innerHTML = "";
      problems.forEach(function (text) {
        var p = document.createElement("p");
        p.className = "errorlist";
        p.textContent = text;
        box.appendChild(p);
      });
    }

    function altInput(i) { return form.querySelector('[name="alt_text_' + i + '"]'); }

    function render() {
      var files = Array.prototype.slice.call(input.files || []);
      problems = [];
      // Put every alt text field back in the (no-JS) list before laying out the previews.
      for (var i = 0; i < maxFiles; i++) {
        var field = altInput(i);
        if (field && field.closest(".previews")) {
          var home = altDetails.querySelector('[data-alt-home="' + i + '"]');
          if (home) home.appendChild(field);
        }
      }
      previews.innerHTML = "";
      if (files.length > maxFiles) {
        problems.push("You chose " + files.length + " files. A post can have at most " + maxFiles + ".");
      }
      files.forEach(function (file, i) {
        var isVideo = /^video\//.test(file.type);
        var limit = isVideo ? maxVideo : maxImage;
        var li = document.createElement("li");
        li.className = "preview";
        li.dataset.fileIndex = String(i);
        var thumb;
        if (isVideo) {
          thumb = document.createElement("video");
          thumb.muted = true;
          thumb.preload = "metadata";
        } else {
          thumb = document.createElement("img");
          thumb.alt = "";
        }
        thumb.className = "preview__thumb";
        thumb.src = URL.createObjectURL(file);
        li.appendChild(thumb);
        var body = document.createElement("div");
        body.className = "preview__body";
        var name = document.createElement("p");
        name.className = "preview__name";
        name.textContent = (i + 1) + ". " + file.name + " · " + formatSize(file.size);
        body.appendChild(name);
        var field = altInput(i);
        if (field) {
          var label = document.createElement("label");
          label.className = "preview__alt";
          label.textContent = "Alt text";
          field.placeholder = isVideo ? "Describe this video" : "Describe this photo for people who can't see it";
          label.appendChild(field);
          body.appendChild(label);
        }
        var err = document.createElement("p");
        err.className = "preview__error errorlist";
        err.setAttribute("role", "alert");
        if (file.size > limit) {
          var msg = file.name + " is too large (" + formatSize(file.size) + "). The limit is " + formatSize(limit) + ".";
          err.textContent = msg;
          li.classList.add("preview--error");
          problems.push(msg);
        }
        body.appendChild(err);
        li.appendChild(body);
        previews.appendChild(li);
      });
      previews.hidden = files.length === 0;
      altDetails.hidden = files.length > 0;
      showProblems();
    }

    // Remember where each alt text field lives without JS, so it can go back there.
    for (var i = 0; i < maxFiles; i++) {
      var field = altInput(i);
      if (field && field.parentNode) field.parentNode.setAttribute("data-alt-home", String(i));
    }
    input.addEventListener("change", render);
    if (caption && counter) {
      caption.addEventListener("input", function () { counter.textContent = caption.value.length; });
    }

    function blocked() {
      if (!input.files || input.files.length === 0) {
        problems = ["Add at least one photo or video."];
        showProblems();
        return true;
      }
      if (problems.length) { showProblems(); return true; }
      return false;
    }
    form.addEventListener("submit", function (e) {
      if (blocked()) { e.preventDefault(); e.stopImmediatePropagation(); }
    }, true);
    form.addEventListener("htmx:confirm", function (e) { if (blocked()) e.preventDefault(); });

    var bar = progress.querySelector("progress");
    var text = progress.querySelector("[data-progress-text]");
    form.addEventListener("htmx:beforeRequest", function () {
      progress.hidden = false; bar.value = 0; text.textContent = "0%";
    });
    form.addEventListener("htmx:xhr:progress", function (e) {
      if (!e.detail.lengthComputable || !e.detail.total) return;
      var pct = Math.round((100 * e.detail.loaded) / e.detail.total);
      bar.value = pct;
      text.textContent = pct < 100 ? pct + "%" : "Processing…";
    });
    form.addEventListener("htmx:afterRequest", function (e) {
      if (!e.detail.successful || !e.detail.xhr.getResponseHeader("HX-Redirect")) progress.hidden = true;
    });
    // This form reports its own errors (#upload-errors): stop them reaching app.js's toast channel,
    // so one failure is reported once.
    form.addEventListener("showToast", function (e) { e.stopPropagation(); });
    form.addEventListener("htmx:responseError", function (e) {
      e.stopPropagation();
      var status = e.detail.xhr.status;
      problems = [status === 413 ? "The upload is too large. Choose fewer or smaller files."
                                 : "Something went wrong (" + status + "). Nothing was posted; please try again."];
      showProblems();
      problems = [];
    });
    form.addEventListener("htmx:sendError", function (e) {
      e.stopPropagation();
      problems = ["The upload failed: check your connection. Nothing was posted."];
      showProblems();
      problems = [];
    });
    // Server errors about one file go next to that file's preview.
    form.addEventListener("htmx:afterSwap", function () {
      errorsBox().querySelectorAll(".file-error[data-file-index]").forEach(function (p) {
        var card = previews.querySelector('.preview[data-file-index="' + p.dataset.fileIndex + '"]');
        if (card) {
          card.classList.add("preview--error");
          card.querySelector(".preview__error").textContent = p.textContent;
        }
      });
    });
  }

  function init(root) {
    (root || document).querySelectorAll("[data-carousel]").forEach(initCarousel);
    var form = (root || document).querySelector("#new-post-form");
    if (form) initNewPost(form);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { init(e.target); });
})();
