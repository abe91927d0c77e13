// Live updates (issue 16): one WebSocket per signed-in page (<body data-live>, templates/base.html)
// to /ws/live/ (social/live/consumers.py). Every event the server sends (ids only, never content) is
// dispatched on document.body as a CustomEvent "live:<type>" whose detail is the event, e.g.
// "live:message" {type, conversation, message}; "live:open" follows every (re)connect, when pages
// catch up on what they missed while closed. Pages listen with htmx (hx-trigger="live:message from:body")
// or their own listener. Nothing here is needed for a page to work: without the socket pages poll or
// reload as before.
//
// Reconnects with jittered exponential back-off (1 s doubling to 60 s, each wait 50-100% of that),
// at once when the browser comes back online. The server closes with 4401 when the session ended
// (logout elsewhere, suspension): no reconnect then; with 4001 when the session's key changed (a
// password changed in another tab of this browser): the back-off starts over and the next handshake
// decides with the browser's current cookie. A ping every 25 s keeps idle proxies from
// dropping the socket; no answer within 10 s and the socket is taken for dead and replaced. A hidden
// tab keeps its socket (one idle socket costs the server a few kB; a page shown again is current).
//
// Badges: an element marked data-live-badge="<name>" (the nav's notifications badge; the messages
// badge) gets the htmx event "live-refresh" (which its hx-trigger lists) on a {"type": "badge",
// "badge": "<name>"} event and whenever the socket opens (the first time too: a change between the
// page's render and the open would be missed). Its "every Ns" poll is the fallback: a badge's poll (a
// request from inside a [data-live-badge] element that "live-refresh" did not trigger) is cancelled
// while the socket is open, so a badge never refreshes twice for one change. Other background polls
// (the data export's and the import's progress) are not badges and always run. While the socket is
// open the badges still refresh every data-live-poll seconds (<body>, LIVE_BADGE_POLL, 5 minutes): a
// safety net for changes whose event reached no socket (published by the task worker when there is
// no Redis between it and this app process, or lost to a Redis outage).
(function () {
  "use strict";

  var body = document.body;
  if (!body || !body.hasAttribute("data-live") || !("WebSocket" in window)) return;

  var PATH = body.getAttribute("data-live") || "/ws/live/";
  var BASE_DELAY = 1000;
  var MAX_DELAY = 60000;
  var PING_EVERY = 25000;
  var PONG_WITHIN = 10000;
  var SIGNED_OUT = 4401; // the session ended: stop
  var SESSION_MOVED = 4001; // the session's key changed: reconnect (first back-off step)
  var BADGE_POLL = Math.max(1, parseFloat(body.getAttribute("data-live-poll")) || 300) * 1000;

  var socket = null;
  var attempts = 0;
  var opened = 0; // how many times the socket opened on this page
  var retryTimer = null;
  var pingTimer = null;
  var pongTimer = null;
  var badgeTimer = null;
  var stopped = false;

  function url() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + PATH;
  }

  function setState(state) {
    body.setAttribute("data-live-state", state);
  }

  function fire(name, detail) {
    body.dispatchEvent(new CustomEvent(name, { detail: detail, bubbles: true }));
  }

  function isOpen() {
    return !!socket && socket.readyState === WebSocket.OPEN;
  }

  function refreshBadges(name) {
    if (!window.htmx) return;
    var selector = name ? '[data-live-badge~="' + name + '"]' : "[data-live-badge]";
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (el) {
      window.htmx.trigger(el, "live-refresh");
    });
  }

  function clearTimers() {
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    clearInterval(badgeTimer);
    pingTimer = pongTimer = badgeTimer = null;
  }

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (stopped || socket) return;
    var ws;
    try {
      ws = new WebSocket(url());
    } catch (error) {
      scheduleRetry();
      return;
    }
    socket = ws;
    setState("connecting");
    ws.onopen = function () {
      attempts = 0;
      opened += 1;
      setState("open");
      pingTimer = setInterval(ping, PING_EVERY);
      badgeTimer = setInterval(refreshBadges, BADGE_POLL);
      // Badges may have missed a change while closed (or between the page's render and this open).
      refreshBadges();
      fire("live:open", { reconnected: opened > 1 });
    };
    ws.onmessage = function (message) {
      clearTimeout(pongTimer);
      pongTimer = null;
      var event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (!event || typeof event.type !== "string" || event.type === "pong") return;
      if (event.type === "badge") refreshBadges(event.badge);
      fire("live:" + event.type, event);
    };
    ws.onclose = function (close) {
      closed(ws, close.code);
    };
  }

  // The socket is gone (closed by either side, or given up as dead): forget it and plan the next.
  function closed(ws, code) {
    if (socket !== ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    socket = null;
    clearTimers();
    setState("closed");
    fire("live:close", { code: code });
    if (code === SIGNED_OUT) {
      stopped = true;
      return;
    }
    if (code === SESSION_MOVED) attempts = 0;
    scheduleRetry();
  }

  function scheduleRetry() {
    if (stopped || retryTimer) return;
    var delay = Math.min(MAX_DELAY, BASE_DELAY * Math.pow(2, attempts));
    attempts += 1;
    delay = delay / 2 + Math.random() * (delay / 2);
    retryTimer = setTimeout(connect, delay);
  }

  function ping() {
    if (!isOpen()) return;
    socket.send('{"type":"ping"}');
    if (!pongTimer) {
      var ws = socket;
      pongTimer = setTimeout(function () {
        // No answer: the connection is dead somewhere on the way (a proxy, a sleeping laptop).
        closed(ws, 1006);
        try {
          ws.close();
        } catch (error) {
          /* already closing */
        }
      }, PONG_WITHIN);
    }
  }

  // While the socket is open, the badges' polls are not needed (events refresh them). Only badges:
  // any other poll (an export's or an import's progress) has no event and must keep running.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!isOpen() || !elt || !elt.closest || !elt.closest("[data-live-badge]")) return;
    var trigger = event.detail.triggeringEvent;
    if (trigger && trigger.type === "live-refresh") return;
    event.preventDefault();
  });

  window.addEventListener("online", function () {
    if (!socket && !stopped) {
      attempts = 0;
      connect();
    }
  });
  // Back from the back/forward cache: the socket was closed while the page was put away.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted || stopped) return;
    if (socket && socket.readyState !== WebSocket.OPEN) closed(socket, 1006);
    if (!socket) {
      attempts = 0;
      connect();
    }
  });

  window.instaclone = window.instaclone || {};
  window.instaclone.live = { isOpen: isOpen };

  setState("closed");
  connect();
})();
