// Stories: the full-screen viewer. Progressive enhancement only: without this file every ring of the
// tray (stories/_tray.html) is a link to the person's plain stories page, /stories/<username>/.
//
// A ring opens a modal <dialog> (cloned from #story-viewer-template) and loads that person's stories
// from their page's `story-items` partial (fetched with htmx's HX-Request header, so the markup is
// written once, in stories/person.html). One story at a time, with a progress bar per story:
// - tap the right side / ArrowRight: next; the left third / ArrowLeft: previous;
// - press and hold (or Space, or the pause button): pause; Esc or the close button: close;
// - on phones, swipe left/right for the next/previous person, down to close;
// - at a person's last story it moves on to the next ring, in the tray's order; going back from a
//   person's first story opens the previous person's last one;
// - videos play muted until the sound button is pressed;
// - with prefers-reduced-motion nothing moves by itself: the progress bars do not fill as time
//   passes and a photo (or a video that ended) waits for a tap or an arrow key, as posts.js does;
// - each story shown is recorded once (POST to its `data-seen-url`; the server keeps one view per
//   person and story), and a ring whose stories have all been seen turns grey; a POST that fails
//   takes both marks back (the story is posted again the next time it is shown);
// - the items come from the page with their htmx attributes (Report opens social's report dialog,
//   Delete asks with hx-confirm): htmx.process() wires them, and the viewer holds still while the
//   report dialog is open;
// - the reply field posts to Direct (`direct:story_reply`) in the background and says "Sent".
(function () {
  "use strict";

  var IMAGE_MS = 5000;  // how long a photo (or a story that cannot play) is shown, unless the template says
  var HOLD_MS = 200;  // a press longer than this pauses instead of moving on
  var SWIPE_PX = 50;
  var reducedMotion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : {matches: false};

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function post(url, body) {
    // as htmx would: the views answer 204 (a view recorded, a reply sent) instead of a page
    return fetch(url, {
      method: "POST", body: body || null, credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "HX-Request": "true"},
    });
  }

  var muted = true;  // for the whole visit, as Instagram: unmuting once keeps the sound on

  function Viewer(rings, index, opener) {
    this.rings = rings;  // [{href, el}] in the tray's order
    this.opener = opener;
    this.items = [];
    this.index = 0;
    this.person = -1;
    this.reasons = {};  // why it is paused: "user", "hold", "typing", "hidden", "loading", "report"
    this.elapsed = 0;
    this.last = 0;
    this.frame = 0;
    this.swallowClick = false;
    this.token = 0;  // which load is current (a slow fetch must not replace a newer person)
    var template = document.getElementById("story-viewer-template");
    this.imageMs = Number(template.dataset.imageMs) || IMAGE_MS;
    this.dialog = template.content.firstElementChild.cloneNode(true);
    document.body.appendChild(this.dialog);
    this.stage = this.dialog.querySelector(".story-viewer__stage");
    this.body = this.dialog.querySelector(".story-viewer__body");
    this.progress = this.dialog.querySelector(".story-viewer__progress");
    this.muteButton = this.dialog.querySelector(".story-viewer__mute");
    this.pauseButton = this.dialog.querySelector(".story-viewer__pause");
    this.bind();
    this.dialog.classList.toggle("is-muted", muted);
    this.dialog.showModal();
    this.stage.focus();
    this.load(index);
    this.tick = this.tick.bind(this);
    this.frame = requestAnimationFrame(this.tick);
  }

  Viewer.prototype.bind = function () {
    var self = this;
    this.dialog.addEventListener("cancel", function (event) { event.preventDefault(); self.close(); });
    this.dialog.querySelector(".story-viewer__close").addEventListener("click", function () { self.close(); });
    this.pauseButton.addEventListener("click", function () { self.setPaused("user", !self.reasons.user); });
    this.muteButton.addEventListener("click", function () {
      muted = !muted;
      self.dialog.classList.toggle("is-muted", muted);
      self.muteButton.setAttribute("aria-pressed", String(!muted));
      var video = self.video();
      if (video) video.muted = muted;
    });
    this.dialog.querySelector(".story-viewer__nav--prev").addEventListener("click", function () {
      if (!self.consumeSwallowed()) self.prev();
    });
    this.dialog.querySelector(".story-viewer__nav--next").addEventListener("click", function () {
      if (!self.consumeSwallowed()) self.next();
    });
    this.dialog.addEventListener("keydown", function (event) {
      var typing = event.target.closest && event.target.closest("input, textarea");
      if (typing || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === "ArrowRight") { event.preventDefault(); self.next(); }
      else if (event.key === "ArrowLeft") { event.preventDefault(); self.prev(); }
      else if (event.key === " " && !(event.target.closest && event.target.closest("button, a"))) {
        event.preventDefault();
        self.setPaused("user", !self.reasons.user);
      }
    });
    // press and hold to pause, swipe between people (phones), swipe down to close
    var start = null;
    var holdTimer = null;
    this.stage.addEventListener("pointerdown", function (event) {
      if (event.button > 0 || !event.target.closest(".story-viewer__nav, .story-item__frame")) return;
      start = {x: event.clientX, y: event.clientY};
      clearTimeout(holdTimer);
      holdTimer = setTimeout(function () { self.setPaused("hold", true); }, HOLD_MS);
    });
    function release(event) {
      clearTimeout(holdTimer);
      if (!start) return;
      var dx = event.clientX - start.x;
      var dy = event.clientY - start.y;
      start = null;
      var held = !!self.reasons.hold;
      self.setPaused("hold", false);
      if (event.type === "pointercancel") return;
      if (Math.abs(dx) > SWIPE_PX && Math.abs(dx) > Math.abs(dy)) {
        self.swallowClick = true;
        if (dx < 0) self.nextPerson(); else self.prevPerson();
      } else if (dy > SWIPE_PX * 2 && dy > Math.abs(dx)) {
        self.swallowClick = true;
        self.close();
      } else if (held) {
        self.swallowClick = true;  // the click ending a hold does not move on
      }
    }
    this.stage.addEventListener("pointerup", release);
    this.stage.addEventListener("pointercancel", release);
    this.stage.addEventListener("contextmenu", function (event) {
      if (event.target.closest(".story-viewer__nav, .story-item__frame")) event.preventDefault();  // a long touch
    });
    // typing a reply pauses; sending it stays in the viewer
    this.dialog.addEventListener("focusin", function (event) {
      if (event.target.matches("input, textarea")) self.setPaused("typing", true);
    });
    this.dialog.addEventListener("focusout", function (event) {
      if (event.target.matches("input, textarea")) self.setPaused("typing", false);
    });
    this.dialog.addEventListener("submit", function (event) {
      var form = event.target.closest(".story-reply");
      if (!form) return;
      event.preventDefault();
      self.reply(form);
    });
    this.onVisibility = function () { self.setPaused("hidden", document.hidden); };
    document.addEventListener("visibilitychange", this.onVisibility);
  };

  Viewer.prototype.consumeSwallowed = function () {
    var swallowed = this.swallowClick;
    this.swallowClick = false;
    return swallowed;
  };

  Viewer.prototype.video = function () {
    var item = this.items[this.index];
    return item ? item.querySelector("video") : null;
  };

  Viewer.prototype.paused = function () {
    for (var reason in this.reasons) if (this.reasons[reason]) return true;
    return false;
  };

  Viewer.prototype.setPaused = function (reason, on) {
    this.reasons[reason] = on;
    var paused = this.paused();
    var shown = !!(this.reasons.user || this.reasons.hold);
    this.dialog.classList.toggle("is-paused", shown);
    this.pauseButton.setAttribute("aria-pressed", String(!!this.reasons.user));  // its name stays "Pause"
    var video = this.video();
    if (video && !this.fallback) {
      if (paused) video.pause();
      else if (video.paused && !video.ended) this.play(video);
    }
  };

  Viewer.prototype.load = function (person, at) {
    var self = this;
    var ring = this.rings[person];
    var token = ++this.token;
    this.person = person;
    this.stop();
    this.setPaused("loading", true);
    this.body.textContent = "";
    this.progress.textContent = "";
    fetch(ring.href, {credentials: "same-origin", headers: {"HX-Request": "true"}})
      .then(function (response) {
        if (!response.ok) throw new Error("no stories");
        return response.text();
      })
      .then(function (html) {
        if (token !== self.token || !self.dialog.isConnected) return;
        var holder = document.createElement("template");
        holder.innerHTML = html;
        var list = holder.content.querySelector(".story-items");
        if (!list || !list.children.length) throw new Error("no stories");
        self.show(list, at);
      })
      .catch(function () {
        if (token !== self.token || !self.dialog.isConnected) return;
        // gone meanwhile (expired, deleted, blocked): on to the next person
        if (person < self.rings.length - 1) self.load(person + 1); else self.close();
      });
  };

  Viewer.prototype.show = function (list, at) {
    var self = this;
    this.body.appendChild(list);
    if (window.htmx) window.htmx.process(list);  // Report, Delete: the page's htmx attributes
    this.items = Array.prototype.slice.call(list.querySelectorAll(".story-item"));
    this.items.forEach(function (item) {
      var video = item.querySelector("video");
      if (video) {
        video.removeAttribute("controls");
        video.preload = "auto";
        video.addEventListener("ended", function () {
          if (self.items[self.index] === item && !reducedMotion.matches) self.next();
        });
      }
      var bar = document.createElement("span");
      bar.className = "story-viewer__bar";
      bar.appendChild(document.createElement("span")).className = "story-viewer__fill";
      self.progress.appendChild(bar);
    });
    var person = this.dialog.querySelector(".story-viewer__person");
    person.href = list.dataset.profileUrl;
    person.querySelector("img").src = list.dataset.avatar;
    person.querySelector(".story-viewer__username").textContent = list.dataset.username;
    this.dialog.setAttribute("aria-label", "Stories of " + list.dataset.username);
    var first = 0;
    if (at === "last") first = this.items.length - 1;  // going back a person
    else {
      for (var i = 0; i < this.items.length; i++) {
        if (this.items[i].dataset.seen !== "1") { first = i; break; }
      }
    }
    this.setPaused("loading", false);
    this.go(first);
  };

  Viewer.prototype.go = function (index) {
    var self = this;
    this.stop();
    this.index = index;
    this.elapsed = 0;
    this.last = performance.now();
    this.fallback = false;
    var bars = this.progress.children;
    var still = reducedMotion.matches;  // no filling bar: the current one is shown full at once
    this.items.forEach(function (item, i) {
      item.classList.toggle("is-current", i === index);
      bars[i].classList.toggle("story-viewer__bar--done", i < index);
      bars[i].firstChild.style.transform = i < index || (still && i === index) ? "scaleX(1)" : "scaleX(0)";
    });
    var item = this.items[index];
    var time = item.querySelector(".story-item__time");
    var slot = this.dialog.querySelector(".story-viewer__time");
    slot.textContent = "";
    if (time) slot.appendChild(time.firstElementChild ? time.firstElementChild.cloneNode(true) : document.createTextNode(time.textContent));
    var next = this.items[index + 1];
    var image = next && next.querySelector("img[loading=lazy]");
    if (image) image.loading = "eager";  // fetch the next photo while this one shows
    var video = item.querySelector("video");
    this.muteButton.hidden = !video;
    this.muteButton.setAttribute("aria-pressed", String(!muted));
    if (video) {
      video.muted = muted;
      try { video.currentTime = 0; } catch (e) { /* not loaded yet */ }
      if (!this.paused()) this.play(video);
    }
    this.record(item);
  };

  Viewer.prototype.play = function (video) {
    var self = this;
    var playing = video.play();
    if (playing && playing.catch) {
      playing.catch(function () { self.fallback = true; });  // refused or broken: timed like a photo
    }
  };

  Viewer.prototype.stop = function () {
    this.items.forEach(function (item) {
      var video = item.querySelector("video");
      if (video && !video.paused) video.pause();
    });
  };

  Viewer.prototype.record = function (item) {
    var self = this;
    var url = item.dataset.seenUrl;
    if (!url || item.dataset.seen === "1") return;
    var ring = this.rings[this.person].el;
    item.dataset.seen = "1";  // at once: one POST per story, and the ring greys as the last one shows
    if (this.items.every(function (each) { return each.dataset.seen === "1"; })) this.ringSeen(ring, true);
    post(url).then(function (response) {
      if (!response.ok) throw new Error("not recorded");
    }).catch(function () {
      // not recorded (offline, a server error): both marks come back, and it is posted again when shown
      item.dataset.seen = "0";
      self.ringSeen(ring, false);
    });
  };

  Viewer.prototype.ringSeen = function (ring, seen) {
    if (!ring || ring.classList.contains("story-ring--own")) return;
    ring.classList.toggle("story-ring--unseen", !seen);
    ring.classList.toggle("story-ring--seen", seen);
    var state = ring.querySelector(".story-ring__state");
    if (state) state.textContent = seen ? ", seen" : ", new";
  };

  Viewer.prototype.tick = function (now) {
    if (!this.dialog.isConnected) return;
    this.frame = requestAnimationFrame(this.tick);
    var item = this.items[this.index];
    if (!item) return;
    var delta = now - this.last;
    this.last = now;
    if (this.paused()) return;
    var video = item.querySelector("video");
    var progress;
    if (video && !this.fallback && item.dataset.status === "ready") {
      if (video.error) { this.fallback = true; return; }
      progress = video.duration ? video.currentTime / video.duration : 0;
    } else {
      if (reducedMotion.matches) return;  // a photo stays until the person moves on
      this.elapsed += delta;
      progress = this.elapsed / this.imageMs;
      if (progress >= 1) { this.next(); return; }
    }
    if (reducedMotion.matches) return;  // the bar does not move (go() showed it full)
    this.progress.children[this.index].firstChild.style.transform = "scaleX(" + Math.min(1, progress) + ")";
  };

  Viewer.prototype.next = function () {
    if (!this.items.length) return;
    if (this.index < this.items.length - 1) this.go(this.index + 1);
    else this.nextPerson();
  };

  Viewer.prototype.prev = function () {
    if (!this.items.length) return;
    if (this.index > 0) this.go(this.index - 1);
    else if (this.person > 0) this.load(this.person - 1, "last");
    else this.go(0);
  };

  Viewer.prototype.nextPerson = function () {
    if (this.person < this.rings.length - 1) this.load(this.person + 1);
    else this.close();
  };

  Viewer.prototype.prevPerson = function () {
    if (this.person > 0) this.load(this.person - 1, "last");
    else this.go(0);
  };

  Viewer.prototype.reply = function (form) {
    var self = this;
    var input = form.querySelector("[name=text]");
    if (!input.value.trim()) return;
    var button = form.querySelector("button");
    button.disabled = true;
    post(form.action, new FormData(form)).then(function (response) {
      if (!response.ok) {
        // a refusal (blocked, too many new conversations) is one sentence of text/plain, as for htmx
        var plain = (response.headers.get("Content-Type") || "").indexOf("text/plain") === 0;
        return (plain ? response.text() : Promise.resolve("")).then(function (text) { throw new Error(text.trim()); });
      }
      var sent = document.createElement("p");
      sent.className = "story-viewer__sent";
      sent.setAttribute("role", "status");
      sent.textContent = "Sent";
      form.replaceWith(sent);
      self.stage.focus();
    }).catch(function (error) {
      button.disabled = false;
      var message = error && error.message && error.message.length < 300 ? error.message : "Your reply couldn't be sent. Try again.";
      if (window.instaclone && window.instaclone.toast) window.instaclone.toast(message, "error");
    });
  };

  Viewer.prototype.close = function () {
    if (!this.dialog.isConnected) return;
    this.token++;
    this.stop();
    cancelAnimationFrame(this.frame);
    document.removeEventListener("visibilitychange", this.onVisibility);
    if (this.dialog.open) this.dialog.close();
    this.dialog.remove();
    var ring = this.rings[this.person] && this.rings[this.person].el;
    var focus = ring && ring.isConnected ? ring : this.opener;
    if (focus && focus.focus) focus.focus();
    active = null;
  };

  var active = null;

  // social's report dialog (appended to <body> by htmx, shown as a modal over the viewer): the
  // viewer holds still while it is open ("close" does not bubble: the capture phase)
  function isReportDialog(element) {
    return element && element.matches && element.matches("dialog.report-dialog--modal");
  }
  document.addEventListener("htmx:load", function (event) {
    if (active && isReportDialog(event.detail.elt)) active.setPaused("report", true);
  });
  document.addEventListener("close", function (event) {
    if (active && isReportDialog(event.target)) active.setPaused("report", false);
  }, true);

  function open(rings, index, opener) {
    if (active || !document.getElementById("story-viewer-template") || !window.HTMLDialogElement) return false;
    active = new Viewer(rings, index, opener);
    return true;
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button > 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var ring = event.target.closest && event.target.closest("#story-tray a[data-story-ring]");
    var play = !ring && event.target.closest && event.target.closest("[data-story-play]");
    if (ring) {
      var links = Array.prototype.slice.call(document.querySelectorAll("#story-tray a[data-story-ring]"));
      var rings = links.map(function (link) { return {href: link.href, el: link}; });
      if (open(rings, links.indexOf(ring), ring)) event.preventDefault();
    } else if (play) {
      if (open([{href: play.href, el: null}], 0, play)) event.preventDefault();
    }
  });

  function reveal() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-story-play][hidden]"), function (button) {
      button.hidden = false;
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", reveal);
  else reveal();
})();
