/* The live display: full snapshots over a WebSocket, healed over HTTP.
 * - Every message is a complete snapshot with a sequence number; a gap means one was lost, so the
 *   snapshot is fetched again over HTTP (the next message would heal it anyway).
 * - A dropped socket reconnects with exponential backoff and jitter, and refetches on reconnect.
 * - If the socket cannot be opened at all, the page polls the same snapshot over HTTP.
 * - Screen readers hear a short summary at most every 30 seconds, never every change. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root) { return; }
  var labels = JSON.parse(document.getElementById("live-labels").textContent);
  var lang = document.documentElement.lang || "da";
  var fmt = new Intl.NumberFormat(lang === "da" ? "da-DK" : "en-GB");
  var wsPath = root.getAttribute("data-ws-path");
  var snapshotUrl = root.getAttribute("data-snapshot-url");
  var $ = function (sel) { return root.querySelector(sel); };
  var connection = $("[data-live-connection]");
  var announcer = $("[data-live-announce]");
  var POLL_MS = 3000, ANNOUNCE_MS = 30000, MAX_BACKOFF_MS = 30000;
  var lastSeq = null, lastGenerated = 0, failures = 0, everOpened = false;
  var socket = null, pollTimer = null, endsAt = null, lastAnnounce = 0, lastSpoken = "";
  var rowsById = {}, potLine = null;

  function text(sel, value) { var el = $(sel); if (el) { el.textContent = value; } }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (m, k) { return values[k]; });
  }
  function money(n) { return lang === "da" ? fmt.format(n) + " " + labels.kr : "DKK " + fmt.format(n); }
  function cell(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) { el.className = cls; }
    return el;
  }
  function barCell(value, max, funded) {
    var td = document.createElement("td");
    td.className = "live-bar-col";
    td.setAttribute("aria-hidden", "true");
    var bar = document.createElement("span");
    bar.className = "live-bar" + (funded ? " live-bar-funded" : "");
    bar.style.width = (max > 0 ? Math.round(100 * value / max) : 0) + "%";
    td.appendChild(bar);
    return td;
  }

  function renderRound(round, stage) {
    if (!round) { return; }
    text("[data-live-total]", fmt.format(round.turnout.total));
    var channels = $("[data-live-channels]");
    if (channels) {
      channels.textContent = "";
      Object.keys(labels.channels).forEach(function (key) {
        var count = round.turnout.by_channel[key] || 0;
        if (!count) { return; }
        var tr = document.createElement("tr");
        tr.appendChild(cell("th", labels.channels[key])).setAttribute("scope", "row");
        tr.appendChild(cell("td", fmt.format(count), "live-num"));
        channels.appendChild(tr);
      });
    }
    endsAt = Date.parse(round.round.voting_end);
    var stillOpen = round.round.phase === "voting" && endsAt > Date.now();
    var frozenStage = stage === "frozen" || stage === "revealed";
    // A frozen room result while online voting goes on: say so, and what the clock counts down.
    text("[data-live-time-heading]", frozenStage && stillOpen ? labels.online_left : labels.time_left);
    var table = $("[data-live-tally]");
    var note = "";
    var finalCount = { count: fmt.format(round.final_ballots || 0) };
    if (round.tally_state === "below_threshold") {
      note = fill(labels.below_threshold, { threshold: fmt.format(round.threshold) });
    } else if (round.tally_state === "hidden_by_host") {
      note = labels.hidden_by_host;
    } else if (round.tally_state === "frozen") {
      note = stillOpen ? fill(labels.frozen_open, finalCount) : labels.frozen;
    } else if (stage === "revealed") {
      note = stillOpen ? fill(labels.revealed_open, finalCount) : labels.revealed;
    }
    text("[data-live-note]", note);
    if (!table) { return; }
    if (!round.tally) { table.hidden = true; text("[data-live-pot]", fill(labels.pot_only, { pot: money(round.round.pot) })); return; }
    var rows = $("[data-live-rows]");
    var max = Math.max.apply(null, round.tally.map(function (r) { return r.votes; }).concat([1]));
    var spent = round.tally.reduce(function (sum, r) { return sum + (r.funded ? r.cost : 0); }, 0);
    var figures = { pot: money(round.round.pot), spent: money(spent), left: money(Math.max(0, round.round.pot - spent)) };
    text("[data-live-pot]", fill(labels.pot_summary, figures));
    var lineDrawn = false, keep = {};
    funded = []; unfunded = [];
    // Rows are kept and moved, not rebuilt, so the bars glide to their new length.
    round.tally.forEach(function (row) {
      if (!row.funded && !lineDrawn) {
        lineDrawn = true;
        if (!potLine) {
          potLine = document.createElement("tr");
          potLine.className = "live-pot-line";
          potLine.setAttribute("data-live-pot-line", "");
          potLine.appendChild(document.createElement("td")).colSpan = 4;
        }
        potLine.firstChild.textContent = fill(labels.pot_line, figures);
        rows.appendChild(potLine);
      }
      var tr = rowsById[row.id];
      if (!tr) {
        tr = document.createElement("tr");
        var name = cell("th", row.title);
        name.setAttribute("scope", "row");
        name.appendChild(cell("span", "", "sr-only"));
        tr.appendChild(name);
        tr.appendChild(cell("td", "", "live-num"));
        tr.appendChild(cell("td", money(row.cost), "live-num"));
        tr.appendChild(barCell(0, max, false));
        rowsById[row.id] = tr;
      }
      tr.className = row.funded ? "live-funded" : "";
      tr.cells[0].lastChild.textContent = " – " + (row.funded ? labels.funded : labels.not_funded);
      tr.cells[1].textContent = fmt.format(row.votes);
      var bar = tr.cells[3].firstChild;
      bar.className = "live-bar" + (row.funded ? " live-bar-funded" : "");
      bar.style.width = (max > 0 ? Math.round(100 * row.votes / max) : 0) + "%";
      keep[row.id] = true;
      (row.funded ? funded : unfunded).push(tr);
      rows.appendChild(tr);
    });
    if (!lineDrawn && potLine && potLine.parentNode) { potLine.parentNode.removeChild(potLine); }
    Object.keys(rowsById).forEach(function (id) {
      if (!keep[id]) { rows.removeChild(rowsById[id]); delete rowsById[id]; }
    });
    table.hidden = false;
    table.classList.toggle("live-reveal", stage === "revealed");
  }

  // --- Fitting the tally to the screen --------------------------------------------------------
  // On a projector nothing may scroll: the rows share the height left to the tally (the font
  // shrinks down to the readable minimum set in site.css), and the rows that still do not fit
  // are summed up as "and N more", first below the pot line, then just above it.
  var funded = [], unfunded = [], moreFunded = null, moreRest = null;
  var projector = window.matchMedia("(min-width: 900px) and (min-height: 500px)");

  function moreRow(existing) {
    if (existing) { return existing; }
    var tr = document.createElement("tr");
    tr.className = "live-more";
    tr.setAttribute("data-live-more", "");
    tr.appendChild(document.createElement("td")).colSpan = 4;
    return tr;
  }
  function moreText(count) {
    return count === 1 ? labels.more_one : fill(labels.more, { count: fmt.format(count) });
  }
  function detach(el) { if (el && el.parentNode) { el.parentNode.removeChild(el); } }

  function fit() {
    var box = $("[data-live-tally-box]");
    var rows = $("[data-live-rows]");
    if (!box || !rows) { return; }
    funded.concat(unfunded).forEach(function (tr) { tr.hidden = false; });
    detach(moreFunded); detach(moreRest);
    root.style.setProperty("--live-rows", String(funded.length + unfunded.length + (unfunded.length ? 1 : 0)));
    if (!projector.matches) { return; }
    var hiddenRest = 0, hiddenFunded = 0;
    var over = function () { return box.scrollHeight > box.clientHeight + 1; };
    while (over() && hiddenRest < unfunded.length) {
      hiddenRest += 1;
      unfunded[unfunded.length - hiddenRest].hidden = true;
      moreRest = moreRow(moreRest);
      moreRest.firstChild.textContent = moreText(hiddenRest);
      rows.appendChild(moreRest);
    }
    while (over() && hiddenFunded < funded.length - 1) {
      hiddenFunded += 1;
      var last = funded[funded.length - hiddenFunded];
      last.hidden = true;
      moreFunded = moreRow(moreFunded);
      moreFunded.firstChild.textContent = moreText(hiddenFunded);
      rows.insertBefore(moreFunded, funded[funded.length - 1].nextSibling);
    }
  }
  var fitTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(fitTimer);
    fitTimer = window.setTimeout(fit, 100);
  });

  function renderQuick(quick) {
    var box = $("[data-live-quick]");
    if (!box) { return; }
    if (!quick) { box.hidden = true; return; }
    box.hidden = false;
    text("[data-quick-heading]", quick.open ? labels.quick_running : labels.quick_result);
    // The agenda item's title comes in every site language: a generated one is worded per reader.
    var item = quick.agenda_item ? quick.agenda_item[lang] || quick.agenda_item.da || "" : "";
    text("[data-quick-question]", (item ? item + ": " : "") + quick.question);
    text("[data-quick-answers]", quick.answers === 1 ? labels.answers_one : fill(labels.answers, { count: fmt.format(quick.answers) }));
    var table = $("[data-quick-table]");
    if (!quick.result) { table.hidden = true; return; }
    var rows = $("[data-quick-rows]");
    rows.textContent = "";
    var max = Math.max.apply(null, quick.result.concat([1]));
    quick.options.forEach(function (option, i) {
      var tr = document.createElement("tr");
      var label = quick.kind === "yes_no" ? labels.yes_no[i] : option;
      tr.appendChild(cell("th", label)).setAttribute("scope", "row");
      tr.appendChild(cell("td", fmt.format(quick.result[i]), "live-num"));
      tr.appendChild(barCell(quick.result[i], max, false));
      rows.appendChild(tr);
    });
    table.hidden = false;
  }

  function announce(snapshot) {
    var round = snapshot.kind === "round" ? snapshot : snapshot.round;
    var spoken = round ? fill(labels.ballots, { count: fmt.format(round.ballots) }) : "";
    var now = Date.now();
    if (spoken && spoken !== lastSpoken && now - lastAnnounce >= ANNOUNCE_MS) {
      announcer.textContent = spoken;
      lastSpoken = spoken;
      lastAnnounce = now;
    }
  }

  function render(snapshot) {
    if (snapshot.generated_at && snapshot.generated_at < lastGenerated) { return; }
    if (snapshot.generated_at) { lastGenerated = snapshot.generated_at; }
    root.setAttribute("data-live-ballots", snapshot.kind === "round" ? snapshot.ballots : (snapshot.round ? snapshot.round.ballots : 0));
    if (snapshot.kind === "round") {
      renderRound(snapshot, "live");
    } else {
      renderRound(snapshot.round, snapshot.stage);
      renderQuick(snapshot.quick_vote);
      text("[data-live-room]", snapshot.room_voting_open ? labels.room_open : labels.room_closed);
    }
    fit();  // after the quick vote, which takes its share of the height
    announce(snapshot);
  }

  function tick() {
    var el = $("[data-live-time]");
    if (!el || !endsAt) { return; }
    var left = Math.max(0, Math.floor((endsAt - Date.now()) / 1000));
    if (!left) { el.textContent = labels.closed; return; }
    var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600);
    var m = Math.floor(left % 3600 / 60), s = left % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    el.textContent = (d ? d + " " + labels.days + " " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
  }

  function refetch() {
    return fetch(snapshotUrl, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (snapshot) { if (snapshot) { render(snapshot); } })
      .catch(function () { /* the next poll or message heals it */ });
  }

  function startPolling() {
    if (pollTimer) { return; }
    connection.textContent = labels.polling;
    root.setAttribute("data-live-mode", "polling");
    refetch();
    pollTimer = window.setInterval(refetch, POLL_MS);
  }
  function stopPolling() {
    if (pollTimer) { window.clearInterval(pollTimer); pollTimer = null; }
  }

  function connect() {
    if (!("WebSocket" in window)) { startPolling(); return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    try {
      socket = new WebSocket(scheme + window.location.host + wsPath);
    } catch (e) {
      startPolling();
      return;
    }
    socket.onopen = function () {
      everOpened = true;
      failures = 0;
      lastSeq = null;  // sequence numbers are per connection
      stopPolling();
      connection.textContent = "";
      root.setAttribute("data-live-mode", "socket");
    };
    socket.onmessage = function (event) {
      var snapshot;
      try { snapshot = JSON.parse(event.data); } catch (e) { return; }
      if (typeof snapshot.seq !== "number") { return; }
      if (lastSeq !== null && snapshot.seq <= lastSeq) { return; }
      var gap = lastSeq !== null && snapshot.seq > lastSeq + 1;
      lastSeq = snapshot.seq;
      render(snapshot);
      if (gap) { refetch(); }
    };
    socket.onclose = function () {
      socket = null;
      failures += 1;
      connection.textContent = labels.offline;
      // Never opened after a few tries: WebSockets are blocked here, so poll meanwhile.
      if (!everOpened && failures >= 3) { startPolling(); }
      var delay = Math.min(MAX_BACKOFF_MS, 500 * Math.pow(2, failures));
      delay = delay / 2 + Math.random() * delay / 2;  // jitter: not every display at once
      window.setTimeout(function () { refetch(); connect(); }, delay);
    };
  }

  document.body.classList.add("live-js");
  connect();
  tick();
  window.setInterval(tick, 1000);
})();
