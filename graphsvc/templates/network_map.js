// graphsvc workshop map: the page's own script (no library but vis-network).
// The layout comes from the server and is frozen (physics off). Everything the facilitator
// does is a `mapState` (focus, steps, tie kinds, since, cluster, all ties, expanded ties) that
// `refresh()` turns into hidden/shown nodes and edges; saved views keep such states in the URL.
"use strict";

var ACTOR_TIES = ["collaboration", "network", "patients"];
var nodes, edges, network, fitScale = 1, allLabels = false, diffOn = false;
var byId = {}, edgeById = {}, aggregateOf = {};
var mapState = defaultState();
var views = {};
var capture = { ties: [], missing_actors: [], priorities: [] };

function defaultState() {
  return { focus: [], steps: 1, kinds: ACTOR_TIES.concat(["proposed"]), since: null,
           cluster: "", allTies: false, expanded: [] };
}

function el(id) { return document.getElementById(id); }

function say(text) { el("status").textContent = text; }

function drawGraph() {
  MAP.nodes.concat(MAP.proposedNodes).forEach(function (n) { byId[n.id] = n; });
  MAP.aggregates.forEach(function (a) {
    a.members.forEach(function (m) { aggregateOf[m] = a.id; });
  });
  var all = MAP.edges.concat(MAP.aggregates, MAP.proposedEdges);
  all.forEach(function (e) { edgeById[e.id] = e; });
  nodes = new vis.DataSet(MAP.nodes.concat(MAP.proposedNodes));
  edges = new vis.DataSet(all);
  network = new vis.Network(el("mynetwork"), { nodes: nodes, edges: edges }, MAP.options);
  network.once("afterDrawing", function () {
    fitScale = network.getScale();
    labels();
    network.redraw();
    // when the map stood drawn, in ms since navigation started (bench/bench_map.py reads it)
    document.body.setAttribute("data-settled-ms", String(Math.round(performance.now())));
    document.body.setAttribute("data-rendered", "true");
  });
  network.on("zoom", function () { labels(); });
  network.on("click", function (params) {
    if (params.nodes.length === 0 && params.edges.length === 1) {
      var edge = edgeById[params.edges[0]];
      if (edge && edge.kind === "aggregate") { expand(edge.id); }
    } else if (params.nodes.length === 1 && network.isCluster(params.nodes[0])) {
      openClusters();
      mapState.cluster = "";
      el("cluster-by").value = "";
    }
  });
  return network;
}

// --- labels: the most central at the default zoom, all when zoomed in; always readable ---
var labelScale = null;
var SCREEN_PX = { actor: 14, zone: 16, need: 13, service_type: 13, group: 14, proposed_actor: 13 };

function labels() {
  var scale = network.getScale();
  var want = scale >= 1.8 * fitScale;
  if (want === allLabels && labelScale !== null && Math.abs(scale / labelScale - 1) < 0.1) { return; }
  allLabels = want;
  labelScale = scale;
  nodes.update(MAP.nodes.concat(MAP.proposedNodes).map(function (n) {
    // about SCREEN_PX pixels high on screen whatever the zoom (canvas units = px / scale)
    var size = Math.max(10, Math.min(48, (SCREEN_PX[n.kind] || 14) / scale));
    var font = Object.assign({ strokeWidth: 4, strokeColor: "#ffffff" }, n.font || {}, { size: size });
    var update = { id: n.id, font: font };
    if (n.kind === "actor") { update.label = want || n.top || n.id === MAP.focus ? n.name : ""; }
    return update;
  }));
}

function labelledActors() {
  return nodes.get({ filter: function (n) { return n.kind === "actor" && !n.hidden && n.label; } })
    .map(function (n) { return n.id; }).sort();
}

// --- what is visible ---------------------------------------------------------------------
function tieVisible(e, state) {
  if (e.kind === "proposed") { return state.kinds.indexOf("proposed") !== -1; }
  if (ACTOR_TIES.indexOf(e.kind) === -1) { return true; }
  var kinds = e.kinds || [e.kind];
  if (!kinds.some(function (k) { return state.kinds.indexOf(k) !== -1; })) { return false; }
  return !(state.since !== null && e.since !== undefined && e.since > state.since);
}

function reached(state) {
  // actors within `steps` ties of the focus, over the ties that pass the filters
  var seen = {}, frontier = state.focus.slice();
  frontier.forEach(function (id) { seen[id] = true; });
  var around = {};
  MAP.edges.concat(MAP.proposedEdges).forEach(function (e) {
    if (!(e.kind === "proposed" || ACTOR_TIES.indexOf(e.kind) !== -1) || !tieVisible(e, state)) { return; }
    (around[e.from] = around[e.from] || []).push(e.to);
    (around[e.to] = around[e.to] || []).push(e.from);
  });
  for (var step = 0; step < state.steps; step++) {
    var next = [];
    frontier.forEach(function (id) {
      (around[id] || []).forEach(function (other) {
        if (!seen[other]) { seen[other] = true; next.push(other); }
      });
    });
    frontier = next;
  }
  return seen;
}

function refresh() {
  var state = mapState;
  openClusters();
  var keep = state.focus.length ? reached(state) : null;
  var shown = {};
  var nodeUpdates = MAP.nodes.concat(MAP.proposedNodes).map(function (n) {
    var visible;
    if (!keep) { visible = true; }
    else if (n.kind === "actor" || n.kind === "proposed_actor") { visible = !!keep[n.id]; }
    else { visible = n.kind === "zone"; }
    if (visible) { shown[n.id] = true; }
    var update = { id: n.id, hidden: !visible };
    if (diffOn && MAP.diff && n.kind === "actor") {
      var added = MAP.diff.actors_added.indexOf(n.id) !== -1;
      update.borderWidth = added ? 5 : 1;
      update.color = added ? { background: colourOf(n), border: MAP.proposedColour } : n.color;
    } else if (n.kind === "actor") {
      update.borderWidth = n.borderWidth || 1;
      update.color = n.color;
    }
    return update;
  });
  nodes.update(nodeUpdates);
  var live = {};
  var edgeUpdates = MAP.edges.concat(MAP.proposedEdges).map(function (e) {
    var visible = shown[e.from] && shown[e.to] && tieVisible(e, state);
    if (visible && e.aggregate && !state.allTies && state.expanded.indexOf(e.aggregate) === -1) {
      live[e.aggregate] = (live[e.aggregate] || 0) + 1;
      visible = false;
    }
    var update = { id: e.id, hidden: !visible };
    if (diffOn && MAP.diff && ACTOR_TIES.indexOf(e.kind) !== -1) {
      var key = e.from < e.to ? e.from + "|" + e.to : e.to + "|" + e.from;
      update.color = MAP.diff.ties_added.indexOf(key) !== -1 ? MAP.proposedColour : e.color;
    } else if (ACTOR_TIES.indexOf(e.kind) !== -1) { update.color = e.color; }
    return update;
  });
  MAP.aggregates.forEach(function (a) {
    var count = live[a.id] || 0;
    edgeUpdates.push({ id: a.id, hidden: count === 0, title: count + " ties between the two vicinity networks (click to show them)" });
  });
  edges.update(edgeUpdates);
  if (state.cluster) { cluster(state.cluster); }
  el("all-ties").setAttribute("aria-pressed", String(state.allTies));
  say(visibleNodeCount() + " nodes shown");
}

function colourOf(n) { return typeof n.color === "string" ? n.color : n.color.background; }

var heldPositions = {};

function openClusters() {
  // members go back exactly where they were before clustering (not piled on the cluster)
  Object.keys(network.body.nodes).filter(function (id) { return network.isCluster(id); })
    .forEach(function (id) {
      network.openCluster(id, { releaseFunction: function (_at, contained) {
        var out = {};
        Object.keys(contained).forEach(function (m) { out[m] = heldPositions[m] || contained[m]; });
        return out;
      } });
    });
}

function cluster(field) {
  network.body.nodeIndices.forEach(function (id) {
    var node = network.body.nodes[id];
    if (node && !network.isCluster(id)) { heldPositions[id] = { x: node.x, y: node.y }; }
  });
  var values = {};
  nodes.forEach(function (n) {
    if (n.kind === "actor" && !n.hidden && n[field] !== undefined && n[field] !== "") {
      var v = String(n[field]);
      (values[v] = values[v] || []).push(n);
    }
  });
  Object.keys(values).sort().forEach(function (v) {
    var members = values[v];
    var name = byId[v] ? byId[v].name : v;
    network.cluster({
      joinCondition: function (o) { return o.kind === "actor" && !o.hidden && String(o[field]) === v; },
      clusterNodeProperties: {
        id: "cluster:" + field + ":" + v, kind: "cluster", shape: "hexagon",
        label: name + " (" + members.length + ")", size: 10 + 3 * Math.sqrt(members.length),
        color: colourOf(members[0]), font: { size: 20, strokeWidth: 3 },
        title: field + " " + name + ": " + members.length + " actors (click to open)"
      }
    });
  });
}

function visibleNodeCount() {
  return network.body.nodeIndices.filter(function (id) {
    var node = network.body.nodes[id];
    return node && !node.options.hidden;
  }).length;
}

function expand(aggregateId) {
  if (mapState.expanded.indexOf(aggregateId) === -1) { mapState.expanded.push(aggregateId); }
  refresh();
}

function applyState(state) {
  mapState = Object.assign(defaultState(), state || {});
  var focus = el("focus-actors");
  Array.prototype.forEach.call(focus.options, function (o) { o.selected = mapState.focus.indexOf(o.value) !== -1; });
  el("focus-steps").value = mapState.steps;
  Array.prototype.forEach.call(document.querySelectorAll(".tie-kind"), function (box) {
    box.checked = mapState.kinds.indexOf(box.value) !== -1;
  });
  var since = el("since");
  since.value = mapState.since === null ? since.max : mapState.since;
  el("since-value").textContent = since.value;
  el("cluster-by").value = mapState.cluster;
  refresh();
  if (mapState.focus.length) { network.fit({ nodes: Object.keys(reached(mapState)), animation: false }); }
  else { network.fit({ animation: false }); }
}

// --- saved views in the URL ----------------------------------------------------------------
function readHash() {
  var text = decodeURIComponent(location.hash.replace(/^#/, ""));
  if (!text) { return null; }
  try { return JSON.parse(text); } catch (e) { say("the view in this URL cannot be read"); return null; }
}

function writeHash(current) {
  location.hash = encodeURIComponent(JSON.stringify({ view: current, views: views }));
}

function listViews(current) {
  var list = el("view-list");
  list.innerHTML = '<option value="">saved views…</option>';
  Object.keys(views).sort().forEach(function (name) {
    var o = document.createElement("option");
    o.value = name; o.textContent = name; o.selected = name === current;
    list.appendChild(o);
  });
}

function saveView(name) {
  name = (name || "").trim();
  if (!name) { say("give the view a name"); return; }
  views[name] = JSON.parse(JSON.stringify(mapState));
  listViews(name);
  writeHash(name);
  say("view " + name + " saved in the URL");
}

function switchView(name) {
  if (!views[name]) { return; }
  applyState(views[name]);
  listViews(name);
  writeHash(name);
}

// --- export ----------------------------------------------------------------------------
function download(name, url) {
  var a = document.createElement("a");
  a.href = url; a.download = name;
  document.body.appendChild(a); a.click(); a.remove();
}

function exportPng() {
  network.redraw();
  var canvas = document.querySelector("#mynetwork canvas");
  var copy = document.createElement("canvas");
  copy.width = canvas.width; copy.height = canvas.height;
  var context = copy.getContext("2d");
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, copy.width, copy.height);
  context.drawImage(canvas, 0, 0);
  var url = copy.toDataURL("image/png");
  download(MAP.zone + "-map.png", url);
  return url;
}

function escapeXml(text) {
  return String(text).replace(/[<>&"']/g, function (c) {
    return { "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" }[c];
  });
}

function exportSvg() {
  // the current view: visible nodes and edges at their places, visible labels
  var ids = network.body.nodeIndices.filter(function (id) { return !network.body.nodes[id].options.hidden; });
  var pos = network.getPositions(ids);
  var xs = ids.map(function (id) { return pos[id].x; }), ys = ids.map(function (id) { return pos[id].y; });
  var pad = 60, minX = Math.min.apply(null, xs) - pad, minY = Math.min.apply(null, ys) - pad;
  var width = Math.max.apply(null, xs) + pad - minX, height = Math.max.apply(null, ys) + pad - minY;
  var out = ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="' + [minX, minY, width, height].map(Math.round).join(" ") +
             '" width="' + Math.round(width) + '" height="' + Math.round(height) + '" font-family="sans-serif">',
             '<title>' + escapeXml(MAP.title) + '</title>',
             '<rect x="' + minX + '" y="' + minY + '" width="' + width + '" height="' + height + '" fill="#ffffff"/>'];
  network.body.edgeIndices.forEach(function (id) {
    var e = network.body.edges[id];
    if (!e || e.options.hidden || !pos[e.fromId] || !pos[e.toId]) { return; }
    var colour = e.options.color.color || "#888888";
    out.push('<line class="edge" x1="' + pos[e.fromId].x + '" y1="' + pos[e.fromId].y + '" x2="' + pos[e.toId].x +
             '" y2="' + pos[e.toId].y + '" stroke="' + escapeXml(colour) + '" stroke-width="' + e.options.width +
             '"' + (e.options.dashes ? ' stroke-dasharray="6 4"' : "") + '/>');
  });
  ids.forEach(function (id) {
    var o = network.body.nodes[id].options, p = pos[id];
    var fill = o.color.background, r = o.size || 10;
    out.push('<circle class="node" data-id="' + escapeXml(id) + '" cx="' + p.x + '" cy="' + p.y + '" r="' + r +
             '" fill="' + escapeXml(fill) + '" stroke="' + escapeXml(o.color.border) + '"/>');
    if (o.label) {
      out.push('<text x="' + p.x + '" y="' + (p.y + r + 14) + '" text-anchor="middle" font-size="' +
               ((o.font && o.font.size) || 14) + '" fill="#222222" stroke="#ffffff" stroke-width="3" paint-order="stroke">' +
               escapeXml(o.label) + '</text>');
    }
  });
  out.push("</svg>");
  var text = out.join("\n");
  download(MAP.zone + "-map.svg", "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text));
  return text;
}

function printA3() {
  network.redraw();
  var holder = el("printed");
  holder.innerHTML = "";
  var img = document.createElement("img");
  img.alt = MAP.title;
  img.src = document.querySelector("#mynetwork canvas").toDataURL("image/png");
  holder.appendChild(img);
  window.print();
}

// --- since last workshop -----------------------------------------------------------------
function toggleDiff() {
  diffOn = !diffOn && !!MAP.diff;
  el("diff-toggle").setAttribute("aria-pressed", String(diffOn));
  var panel = el("diff-panel");
  panel.hidden = !diffOn;
  if (diffOn) {
    var d = MAP.diff, name = function (id) { return byId[id] ? byId[id].name : id; };
    panel.innerHTML = "";
    var h = document.createElement("h2");
    h.textContent = "Since " + (d.workshop ? "workshop " + d.workshop + ", " : "") + (d.since || "the saved layout");
    panel.appendChild(h);
    [["actors added", d.actors_added.map(name)], ["actors removed", d.actors_removed],
     ["ties added", d.ties_added], ["ties removed", d.ties_removed],
     ["ties changed", d.ties_changed.map(function (c) { return c.tie + ": " + c.before.join("+") + " → " + c.now.join("+"); })]
    ].forEach(function (row) {
      var p = document.createElement("p");
      p.textContent = row[1].length + " " + row[0] + (row[1].length ? ": " + row[1].slice(0, 12).join(", ") + (row[1].length > 12 ? " …" : "") : "");
      panel.appendChild(p);
    });
  }
  refresh();
}

// --- workshop capture ----------------------------------------------------------------------
function counted() {
  el("capture-count").textContent = capture.ties.length + " ties, " + capture.missing_actors.length +
    " missing actors, " + capture.priorities.length + " priorities captured";
}

function addTie(source, target, type, note) {
  if (!source || !target || source === target) { say("a tie needs two different actors"); return false; }
  capture.ties.push({ source: source, target: target, type: type, note: note || "" });
  var id = "capture:tie:" + capture.ties.length;
  var edge = { id: id, from: source, to: target, kind: "proposed", type: type, color: MAP.proposedColour,
               width: 2.5, dashes: [8, 5], title: "proposed tie: " + type + (note ? "\n" + note : "") };
  MAP.proposedEdges.push(edge); edgeById[id] = edge; edges.add(edge);
  counted(); refresh();
  return true;
}

function markMissing(name, line, zone, note) {
  name = (name || "").trim();
  if (!name) { say("a missing actor needs a name"); return false; }
  note = (note || "").trim();
  capture.missing_actors.push({ name: name, line: line, zone: zone, note: note });
  var id = "capture:actor:" + capture.missing_actors.length;
  var at = network.getPositions([zone])[zone] || { x: 0, y: 0 };
  var node = { id: id, kind: "proposed_actor", label: name + " (proposed)", name: name + " (proposed)",
               shape: "dot", size: 10, x: at.x + 40, y: at.y + 40, borderWidth: 3,
               shapeProperties: { borderDashes: [4, 3] }, line: line, zone: zone,
               title: "proposed missing actor (" + line + ")" + (note ? "\n" + note : ""),
               color: { background: "#ffffff", border: MAP.proposedColour } };
  MAP.proposedNodes.push(node); byId[id] = node; nodes.add(node);
  counted(); refresh();
  return true;
}

function tagPriority(text, actor) {
  text = (text || "").trim();
  if (!text) { say("a priority needs a text"); return false; }
  var row = { text: text };
  if (actor) { row.actor = actor; }
  capture.priorities.push(row);
  counted();
  return true;
}

function exactPositions() {
  // whole page pixels, as the server lays out
  var positions = {};
  MAP.nodes.map(function (n) { return n.id; }).sort().forEach(function (id) {
    var node = network.body.nodes[id];
    if (node) { positions[id] = [Math.round(node.x), Math.round(node.y)]; }
  });
  return positions;
}

function buildPatch() {
  var positions = exactPositions();
  return {
    format: "graphsvc-workshop-patch", version: 1, zone: MAP.zone,
    workshop: { id: el("ws-id").value.trim(), date: el("ws-date").value, facilitator: el("ws-facilitator").value.trim() },
    ties: capture.ties, missing_actors: capture.missing_actors, priorities: capture.priorities,
    positions: positions
  };
}

function exportPatch() {
  var patch = buildPatch();
  if (!patch.workshop.id || !patch.workshop.date || !patch.workshop.facilitator) {
    say("give the workshop id, date and facilitator first");
    return null;
  }
  var text = JSON.stringify(patch, null, 1);
  download("workshop-" + patch.workshop.id + ".json", "data:application/json;charset=utf-8," + encodeURIComponent(text));
  return text;
}

// --- wiring ----------------------------------------------------------------------------
function selected(select) {
  return Array.prototype.filter.call(select.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
}

function wire() {
  el("focus-apply").onclick = function () {
    mapState.focus = selected(el("focus-actors"));
    mapState.steps = Math.max(1, parseInt(el("focus-steps").value, 10) || 1);
    applyState(mapState);
  };
  el("focus-clear").onclick = function () { mapState.focus = []; applyState(mapState); };
  Array.prototype.forEach.call(document.querySelectorAll(".tie-kind"), function (box) {
    box.onchange = function () {
      mapState.kinds = Array.prototype.filter.call(document.querySelectorAll(".tie-kind"), function (b) { return b.checked; })
        .map(function (b) { return b.value; });
      refresh();
    };
  });
  el("since").oninput = function () {
    el("since-value").textContent = this.value;
    mapState.since = this.value === this.max ? null : parseInt(this.value, 10);
    refresh();
  };
  el("cluster-by").onchange = function () { mapState.cluster = this.value; refresh(); };
  el("all-ties").onclick = function () { mapState.allTies = !mapState.allTies; mapState.expanded = []; refresh(); };
  el("view-save").onclick = function () { saveView(el("view-name").value); };
  el("view-list").onchange = function () { switchView(this.value); };
  el("export-png").onclick = exportPng;
  el("export-svg").onclick = exportSvg;
  el("print").onclick = printA3;
  el("diff-toggle").onclick = toggleDiff;
  el("tie-add").onclick = function () { addTie(el("tie-source").value, el("tie-target").value, el("tie-type").value, el("tie-note").value); };
  el("missing-add").onclick = function () { markMissing(el("missing-name").value, el("missing-line").value, el("missing-zone").value, el("missing-note").value); };
  el("priority-add").onclick = function () { tagPriority(el("priority-text").value, el("priority-actor").value); };
  el("export-patch").onclick = exportPatch;
  window.addEventListener("beforeprint", function () {
    if (!el("printed").firstChild) {
      var img = document.createElement("img");
      img.src = document.querySelector("#mynetwork canvas").toDataURL("image/png");
      el("printed").appendChild(img);
    }
  });
}

drawGraph();
wire();
(function () {
  var saved = readHash();
  if (saved && saved.views) {
    views = saved.views;
    listViews(saved.view);
    if (saved.view && views[saved.view]) { applyState(views[saved.view]); return; }
  }
  // the default view is what the server sent (aggregated ties hidden): nothing to refresh
  say(MAP.nodes.length + MAP.proposedNodes.length + " nodes shown");
})();
