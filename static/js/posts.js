// posts: progressive enhancement only. Without this file the carousel scrolls, the new-post form
// is a plain multipart form and every link works.
(function () {
  "use strict";

  var reducedMotion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : { matches: false };

  // --- Carousel (feed cards and the post page) -------------------------------------------------
  // The track is a CSS scroll-snap scroller (carousel.css): touch swipes, trackpads and keys move it
  // without this file. Here: arrows, dots and arrow keys scroll it; the dots follow its position.
  function initCarousel(root) {
    if (root.dataset.carouselReady) return;
    root.dataset.carouselReady = "1";
    root.classList.add("carousel--js");
    var track = root.querySelector("[data-carousel-track]");
    var count = track ? track.children.length : 0;
    if (count < 2) return;
    var dots = Array.prototype.slice.call(root.querySelectorAll("[data-carousel-dot]"));
    var prev = root.querySelector("[data-carousel-prev]");
    var next = root.querySelector("[data-carousel-next]");
    var index = 0;
    var target = null;  // the slide a smooth scroll is heading to
    var targetTimer = null;

    function clamp(i) { return Math.max(0, Math.min(count - 1, i)); }

    function mark(i) {
      index = i;
      dots.forEach(function (dot, n) { dot.setAttribute("aria-current", n === i ? "true" : "false"); });
      Array.prototype.forEach.call(track.children, function (slide, n) { slide.classList.toggle("is-active", n === i); });
      if (prev) prev.hidden = i === 0;
      if (next) next.hidden = i === count - 1;
    }

    function go(i) {
      i = clamp(i);
      target = i;
      clearTimeout(targetTimer);
      targetTimer = setTimeout(function () { target = null; mark(fromScroll()); }, 800);
      mark(i);
      track.scrollTo({ left: i * track.clientWidth, behavior: reducedMotion.matches ? "auto" : "smooth" });
    }

    function fromScroll() {
      var width = track.clientWidth;
      return width ? clamp(Math.round(track.scrollLeft / width)) : 0;
    }

    var queued = false;
    track.addEventListener("scroll", function () {
      if (queued) return;
      queued = true;
      requestAnimationFrame(function () {
        queued = false;
        var at = fromScroll();
        if (target !== null) {
          if (Math.abs(track.scrollLeft - target * track.clientWidth) > 2) return;
          target = null;
        }
        if (at !== index) mark(at);
      });
    }, { passive: true });

    if (prev) prev.addEventListener("click", function () { go(index - 1); });
    if (next) next.addEventListener("click", function () { go(index + 1); });
    dots.forEach(function (dot) {
      dot.addEventListener("click", function () { go(parseInt(dot.dataset.carouselDot, 10)); });
    });
    root.addEventListener("keydown", function (e) {
      var t = e.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      if (e.key === "ArrowLeft") { go(index - 1); e.preventDefault(); }
      if (e.key === "ArrowRight") { go(index + 1); e.preventDefault(); }
    });
    root._carouselShow = go;
    mark(fromScroll());
  }

  // --- Video in the feed ---------------------------------------------------------------------
  // Muted autoplay while at least half on screen, paused when scrolled away; a tap on the video (or
  // the sound button) unmutes; a play button while paused. With reduced motion nothing plays by
  // itself. Without this file the video has its native controls.
  var videoObserver = null;

  function playVideo(video) {
    var playing = video.play();
    if (playing && playing.catch) playing.catch(function () { /* refused: the play button stays */ });
  }

  function onScreen(entries) {
    entries.forEach(function (entry) {
      var video = entry.target;
      if (entry.isIntersecting && entry.intersectionRatio >= 0.5) {
        if (!reducedMotion.matches) playVideo(video);
      } else if (!video.paused) {
        video.pause();
      }
    });
  }

  function initFeedVideo(video) {
    if (video.dataset.videoReady) return;
    video.dataset.videoReady = "1";
    var slide = video.parentNode;
    var sound = slide.querySelector("[data-video-sound]");
    var play = slide.querySelector("[data-video-play]");
    video.removeAttribute("controls");
    video.muted = true;

    function sync() {
      if (play) play.hidden = !video.paused;
      if (sound) {
        sound.hidden = false;
        sound.dataset.sound = video.muted ? "off" : "on";
        sound.setAttribute("aria-label", video.muted ? "Unmute" : "Mute");
      }
    }
    ["play", "pause", "volumechange"].forEach(function (name) { video.addEventListener(name, sync); });
    function toggleSound() {
      video.muted = !video.muted;
      if (video.paused) playVideo(video);
    }
    video.addEventListener("click", function () {
      if (video.paused) playVideo(video); else toggleSound();
    });
    if (sound) sound.addEventListener("click", toggleSound);
    if (play) play.addEventListener("click", function () { playVideo(video); });
    if ("IntersectionObserver" in window) {
      videoObserver = videoObserver || new IntersectionObserver(onScreen, { threshold: [0, 0.5] });
      videoObserver.observe(video);
    }
    sync();
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

    // What the file input accepts (its accept attribute): anything else is refused here, by name.
    var accepted = (input.getAttribute("accept") || "").split(",").map(function (t) { return t.trim(); }).filter(Boolean);
    function refusal(file, i) {
      if (i >= maxFiles) return file.name + " is one too many: a post can have at most " + maxFiles + " photos or videos. Remove it or another file.";
      if (file.type && accepted.length && accepted.indexOf(file.type) === -1) {
        return file.name + " can't be shared: choose a JPEG, PNG, WebP or HEIC photo, or an MP4, MOV or WebM video.";
      }
      var limit = /^video\//.test(file.type) ? maxVideo : maxImage;
      if (file.size > limit) return file.name + " is too large (" + formatSize(file.size) + "). The limit is " + formatSize(limit) + ".";
      return "";
    }

    // Remove one chosen file (the others and their alt texts stay): the input's files are rebuilt
    // through a DataTransfer, where the browser has one.
    var canRemove = typeof DataTransfer === "function";
    function removeFile(index) {
      var files = Array.prototype.slice.call(input.files || []);
      var alts = files.map(function (_f, i) { var f = altInput(i); return f ? f.value : ""; });
      var kept = new DataTransfer();
      files.forEach(function (file, i) { if (i !== index) kept.items.add(file); });
      alts.splice(index, 1);
      input.files = kept.files;
      for (var i = 0; i < maxFiles; i++) { var f = altInput(i); if (f) f.value = alts[i] || ""; }
      render();
      var next = previews.querySelectorAll(".preview__remove")[Math.min(index, files.length - 2)];
      (next || input).focus();
    }

    // The crop: every preview in the frame chosen (Post.Aspect); "original" is the first file's
    // shape within 4:5 and 1.91:1, set through the CSSOM (the CSP allows it; no style attribute).
    var aspectInputs = form.querySelectorAll('input[name="aspect"]');
    var firstShape = null;
    function chosenAspect() {
      var checked = form.querySelector('input[name="aspect"]:checked');
      return checked ? checked.value : "original";
    }
    function applyAspect() {
      var aspect = chosenAspect();
      previews.dataset.aspect = aspect;
      var ratio = aspect === "original" && firstShape ? String(Math.min(1.91, Math.max(0.8, firstShape))) : "";
      previews.querySelectorAll(".preview__thumb").forEach(function (thumb) { thumb.style.aspectRatio = ratio; });
    }
    aspectInputs.forEach(function (radio) { radio.addEventListener("change", applyAspect); });

    function render() {
      var files = Array.prototype.slice.call(input.files || []);
      problems = [];
      firstShape = null;
      // Put every alt text field back in the (no-JS) list before laying out the previews.
      for (var i = 0; i < maxFiles; i++) {
        var field = altInput(i);
        if (field && field.closest(".previews")) {
          var home = altDetails.querySelector('[data-alt-home="' + i + '"]');
          if (home) home.appendChild(field);
        }
      }
      previews.innerHTML = "";
      files.forEach(function (file, i) {
        var isVideo = /^video\//.test(file.type);
        var li = document.createElement("li");
        li.className = "preview";
        li.dataset.fileIndex = String(i);
        var thumb;
        if (!/^(image|video)\//.test(file.type)) {
          thumb = document.createElement("span");  // nothing a browser can show
          thumb.className = "preview__thumb preview__thumb--none";
        } else if (isVideo) {
          thumb = document.createElement("video");
          thumb.muted = true;
          thumb.preload = "metadata";
        } else {
          thumb = document.createElement("img");
          thumb.alt = "";
        }
        if (!thumb.className) thumb.className = "preview__thumb";
        if (i === 0 && thumb.tagName !== "SPAN") {
          thumb.addEventListener(isVideo ? "loadedmetadata" : "load", function () {
            var w = isVideo ? thumb.videoWidth : thumb.naturalWidth;
            var h = isVideo ? thumb.videoHeight : thumb.naturalHeight;
            if (w && h) { firstShape = w / h; applyAspect(); }
          });
        }
        if (thumb.tagName !== "SPAN") thumb.src = URL.createObjectURL(file);
        li.appendChild(thumb);
        var body = document.createElement("div");
        body.className = "preview__body";
        var head = document.createElement("div");
        head.className = "preview__head";
        var name = document.createElement("p");
        name.className = "preview__name";
        name.textContent = (i + 1) + ". " + file.name + " · " + formatSize(file.size);
        head.appendChild(name);
        if (canRemove) {
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "btn btn--link preview__remove";
          remove.textContent = "Remove";
          remove.setAttribute("aria-label", "Remove " + file.name);
          remove.addEventListener("click", function () { removeFile(i); });
          head.appendChild(remove);
        }
        body.appendChild(head);
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
        var msg = refusal(file, i);
        if (msg) {
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
      applyAspect();
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
    (root || document).querySelectorAll("video[data-feed-video]").forEach(initFeedVideo);
    var form = (root || document).querySelector("#new-post-form");
    if (form) initNewPost(form);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { init(e.target); });
})();
