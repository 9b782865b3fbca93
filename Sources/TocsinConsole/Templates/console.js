// SPDX-License-Identifier: Apache-2.0
// Live updates for the events page. Rows arrive in batches that the server already coalesces; this
// script adds them once per animation frame, sets every value as text (never as markup) and keeps at
// most data-max-rows rows. Without JavaScript the page works, only without live updates.
"use strict";
(function () {
  function start() {
    var status = document.getElementById("live-status");
    var body = document.getElementById("event-rows");
    if (!status || !body || !window.EventSource) {
      return;
    }
    var maxRows = parseInt(status.getAttribute("data-max-rows"), 10) || 200;
    var queue = [];
    var scheduled = false;
    var skipped = 0;
    function cell(row, text) {
      var td = document.createElement("td");
      td.textContent = text;
      row.appendChild(td);
      return td;
    }
    function render() {
      scheduled = false;
      var fragment = document.createDocumentFragment();
      var rows = queue.splice(0, queue.length);
      for (var i = rows.length - 1; i >= 0; i--) {
        var item = rows[i];
        var tr = document.createElement("tr");
        tr.setAttribute("data-seq", String(item.seq));
        var link = document.createElement("a");
        link.href = "/ui/events/" + encodeURIComponent(String(item.seq));
        link.textContent = String(item.seq);
        cell(tr, "").appendChild(link);
        cell(tr, item.time);
        cell(tr, item.type);
        cell(tr, item.source);
        cell(tr, item.subject);
        fragment.appendChild(tr);
      }
      body.insertBefore(fragment, body.firstChild);
      while (body.rows.length > maxRows) {
        body.deleteRow(body.rows.length - 1);
      }
      status.textContent = "Live" + (skipped > 0 ? " — " + skipped + " events not shown (rate-limited)" : "");
    }
    var source = new EventSource(status.getAttribute("data-stream"));
    source.addEventListener("open", function () {
      status.className = "live connected";
      status.textContent = "Live";
    });
    source.addEventListener("error", function () {
      status.className = "live";
      status.textContent =
        source.readyState === EventSource.CLOSED
          ? "Live updates stopped (the session ended, or too many live pages are open); reload to resume."
          : "Reconnecting…";
    });
    source.addEventListener("batch", function (message) {
      var batch = JSON.parse(message.data);
      skipped += batch.skipped;
      Array.prototype.push.apply(queue, batch.rows);
      if (queue.length > maxRows) {
        queue.splice(0, queue.length - maxRows);
      }
      if (!scheduled) {
        scheduled = true;
        window.requestAnimationFrame(render);
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
