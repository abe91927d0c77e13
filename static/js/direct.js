// Direct messages (social/templates/direct/conversation.html), progressive enhancement only: without
// this file every page works as plain forms (POST, then back to the conversation) and a Refresh link.
//  - Live: static/js/live.js dispatches `live:<type>` CustomEvents on <body> (detail = the event, ids
//    only). On live:message for this conversation, and on live:open (every (re)connect: whatever was
//    missed), fetch the catch-up (`data-after-url?after=<newest id on the page>`: the page's own <li>
//    partials, read through the same membership check) and append the new ones, once each
//    (deduplicated by data-message-id); while the page is visible, tell the server they were seen.
//    live:seen refreshes the "Seen" line; live:message_deleted removes that message. The catch-up
//    answers at most 100 messages; with more waiting it says so (header Direct-More) and is asked
//    again from the newest it brought, until nothing is left.
//  - The inbox lists (direct/inbox.html #threads, the conversation page's #direct-aside-threads)
//    refresh their first page by themselves: htmx hx-trigger on live:message and live:open.
//  - Sending with htmx appends your own message (the form's hx-post, hx-swap beforeend); the form is
//    emptied afterwards. Enter sends, Shift+Enter is a new line (not an htmx key filter: those need
//    eval, which the Content-Security-Policy forbids; see engagement.js). Choosing a photo sends it.
//  - `directToast` (HX-Trigger of the story reply): a "Sent" status toast through app.js.
(function () {
  "use strict";

  function toast(text) {
    if (window.instaclone && window.instaclone.toast) window.instaclone.toast(text, "success");
  }
  document.addEventListener("directToast", function (event) {
    var text = event.detail && typeof event.detail.value === "string" ? event.detail.value : "Sent";
    toast(text);
  });

  var list = document.getElementById("message-list");
  if (!list) return;
  var conversation = list.dataset.conversation;
  var afterUrl = list.dataset.afterUrl;
  var seenUrl = list.dataset.seenUrl;
  var isRequest = list.hasAttribute("data-request");
  var form = document.getElementById("message-form");

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }
  function items() {
    return list.querySelectorAll("li[data-message-id]");
  }
  function newestId() {
    var max = 0;
    items().forEach(function (li) {
      var id = parseInt(li.dataset.messageId, 10);
      if (id > max) max = id;
    });
    return max;
  }
  function sameConversation(detail) {
    return detail && String(detail.conversation) === conversation;
  }
  function dropPlaceholder() {
    var empty = list.querySelector("[data-empty]");
    if (empty) empty.remove();
  }
  // Keep the first <li> of each message id (htmx's own append and a catch-up may both bring it).
  function dedupe() {
    var seen = {};
    items().forEach(function (li) {
      if (seen[li.dataset.messageId]) li.remove();
      else seen[li.dataset.messageId] = true;
    });
  }

  var markedUpTo = 0;
  function markSeen() {
    if (isRequest || document.visibilityState !== "visible") return;
    var id = newestId();
    if (!id || id <= markedUpTo) return;
    markedUpTo = id;
    var body = new URLSearchParams({ message: String(id) });
    fetch(seenUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
    }).catch(function () { markedUpTo = 0; });
  }
  document.addEventListener("visibilitychange", markSeen);

  var fetching = false;
  var again = false;
  function catchUp() {
    if (fetching) { again = true; return; }
    fetching = true;
    fetch(afterUrl + "?after=" + newestId(), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        if (response.headers.get("Direct-More")) again = true;  // a full page: ask again from its newest
        return response.text();
      })
      .then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html;
        var added = false;
        template.content.querySelectorAll("li[data-message-id]").forEach(function (li) {
          if (list.querySelector('li[data-message-id="' + li.dataset.messageId + '"]')) return;
          list.appendChild(li);
          added = true;
        });
        if (added) {
          dropPlaceholder();
          if (window.htmx) window.htmx.process(list);  // the new messages' delete forms
          refreshSeen();
          markSeen();
        }
      })
      .catch(function () { /* the next live:open catches up */ })
      .then(function () {
        fetching = false;
        if (again) { again = false; catchUp(); }
      });
  }

  function refreshSeen() {
    var line = document.getElementById("seen-status");
    if (!line) return;
    fetch(seenUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        var fresh = template.content.firstElementChild;
        if (fresh && fresh.textContent !== line.textContent) line.textContent = fresh.textContent;
      })
      .catch(function () {});
  }

  document.body.addEventListener("live:open", function () {
    catchUp();
    refreshSeen();
  });
  document.body.addEventListener("live:message", function (event) {
    if (sameConversation(event.detail)) catchUp();
  });
  document.body.addEventListener("live:seen", function (event) {
    if (sameConversation(event.detail)) refreshSeen();
  });
  document.body.addEventListener("live:message_deleted", function (event) {
    if (!sameConversation(event.detail)) return;
    var li = list.querySelector('li[data-message-id="' + event.detail.message + '"]');
    if (li) li.remove();
    refreshSeen();
  });
  markSeen();

  if (!form) return;
  var textarea = form.querySelector("textarea[name=text]");
  var photo = form.querySelector("input[type=file][name=photo]");

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== list) return;
    dropPlaceholder();
    dedupe();
  });
  form.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form || !event.detail.successful) return;
    form.reset();
    var label = photo && photo.closest("label");
    if (label) label.removeAttribute("data-chosen");
    if (textarea) textarea.focus();
    refreshSeen();
  });
  if (textarea) {
    textarea.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
      event.preventDefault();
      if (!textarea.value.trim() && !(photo && photo.files && photo.files.length)) return;
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.querySelector("button[type=submit]").click();
    });
  }
  if (photo) {
    photo.addEventListener("change", function () {
      var label = photo.closest("label");
      if (!photo.files || !photo.files.length) return;
      if (label) label.setAttribute("data-chosen", "");
      if (typeof form.requestSubmit === "function") form.requestSubmit();
    });
  }
})();
