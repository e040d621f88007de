/* SVG charts of the dashboard, drawn from API data; every text goes in as text, never as markup. */
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, text) {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function frame(width, height, label) {
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": label });
    root.appendChild(svg("title", {}, label));
    return root;
  }

  function niceMax(value) {
    if (!(value > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(value)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= value) return m * p;
    return 10 * p;
  }

  function yAxis(root, left, top, plotH, width, max, format) {
    for (let i = 0; i <= 4; i++) {
      const y = top + plotH - (plotH * i) / 4;
      root.appendChild(svg("line", { x1: left, x2: width - 8, y1: y, y2: y, class: "axis" }));
      root.appendChild(svg("text", { x: left - 6, y: y + 4, "text-anchor": "end" }, format((max * i) / 4)));
    }
  }

  /** Deployments per day, succeeded and the rest stacked, over `days` days ending today (UTC). */
  function dailyBars(buckets, days, label) {
    const width = 720, height = 220, left = 40, top = 10, bottom = 30, plotH = height - top - bottom;
    const byDate = new Map(buckets.map((b) => [b.date, b]));
    const today = new Date();
    const series = [];
    for (let i = days - 1; i >= 0; i--) {
      const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i));
      const key = d.toISOString().slice(0, 10);
      const b = byDate.get(key) || { deployments: 0, succeeded: 0 };
      series.push({ key, ok: b.succeeded, other: b.deployments - b.succeeded });
    }
    const max = niceMax(Math.max(1, ...series.map((s) => s.ok + s.other)));
    const root = frame(width, height, label);
    yAxis(root, left, top, plotH, width, max, (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1)));
    const slot = (width - left - 8) / series.length;
    series.forEach((s, i) => {
      const x = left + i * slot + slot * 0.15, w = Math.max(1, slot * 0.7);
      const okH = (plotH * s.ok) / max, otherH = (plotH * s.other) / max;
      const tip = `${s.key}: ${s.ok + s.other} deployments, ${s.ok} succeeded`;
      if (s.ok) root.appendChild(withTitle(svg("rect", { x, y: top + plotH - okH, width: w, height: okH, class: "bar-ok" }), tip));
      if (s.other) root.appendChild(withTitle(svg("rect", { x, y: top + plotH - okH - otherH, width: w, height: otherH, class: "bar-bad" }), tip));
      if (i % Math.ceil(series.length / 8) === 0) {
        root.appendChild(svg("text", { x: x + w / 2, y: height - 10, "text-anchor": "middle" }, s.key.slice(5)));
      }
    });
    return root;
  }

  function withTitle(el, text) {
    el.appendChild(svg("title", {}, text));
    return el;
  }

  /** A value over time: points {at: Date, value: number, tip: string}, joined in time order. */
  function timeLine(points, label, format) {
    const width = 720, height = 220, left = 56, top = 10, bottom = 30, plotH = height - top - bottom;
    const root = frame(width, height, label);
    if (points.length === 0) {
      root.appendChild(svg("text", { x: width / 2, y: height / 2, "text-anchor": "middle" }, "nothing in this window yet"));
      return root;
    }
    points = points.slice().sort((a, b) => a.at - b.at);
    const t0 = points[0].at.getTime(), t1 = Math.max(t0 + 1, points[points.length - 1].at.getTime());
    const max = niceMax(Math.max(...points.map((p) => p.value)));
    yAxis(root, left, top, plotH, width, max, format);
    const x = (p) => left + ((width - left - 16) * (p.at.getTime() - t0)) / (t1 - t0) + 4;
    const y = (p) => top + plotH - (plotH * p.value) / max;
    root.appendChild(svg("polyline", { points: points.map((p) => `${x(p)},${y(p)}`).join(" "), class: "line" }));
    for (const p of points) root.appendChild(withTitle(svg("circle", { cx: x(p), cy: y(p), r: 3.5, class: "dot" }), p.tip));
    root.appendChild(svg("text", { x: left, y: height - 10 }, points[0].at.toISOString().slice(0, 10)));
    root.appendChild(svg("text", { x: width - 8, y: height - 10, "text-anchor": "end" }, points[points.length - 1].at.toISOString().slice(0, 10)));
    return root;
  }

  /**
   * A deployment's steps as bars on a time axis, one row per host (steps of no host on the row "environment").
   * `now` ends the axis of a deployment still running.
   */
  function timeline(deployment, now) {
    const steps = (deployment.steps || []).filter((s) => s.startedAt);
    const start = Date.parse(deployment.startedAt || deployment.createdAt);
    const ends = steps.map((s) => Date.parse(s.finishedAt || now.toISOString()));
    const end = Math.max(start + 1000, Date.parse(deployment.finishedAt || now.toISOString()), ...ends);
    const rows = [];
    for (const s of steps) {
      const row = s.host || "environment";
      if (!rows.includes(row)) rows.push(row);
    }
    const left = 170, right = 16, rowH = 30, top = 24, width = 960;
    const height = top + Math.max(1, rows.length) * rowH + 10;
    const root = frame(width, height, `Timeline of deployment ${deployment.id}: ${steps.length} steps on ${rows.length} rows`);
    root.setAttribute("class", "chart timeline");
    const span = end - start, plotW = width - left - right;
    const x = (t) => left + (plotW * (t - start)) / span;
    const tick = niceMax(span / 1000 / 8);
    for (let sec = 0; sec * 1000 <= span; sec += tick) {
      const tx = x(start + sec * 1000);
      root.appendChild(svg("line", { x1: tx, x2: tx, y1: top - 4, y2: height - 6, class: "grid" }));
      root.appendChild(svg("text", { x: tx, y: 14, "text-anchor": "middle" }, `${+sec.toFixed(2)} s`));
    }
    rows.forEach((row, i) => {
      root.appendChild(svg("text", { x: 6, y: top + i * rowH + rowH / 2 + 4 }, row.length > 24 ? row.slice(0, 23) + "…" : row));
    });
    for (const s of steps) {
      const i = rows.indexOf(s.host || "environment");
      const t0 = Date.parse(s.startedAt), t1 = Date.parse(s.finishedAt || now.toISOString());
      const bx = x(t0), bw = Math.max(2, x(t1) - bx);
      const cls = ["succeeded", "failed", "running"].includes(s.status) ? s.status : "other";
      const secs = ((t1 - t0) / 1000).toFixed(2);
      const rect = svg("rect", { x: bx, y: top + i * rowH + 4, width: bw, height: rowH - 8, class: `step st-${cls}`,
        "data-stage": s.stage, "data-status": s.status });
      root.appendChild(withTitle(rect, `${s.stage}${s.host ? " on " + s.host : ""}: ${s.status}, ${secs} s` +
        (s.attempt > 1 ? ` (attempt ${s.attempt})` : "")));
      if (bw > 8 * s.stage.length) {
        root.appendChild(svg("text", { x: bx + 4, y: top + i * rowH + rowH / 2 + 4, class: "on-bar" }, s.stage));
      }
    }
    return root;
  }

  window.GreenlightCharts = { dailyBars, timeLine, timeline };
})();
