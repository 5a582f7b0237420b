/* SPDX-License-Identifier: AGPL-3.0-or-later
 * Interactive process map of the process-mining workbench.
 * Draggable activities (paths follow), a simplification slider whose every level has its own
 * Graphviz layout, labels with frequency and duration at once, and a panel listing the case ids
 * behind a clicked activity or path. Plain JavaScript and SVG; it never touches the network.
 */
(function () {
  "use strict";
  if (window.WorkbenchProcessMap) { return; }

  var SVG_NS = "http://www.w3.org/2000/svg";
  var LIST_CAP = 100;
  var RAMP = ["#4f7fbf", "#3a9e9a", "#dcae3a", "#e0702e", "#b8282e"];
  var NAME_LINE = 16, STAT_LINE = 12.5, EDGE_LINE = 11;

  function html(tag, attrs, parent, text) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    if (text !== undefined) { node.textContent = text; }
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function svg(tag, attrs, parent) {
    var node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function setAttrs(node, attrs) {
    if (!attrs) { return; }
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
  }

  function count(n) { return Math.round(n).toLocaleString("en-US"); }
  function cases(n) { return count(n) + (n === 1 ? " case" : " cases"); }
  function hours(h) {
    if (h === null || h === undefined || isNaN(h)) { return "\u2013"; }
    var s = h * 3600;
    if (Math.abs(s) < 59.5) { return s.toFixed(0) + " s"; }
    if (Math.abs(h) < 0.995) { return (s / 60).toFixed(0) + " min"; }
    if (Math.abs(h) < 23.95) { return h.toFixed(1) + " h"; }
    var d = h / 24;
    if (Math.abs(d) < 99.5) { return d.toFixed(1) + " d"; }
    return count(d) + " d";
  }
  function percent(share) {
    if (share === 0) { return "0%"; }
    return (share * 100 < 1 ? (share * 100).toFixed(2) : (share * 100).toFixed(1)) + "%";
  }
  function durationLines(item) {
    return ["med " + hours(item.median) + " \u00b7 mean " + hours(item.mean), "p90 " + hours(item.p90)];
  }

  /* Case ids are stored as comma-separated gaps between sorted indices into data.caseIds. */
  function decodeCases(data, code) {
    if (code === "*") { return data.caseIds.slice(); }
    if (!code) { return []; }
    var out = [], index = 0;
    code.split(",").forEach(function (part) { index += parseInt(part, 10); out.push(data.caseIds[index]); });
    return out;
  }

  function mount(root, data) {
    var state = { stop: data.initialStop, mode: "both", selected: null, pins: {}, view: { x: 0, y: 0, k: 1 } };
    var nodeById = {}, edgeById = {}, incident = {};
    data.nodes.forEach(function (n) { nodeById[n.id] = n; incident[n.id] = []; });
    data.edges.forEach(function (e) {
      edgeById[e.id] = e;
      incident[e.s].push(e.id);
      if (e.t !== e.s) { incident[e.t].push(e.id); }
    });
    var loopOf = {};
    data.edges.forEach(function (e) { if (e.s === e.t) { loopOf[e.s] = e; } });

    /* ---------- page skeleton ---------- */
    root.textContent = "";
    root.classList.add("wbpm");
    var header = html("div", { "class": "wbpm-header" }, root);
    html("h2", { "class": "wbpm-title" }, header, data.title);
    var activities = data.nodes.filter(function (n) { return n.kind === "activity"; }).length;
    html("span", { "class": "wbpm-subtitle" }, header,
      count(data.summary.cases) + " cases \u00b7 " + count(data.summary.events) + " events \u00b7 " +
      activities + " activities \u00b7 " + data.edges.length + " paths");

    var toolbar = html("div", { "class": "wbpm-toolbar" }, root);
    var simplify = html("label", { "class": "wbpm-group" }, toolbar);
    html("span", { "class": "wbpm-group-label" }, simplify, "Simplify");
    var slider = html("input", {
      "class": "wbpm-slider", type: "range", min: "0", max: String(data.stops.length - 1), step: "1",
      value: String(state.stop), "aria-label": "Hide activities and paths seen in fewer cases than a threshold"
    }, simplify);
    var readout = html("span", { "class": "wbpm-readout", "aria-live": "polite" }, toolbar);

    var labelGroup = html("div", { "class": "wbpm-group", role: "group", "aria-label": "Labels" }, toolbar);
    html("span", { "class": "wbpm-group-label" }, labelGroup, "Labels");
    var seg = html("div", { "class": "wbpm-seg" }, labelGroup);
    var modeButtons = {};
    [["both", "Both"], ["frequency", "Frequency"], ["duration", "Duration"], ["none", "Names"]]
      .forEach(function (pair) {
        var b = html("button", { type: "button", "data-mode": pair[0], "aria-pressed": String(pair[0] === state.mode) }, seg, pair[1]);
        b.addEventListener("click", function () { setMode(pair[0]); });
        modeButtons[pair[0]] = b;
      });
    html("span", { "class": "wbpm-spacer" }, header);
    var actions = html("div", { "class": "wbpm-group wbpm-actions" }, header);
    var fitButton = html("button", { type: "button", "class": "wbpm-fit", title: "Show the whole map" }, actions, "Fit");
    var resetButton = html("button", { type: "button", "class": "wbpm-reset", title: "Undo the moves at this simplification level" }, actions, "Reset layout");
    var saveButton = html("button", { type: "button", "class": "wbpm-save", title: "Download the map as you see it" }, actions, "Save SVG");

    var main = html("div", { "class": "wbpm-main" }, root);
    var column = html("div", { "class": "wbpm-column" }, main);
    var canvas = html("div", { "class": "wbpm-canvas" }, column);
    var panel = html("aside", { "class": "wbpm-panel", "aria-live": "polite" }, main);
    var surface = svg("svg", { "class": "wbpm-svg", role: "img", "aria-label": "Process map: " + data.title }, canvas);
    var viewport = svg("g", { "class": "wbpm-viewport" }, surface);
    var edgeLayer = svg("g", { "class": "wbpm-edges" }, viewport);
    var nodeLayer = svg("g", { "class": "wbpm-nodes" }, viewport);

    var legend = html("div", { "class": "wbpm-legend" }, column);
    html("span", null, legend, "Path colour: median duration " + hours(data.durationRange[0]));
    html("span", { "class": "wbpm-ramp", style: "background:linear-gradient(90deg," + RAMP.join(",") + ")" }, legend);
    html("span", null, legend, hours(data.durationRange[1]) + " (log scale) \u00b7 thicker path, darker activity: more cases \u00b7 \u21bb directly repeated");
    html("span", { "class": "wbpm-spacer" }, legend);
    html("span", { "class": "wbpm-hint" }, legend, "Drag activities \u00b7 scroll to zoom \u00b7 drag the background to pan \u00b7 click for cases");

    /* ---------- drawing ---------- */
    var nodeViews = {}, edgeViews = {};
    data.edges.forEach(function (e) {
      var g = svg("g", { "class": "wbpm-edge", "data-id": e.id, "data-source": e.source, "data-target": e.target }, edgeLayer);
      var artificial = e.kind !== "path";
      var view = {
        g: g,
        hit: svg("path", { "class": "wbpm-hit", "stroke-width": String(Math.max(12, e.width + 8)) }, g),
        line: svg("path", {
          "class": "wbpm-line", fill: "none", stroke: e.colour, "stroke-width": String(artificial ? 1.4 : e.width),
          "stroke-dasharray": artificial ? "5 4" : "none", "stroke-linecap": "round"
        }, g),
        arrow: svg("polygon", { "class": "wbpm-arrow", fill: e.colour }, g),
        label: svg("text", {
          "class": "wbpm-label", "font-size": "9", "text-anchor": "middle", fill: "#2f3b46",
          stroke: "#ffffff", "stroke-width": "3", "paint-order": "stroke", "stroke-linejoin": "round"
        }, g)
      };
      svg("title", null, g).textContent = e.source + " \u2192 " + e.target + ": " + cases(e.cases) + " \u00b7 " +
        count(e.events) + "\u00d7" + (e.median !== null ? " \u00b7 median " + hours(e.median) : "");
      g.addEventListener("click", function (ev) { ev.stopPropagation(); select({ type: "edge", id: e.id }); });
      edgeViews[e.id] = view;
    });
    data.nodes.forEach(function (n) {
      var g = svg("g", { "class": "wbpm-node", "data-id": n.id, "data-name": n.name, tabindex: "0", role: "button",
        "aria-label": n.name + ", " + cases(n.cases) }, nodeLayer);
      var view = { g: g };
      svg("title", null, g).textContent = n.name + ": " + cases(n.cases) + " \u00b7 " + count(n.events) + " events";
      if (n.kind === "activity") {
        view.shape = svg("rect", { "class": "wbpm-shape", rx: "9", ry: "9", fill: n.fill, stroke: "#5b6b7a", "stroke-width": "1.2" }, g);
        view.text = svg("text", { "class": "wbpm-text", "text-anchor": "middle", fill: n.text }, g);
      } else {
        view.shape = svg("circle", { "class": "wbpm-shape", r: "11.5", fill: n.fill, stroke: n.fill, "stroke-width": "1.2" }, g);
        if (n.kind === "start") {
          svg("polygon", { points: "-3.5,-5.5 6,0 -3.5,5.5", fill: "#ffffff" }, g);
        } else {
          svg("rect", { x: "-4.5", y: "-4.5", width: "9", height: "9", fill: "#ffffff" }, g);
        }
        view.text = svg("text", { "class": "wbpm-text", "text-anchor": "middle", "font-size": "10", fill: "#3b4652" }, g);
        view.text.textContent = n.kind === "start" ? "Start" : "End";
      }
      attachNodeEvents(n, g);
      nodeViews[n.id] = view;
    });

    function layout() { return data.stops[state.stop]; }
    function basePos(id) { var p = layout().nodes[id]; return p ? { x: p[0], y: p[1] } : null; }
    function pinsHere() { return state.pins[state.stop] || (state.pins[state.stop] = {}); }
    function pos(id) { return pinsHere()[id] || basePos(id); }
    function shift(id) {
      var b = basePos(id), p = pos(id);
      return { x: p.x - b.x, y: p.y - b.y };
    }

    function setText(textNode, lines, firstSize, size, lineHeight, firstHeight, weightFirst) {
      textNode.textContent = "";
      var total = (lines.length ? firstHeight : 0) + Math.max(0, lines.length - 1) * lineHeight;
      var y = -total / 2;
      lines.forEach(function (line, i) {
        var h = i === 0 ? firstHeight : lineHeight;
        var t = svg("tspan", { x: "0", y: (y + h * 0.78).toFixed(1), "font-size": String(i === 0 ? firstSize : size) }, textNode);
        if (i === 0 && weightFirst) { t.setAttribute("font-weight", "700"); }
        t.textContent = line;
        y += h;
      });
    }

    function nodeLines(n, withLoop) {
      var lines = [n.name];
      var freq = cases(n.cases) + " \u00b7 " + count(n.events) + " events";
      var dur = n.timed ? durationLines(n).join(" \u00b7 ") : n.noDuration;
      if (state.mode === "both" || state.mode === "frequency") { lines.push(freq); }
      if (state.mode === "both" || state.mode === "duration") { lines.push(dur); }
      var loop = loopOf[n.id];
      if (withLoop && loop && state.mode !== "none") {
        var parts = [];
        if (state.mode !== "duration") { parts.push(cases(loop.cases) + " \u00b7 " + count(loop.events) + "\u00d7"); }
        if (state.mode !== "frequency") { parts.push(durationLines(loop).join(" \u00b7 ")); }
        lines.push("\u21bb " + parts.join(" \u00b7 "));
      }
      return lines;
    }

    function edgeLines(e) {
      if (e.s === e.t) { return []; }
      var lines = [];
      if (state.mode === "both" || state.mode === "frequency") { lines.push(cases(e.cases) + " \u00b7 " + count(e.events) + "\u00d7"); }
      if ((state.mode === "both" || state.mode === "duration") && e.median !== null) { lines = lines.concat(durationLines(e)); }
      return lines;
    }

    function drawNode(n) {
      var view = nodeViews[n.id], geo = layout().nodes[n.id];
      if (!geo) { view.g.setAttribute("display", "none"); view.g.setAttribute("data-visible", "0"); return; }
      view.g.removeAttribute("display");
      view.g.setAttribute("data-visible", "1");
      var p = pos(n.id);
      view.g.setAttribute("transform", "translate(" + p.x.toFixed(1) + "," + p.y.toFixed(1) + ")");
      if (n.kind === "activity") {
        var w = geo[2], h = geo[3];
        setAttrs(view.shape, { x: (-w / 2).toFixed(1), y: (-h / 2).toFixed(1), width: w.toFixed(1), height: h.toFixed(1) });
        var loopShown = loopOf[n.id] && layout().edges[loopOf[n.id].id];
        setText(view.text, nodeLines(n, loopShown), 13, 10, STAT_LINE, NAME_LINE, true);
      } else {
        var xl = geo[4] !== undefined ? [geo[4] - geo[0], geo[5] - geo[1]] : [0, -18];
        setAttrs(view.text, { x: xl[0].toFixed(1), y: (xl[1] + 3.5).toFixed(1) });
      }
    }

    function drawEdge(e) {
      var view = edgeViews[e.id], geo = layout().edges[e.id];
      if (!geo) { view.g.setAttribute("display", "none"); view.g.setAttribute("data-visible", "0"); return; }
      view.g.removeAttribute("display");
      view.g.setAttribute("data-visible", "1");
      var ds = shift(e.s), dt = shift(e.t);
      var pts = geo.p, n = pts.length / 2, moved = [];
      var steps = n - 1 + (geo.a ? 1 : 0);
      for (var i = 0; i < n; i++) {
        var f = steps > 0 ? i / steps : 0;
        moved.push([pts[2 * i] + (1 - f) * ds.x + f * dt.x, pts[2 * i + 1] + (1 - f) * ds.y + f * dt.y]);
      }
      var d = "M" + moved[0][0].toFixed(1) + "," + moved[0][1].toFixed(1);
      for (var j = 1; j + 2 < moved.length; j += 3) {
        d += "C" + [moved[j], moved[j + 1], moved[j + 2]].map(function (q) { return q[0].toFixed(1) + "," + q[1].toFixed(1); }).join(" ");
      }
      view.line.setAttribute("d", d);
      view.hit.setAttribute("d", d);
      if (geo.a) {
        var tip = [geo.a[0] + dt.x, geo.a[1] + dt.y], base = moved[moved.length - 1];
        var ux = tip[0] - base[0], uy = tip[1] - base[1], len = Math.sqrt(ux * ux + uy * uy) || 1;
        var half = e.kind === "path" ? 2.8 + e.width * 0.75 : 3.6;
        var nx = -uy / len * half, ny = ux / len * half;
        view.arrow.setAttribute("points", [tip, [base[0] + nx, base[1] + ny], [base[0] - nx, base[1] - ny]]
          .map(function (q) { return q[0].toFixed(1) + "," + q[1].toFixed(1); }).join(" "));
      } else {
        view.arrow.setAttribute("points", "");
      }
      if (geo.l) {
        var lx = geo.l[0] + (ds.x + dt.x) / 2, ly = geo.l[1] + (ds.y + dt.y) / 2;
        view.label.setAttribute("transform", "translate(" + lx.toFixed(1) + "," + ly.toFixed(1) + ")");
        setText(view.label, edgeLines(e), 9, 9, EDGE_LINE, EDGE_LINE, false);
      } else {
        view.label.textContent = "";
      }
    }

    function render() {
      data.nodes.forEach(drawNode);
      data.edges.forEach(drawEdge);
      var stop = layout();
      var shownActivities = data.nodes.filter(function (n) { return n.kind === "activity" && stop.nodes[n.id]; }).length;
      var shownPaths = data.edges.filter(function (e) { return stop.edges[e.id]; }).length;
      readout.textContent = "\u2265 " + percent(stop.threshold) + " of cases \u00b7 " + shownActivities + "/" +
        activities + " activities \u00b7 " + shownPaths + "/" + data.edges.length + " paths";
      readout.title = "Shown: activities and paths seen in at least " + percent(stop.threshold) + " of the cases";
      highlight();
    }

    /* ---------- view: fit, zoom, pan ---------- */
    function applyView() {
      viewport.setAttribute("transform", "translate(" + state.view.x.toFixed(1) + "," + state.view.y.toFixed(1) + ") scale(" + state.view.k.toFixed(4) + ")");
    }
    function contentBox() {
      var stop = layout(), box = { x0: 0, y0: 0, x1: stop.width, y1: stop.height };
      Object.keys(stop.nodes).forEach(function (id) {
        var p = pos(id), g = stop.nodes[id];
        box.x0 = Math.min(box.x0, p.x - g[2] / 2); box.x1 = Math.max(box.x1, p.x + g[2] / 2);
        box.y0 = Math.min(box.y0, p.y - g[3] / 2); box.y1 = Math.max(box.y1, p.y + g[3] / 2);
      });
      return box;
    }
    function fit() {
      var rect = surface.getBoundingClientRect(), box = contentBox(), pad = 24;
      var w = Math.max(rect.width, 50), h = Math.max(rect.height, 50);
      var k = Math.min((w - 2 * pad) / (box.x1 - box.x0), (h - 2 * pad) / (box.y1 - box.y0), 1.6);
      k = Math.max(k, 0.05);
      state.view = { k: k, x: (w - k * (box.x1 + box.x0)) / 2, y: (h - k * (box.y1 + box.y0)) / 2 };
      applyView();
    }
    function toMap(clientX, clientY) {
      var rect = surface.getBoundingClientRect();
      return { x: (clientX - rect.left - state.view.x) / state.view.k, y: (clientY - rect.top - state.view.y) / state.view.k };
    }
    surface.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      state.viewTouched = true;
      var before = toMap(ev.clientX, ev.clientY);
      var k = Math.min(6, Math.max(0.05, state.view.k * Math.exp(-ev.deltaY * 0.0015)));
      var rect = surface.getBoundingClientRect();
      state.view.k = k;
      state.view.x = ev.clientX - rect.left - before.x * k;
      state.view.y = ev.clientY - rect.top - before.y * k;
      applyView();
    }, { passive: false });
    var pan = null;
    surface.addEventListener("pointerdown", function (ev) {
      if (ev.target.closest(".wbpm-node, .wbpm-edge")) { return; }
      pan = { x: ev.clientX, y: ev.clientY, vx: state.view.x, vy: state.view.y, moved: false };
      surface.setPointerCapture(ev.pointerId);
      surface.classList.add("is-panning");
    });
    surface.addEventListener("pointermove", function (ev) {
      if (!pan) { return; }
      var dx = ev.clientX - pan.x, dy = ev.clientY - pan.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) { pan.moved = true; state.viewTouched = true; }
      state.view.x = pan.vx + dx; state.view.y = pan.vy + dy;
      applyView();
    });
    function endPan(ev) {
      if (!pan) { return; }
      if (!pan.moved) { select(null); }
      pan = null;
      surface.classList.remove("is-panning");
      if (surface.hasPointerCapture(ev.pointerId)) { surface.releasePointerCapture(ev.pointerId); }
    }
    surface.addEventListener("pointerup", endPan);
    surface.addEventListener("pointercancel", endPan);

    /* ---------- dragging activities ---------- */
    function attachNodeEvents(n, g) {
      var drag = null;
      g.addEventListener("pointerdown", function (ev) {
        if (ev.button !== 0) { return; }
        ev.stopPropagation();
        var p = pos(n.id);
        drag = { start: toMap(ev.clientX, ev.clientY), x: p.x, y: p.y, moved: false };
        g.setPointerCapture(ev.pointerId);
      });
      g.addEventListener("pointermove", function (ev) {
        if (!drag) { return; }
        var now = toMap(ev.clientX, ev.clientY), dx = now.x - drag.start.x, dy = now.y - drag.start.y;
        if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 3 / state.view.k) { return; }
        drag.moved = true;
        pinsHere()[n.id] = { x: drag.x + dx, y: drag.y + dy };
        drawNode(n);
        incident[n.id].forEach(function (id) { drawEdge(edgeById[id]); });
      });
      function end(ev) {
        if (!drag) { return; }
        var wasClick = !drag.moved;
        drag = null;
        if (g.hasPointerCapture(ev.pointerId)) { g.releasePointerCapture(ev.pointerId); }
        if (wasClick && ev.type === "pointerup") { select({ type: "node", id: n.id }); }
      }
      g.addEventListener("pointerup", end);
      g.addEventListener("pointercancel", end);
      g.addEventListener("click", function (ev) { ev.stopPropagation(); });
      g.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select({ type: "node", id: n.id }); }
      });
    }

    /* ---------- selection and the case panel ---------- */
    function highlight() {
      var sel = state.selected;
      surface.classList.toggle("wbpm-dim", !!sel);
      data.nodes.forEach(function (n) { nodeViews[n.id].g.classList.remove("is-selected", "is-related"); });
      data.edges.forEach(function (e) { edgeViews[e.id].g.classList.remove("is-selected", "is-related"); });
      if (!sel) { return; }
      if (sel.type === "node") {
        nodeViews[sel.id].g.classList.add("is-selected");
        incident[sel.id].forEach(function (id) {
          var e = edgeById[id];
          edgeViews[id].g.classList.add("is-related");
          nodeViews[e.s].g.classList.add("is-related");
          nodeViews[e.t].g.classList.add("is-related");
        });
      } else {
        var e = edgeById[sel.id];
        edgeViews[e.id].g.classList.add("is-selected");
        nodeViews[e.s].g.classList.add("is-related");
        nodeViews[e.t].g.classList.add("is-related");
      }
    }

    function select(sel) {
      state.selected = sel;
      highlight();
      showPanel();
    }

    function statRow(table, name, value) {
      var tr = html("tr", null, table);
      html("th", null, tr, name);
      html("td", null, tr, value);
    }

    function showPanel() {
      panel.textContent = "";
      var sel = state.selected;
      if (!sel) {
        html("div", { "class": "wbpm-kind" }, panel, "Process map");
        html("h3", null, panel, data.title);
        var intro = html("p", { "class": "wbpm-empty" }, panel);
        intro.textContent = "Click an activity or a path to see its figures and the ids of the cases behind it. " +
          "Drag activities to rearrange the map; use the slider to hide what few cases do.";
        var t = html("table", { "class": "wbpm-stats" }, panel);
        statRow(t, "Cases", count(data.summary.cases));
        statRow(t, "Events", count(data.summary.events));
        statRow(t, "Activities", String(activities));
        statRow(t, "Paths", String(data.edges.length));
        html("div", { "class": "wbpm-kind wbpm-howto" }, panel, "How to read the map");
        var how = html("ul", { "class": "wbpm-notes" }, panel);
        html("li", null, how, "Activity: cases \u00b7 events, then the median \u00b7 mean \u00b7 90th percentile of the " + data.nodeDurationText + ".");
        html("li", null, how, "Path: cases \u00b7 occurrences, then the median \u00b7 mean \u00b7 90th percentile of the " + data.edgeDurationText + ".");
        html("li", null, how, "\u21bb inside an activity: it directly followed itself (cases \u00b7 times \u00b7 durations).");
        html("li", null, how, "The slider hides activities and paths seen in fewer than the chosen share of cases; every level has its own layout and remembers your moves.");
        return;
      }
      var item = sel.type === "node" ? nodeById[sel.id] : edgeById[sel.id];
      var kind, title, noun;
      if (sel.type === "node") {
        kind = item.kind === "activity" ? "Activity" : (item.kind === "start" ? "Start of the process" : "End of the process");
        title = item.name; noun = item.kind === "activity" ? "with this activity" : "";
      } else {
        kind = item.s === item.t ? "Repetition" : "Path";
        title = item.source + " \u2192 " + item.target; noun = "taking this path";
      }
      html("div", { "class": "wbpm-kind" }, panel, kind);
      html("h3", { "class": "wbpm-panel-title" }, panel, title);
      var table = html("table", { "class": "wbpm-stats" }, panel);
      statRow(table, "Cases", count(item.cases) + " (" + percent(item.share) + ")");
      statRow(table, sel.type === "node" ? "Events" : "Occurrences", count(item.events));
      var timed = sel.type === "node" ? item.timed > 0 : item.median !== null;
      if (timed) {
        statRow(table, "Median duration", hours(item.median));
        statRow(table, "Mean duration", hours(item.mean));
        statRow(table, "90th percentile", hours(item.p90));
        html("p", { "class": "wbpm-note" }, panel, "Duration: " + (sel.type === "node" ? data.nodeDurationText : data.edgeDurationText) + ".");
      }
      var ids = decodeCases(data, item.cids);
      var head = html("div", { "class": "wbpm-cases-head" }, panel);
      html("span", { "class": "wbpm-cases-title" }, head, "Cases " + noun + " (" + count(item.cases) + ")");
      var download = html("button", { type: "button", "class": "wbpm-download" }, head, "Download CSV");
      download.addEventListener("click", function () {
        var name = "cases_" + title.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 60) + ".csv";
        saveBlob(new Blob(["case_id\r\n" + ids.map(csvCell).join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" }), name);
      });
      var copy = html("button", { type: "button", "class": "wbpm-copy" }, head, "Copy");
      copy.addEventListener("click", function () {
        var text = ids.join("\n");
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(function () { copy.textContent = "Copied"; }, function () { copy.textContent = "Copy failed"; });
        }
      });
      var list = html("ul", { "class": "wbpm-cases" }, panel);
      ids.slice(0, LIST_CAP).forEach(function (id) { html("li", null, list, id); });
      if (ids.length > LIST_CAP) {
        html("div", { "class": "wbpm-more" }, panel, "+" + count(ids.length - LIST_CAP) + " more \u2014 Download CSV has the full list.");
      }
      if (ids.length < item.cases) {
        html("p", { "class": "wbpm-note" }, panel, "The map keeps at most " + count(data.maxCaseIds) +
          " case ids per activity and path (max_case_ids); the figures above use all " + count(item.cases) + " cases.");
      }
    }

    function csvCell(value) {
      return /[",\r\n]/.test(value) ? "\"" + value.replace(/"/g, "\"\"") + "\"" : value;
    }

    function saveBlob(blob, name) {
      var url = URL.createObjectURL(blob);
      var a = html("a", { href: url, download: name, style: "display:none" }, root);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
    }

    /* ---------- controls ---------- */
    function setMode(mode) {
      state.mode = mode;
      Object.keys(modeButtons).forEach(function (m) { modeButtons[m].setAttribute("aria-pressed", String(m === mode)); });
      render();
    }
    slider.addEventListener("input", function () {
      state.stop = parseInt(slider.value, 10);
      render();
      /* a selected activity or path the slider hid: drop the selection, or the map stays dimmed */
      var sel = state.selected;
      if (sel) {
        var view = sel.type === "node" ? nodeViews[sel.id] : edgeViews[sel.id];
        if (!view || view.g.getAttribute("display") === "none") { select(null); }
      }
      fit();
    });
    fitButton.addEventListener("click", fit);
    resetButton.addEventListener("click", function () { state.pins[state.stop] = {}; render(); fit(); });
    saveButton.addEventListener("click", function () {
      var clone = surface.cloneNode(true), box = contentBox(), pad = 20;
      clone.querySelector(".wbpm-viewport").removeAttribute("transform");
      Array.prototype.forEach.call(clone.querySelectorAll("[display=none], .wbpm-hit"), function (node) { node.remove(); });
      clone.classList.remove("wbpm-dim");
      setAttrs(clone, {
        xmlns: SVG_NS, viewBox: [box.x0 - pad, box.y0 - pad, box.x1 - box.x0 + 2 * pad, box.y1 - box.y0 + 2 * pad].join(" "),
        width: String(Math.round(box.x1 - box.x0 + 2 * pad)), height: String(Math.round(box.y1 - box.y0 + 2 * pad)),
        "font-family": "Helvetica, Arial, sans-serif", style: "background:#ffffff"
      });
      var name = data.title.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "") || "process_map";
      saveBlob(new Blob([new XMLSerializer().serializeToString(clone)], { type: "image/svg+xml" }), name + ".svg");
    });
    surface.setAttribute("font-family", "Helvetica, Arial, \"Liberation Sans\", sans-serif");

    render();
    showPanel();
    fit();
    if (window.ResizeObserver) {
      new ResizeObserver(function () { if (!state.viewTouched) { fit(); } }).observe(canvas);
    }
    root.wbpm = { state: state, render: render, fit: fit, select: select };
    return root.wbpm;
  }

  window.WorkbenchProcessMap = { mount: mount, decodeCases: decodeCases, formatHours: hours };
})();
