// vigil web UI: progressive enhancement only. Every page works without this file; with it,
// times show in the reader's time zone and pages follow live events (Server-Sent Events from
// /api/v1/stream) by re-fetching themselves and swapping their [data-live-region] parts.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function localiseTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d)) return;
      if (!el.title) el.title = el.textContent;
      el.textContent = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
        " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
    });
  }

  // A region is left alone while someone is using it: focus inside, or text typed into a field.
  function busy(el) {
    if (el.contains(document.activeElement) && document.activeElement !== document.body) return true;
    var fields = el.querySelectorAll("textarea, input[type=text], input:not([type])");
    for (var i = 0; i < fields.length; i++) if (fields[i].value) return true;
    return false;
  }

  var live = document.getElementById("live");
  function say(text) { if (live) live.textContent = text; }

  var refreshing = false, again = false, timer = null;
  function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live-region][id]").forEach(function (el) {
          var fresh = next.getElementById(el.id);
          if (!fresh || busy(el)) return;
          el.innerHTML = fresh.innerHTML;
          localiseTimes(el);
        });
        var d = new Date();
        say("Updated " + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()));
      })
      .catch(function () { say("Update failed; reload the page"); })
      .then(function () {
        refreshing = false;
        if (again) { again = false; refresh(); }
      });
  }
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);  // a burst of events is one refresh
  }

  function connect() {
    if (!window.EventSource || document.body.getAttribute("data-live") !== "on") return;
    var es = new EventSource("/api/v1/stream");
    es.addEventListener("open", function () { say("Live"); });
    es.addEventListener("incident", soon);
    es.addEventListener("service", soon);
    es.addEventListener("error", function () { say("Reconnecting…"); });
    window.addEventListener("pagehide", function () { es.close(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localiseTimes(document);
    connect();
  });
})();
