// warta dashboard: live snapshots over server-sent events, drawn with the DOM and SVG only.
// Every value from the server is set with textContent or a checked attribute, never as markup.
"use strict";

const COLORS = ["#0a6cbd", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d"];
const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

function fmt(n, digits) {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  return Number(n).toLocaleString(undefined, { maximumFractionDigits: digits === undefined ? 0 : digits });
}

function when(value) {
  if (!value) return "–";
  const d = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleString();
}

function safeUrl(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
}

function bars(container, entries) {
  clear(container);
  const max = Math.max(1, ...entries.map(([, v]) => v));
  if (!entries.length) container.appendChild(el("p", "none yet", "muted"));
  for (const [label, value] of entries) {
    const row = el("div", null, "row");
    row.appendChild(el("span", label));
    const bar = el("div", null, "bar");
    bar.style.width = `${(100 * value) / max}%`;
    row.appendChild(bar);
    row.appendChild(el("span", fmt(value), "num"));
    container.appendChild(row);
  }
}

function drawThroughput(series) {
  const chart = clear($("throughput-chart"));
  const legend = clear($("throughput-legend"));
  const stages = Object.keys(series.stages || {});
  const W = 800, H = 200, PAD = 24;
  const all = stages.flatMap((s) => series.stages[s]);
  const max = Math.max(1, ...all);
  const n = (series.t || []).length;
  for (let i = 0; i <= 4; i += 1) {
    const y = PAD + ((H - 2 * PAD) * i) / 4;
    chart.appendChild(svg("line", { x1: 40, x2: W, y1: y, y2: y, stroke: "#e3e6ea" }));
    const label = svg("text", { x: 2, y: y + 4, "font-size": 10, fill: "#6a7380" });
    label.textContent = fmt(max * (1 - i / 4), 1);
    chart.appendChild(label);
  }
  if (n > 1) {
    const span = Math.round(series.t[n - 1] - series.t[0]);
    const left = svg("text", { x: 40, y: H - 6, class: "axis" });
    left.textContent = `${Math.floor(span / 60)}m ${span % 60}s ago`;
    const right = svg("text", { x: W - 4, y: H - 6, class: "axis", "text-anchor": "end" });
    right.textContent = "now";
    chart.appendChild(left);
    chart.appendChild(right);
  }
  stages.forEach((stage, index) => {
    const color = COLORS[index % COLORS.length];
    const values = series.stages[stage];
    if (n > 1) {
      const points = values.map((v, i) => {
        const x = 40 + ((W - 44) * i) / (n - 1);
        const y = PAD + (H - 2 * PAD) * (1 - v / max);
        return `${x.toFixed(1)},${y.toFixed(1)}`;
      });
      chart.appendChild(svg("polyline", {
        points: points.join(" "), fill: "none", stroke: color, "stroke-width": 2, "data-stage": stage,
      }));
    }
    const item = el("span");
    const swatch = el("i");
    swatch.style.background = color;
    item.appendChild(swatch);
    item.appendChild(document.createTextNode(`${stage} ${fmt(values[values.length - 1] || 0, 2)}/s`));
    legend.appendChild(item);
  });
  if (!stages.length) legend.appendChild(el("span", "waiting for the first samples…", "muted"));
}

function drawTotals(snap) {
  const dl = clear($("totals"));
  const messages = snap.metrics.messages || {};
  const stored = snap.stored || {};
  const rows = [
    ["stored articles", stored.articles],
    ["stored duplicates", stored.duplicates],
    ["unique articles seen", snap.unique],
  ];
  for (const stage of Object.keys(messages).sort()) {
    const total = Object.values(messages[stage]).reduce((a, b) => a + b, 0);
    rows.push([`${stage}: messages`, total]);
  }
  const ingested = snap.metrics.ingested || {};
  if (Object.keys(ingested).length) rows.push(["HTTP ingested", ingested.accepted || 0]);
  for (const [label, value] of rows) { dl.appendChild(el("dt", label)); dl.appendChild(el("dd", fmt(value))); }
}

function drawLatency(latency) {
  const body = clear($("latency"));
  for (const stage of Object.keys(latency).sort()) {
    const s = latency[stage];
    const tr = el("tr");
    [stage, fmt(s.p50, 4), fmt(s.p95, 4), fmt(s.mean, 4), fmt(s.count)].forEach((v) => tr.appendChild(el("td", v)));
    body.appendChild(tr);
  }
}

function topList(id, items, withType) {
  const list = clear($(id));
  if (!items.length) list.appendChild(el("li", "none yet", "muted"));
  for (const item of items) {
    const li = el("li", item.name);
    if (withType && item.type) li.appendChild(el("span", ` ${item.type}`, "muted"));
    li.appendChild(el("span", item.count, "count"));
    list.appendChild(li);
  }
}

function drawLatest(latest) {
  const body = clear($("latest"));
  if (!latest.length) {
    const tr = el("tr"); const td = el("td", "no articles yet: push some with `warta produce` or POST /api/articles", "muted");
    td.colSpan = 5; tr.appendChild(td); body.appendChild(tr);
  }
  for (const a of latest) {
    const tr = el("tr");
    tr.dataset.id = a.id || "";
    const title = el("td");
    const link = el("a", a.title, "open");
    link.setAttribute("role", "button");
    link.tabIndex = 0;
    link.addEventListener("click", () => openDetail(a.id, a));
    title.appendChild(link);
    tr.appendChild(title);
    tr.appendChild(el("td", a.source || "–"));
    tr.appendChild(el("td", a.language || "–"));
    tr.appendChild(el("td", when(a.published_at || a.at)));
    const topics = el("td");
    for (const t of a.topics || []) topics.appendChild(el("span", t, "tag"));
    tr.appendChild(topics);
    body.appendChild(tr);
  }
}

function drawLetters(letters) {
  const body = clear($("dlq-latest"));
  if (!letters.length) { const tr = el("tr"); const td = el("td", "no dead letters", "muted"); td.colSpan = 4; tr.appendChild(td); body.appendChild(tr); }
  for (const l of letters.slice(0, 10)) {
    const tr = el("tr");
    [when(l.at), l.stage, l.reason, l.error].forEach((v) => tr.appendChild(el("td", v)));
    body.appendChild(tr);
  }
}

function drawQuality(rows) {
  const body = clear($("quality"));
  const pct = (v) => (v === null || v === undefined ? "–" : `${Math.round(v * 100)}%`);
  for (const r of rows) {
    const tr = el("tr");
    const conf = r.confidence === null || r.confidence === undefined ? "–" : r.confidence.toFixed(2);
    [r.source, fmt(r.articles), pct(r.title), pct(r.date), pct(r.author), fmt(r.chrome), conf, pct(r.low_confidence)].forEach((v) => tr.appendChild(el("td", v)));
    body.appendChild(tr);
  }
}

function render(snap) {
  drawThroughput(snap.throughput || { t: [], stages: {} });
  drawTotals(snap);
  drawLatency(snap.metrics.latency || {});
  bars($("lag"), Object.entries(snap.metrics.lag || {}).map(([k, v]) => [k.replace("articles.", ""), v]));
  $("dup-rate").textContent = `${(100 * (snap.duplicate_rate || 0)).toFixed(1)}%`;
  bars($("dup-kinds"), Object.entries(snap.duplicates || {}));
  const reasons = { ...(snap.metrics.dead_letters || {}) };
  for (const [k, v] of Object.entries(snap.letter_reasons || {})) reasons[k] = Math.max(reasons[k] || 0, v);
  bars($("dlq-reasons"), Object.entries(reasons).sort((a, b) => b[1] - a[1]));
  drawLetters(snap.letters || []);
  topList("top-entities", snap.top.entities || [], true);
  topList("top-places", snap.top.places || [], false);
  topList("top-topics", snap.top.topics || [], false);
  topList("top-stories", (snap.stories || []).map((s) => ({ name: s.title || s.id, type: `${s.articles} articles`, count: s.outlets })), true);
  drawLatest(snap.latest || []);
  drawQuality(snap.quality || []);
  $("version").textContent = snap.version || "";
}

function marked(text) {
  // Snippets mark matches with « and »; split on them and wrap the inner parts in <mark>.
  const span = el("span");
  String(text || "").split(/(«[^»]*»)/).forEach((part) => {
    if (part.startsWith("«") && part.endsWith("»")) span.appendChild(el("mark", part.slice(1, -1)));
    else if (part) span.appendChild(document.createTextNode(part));
  });
  return span;
}

function section(body, title, items, show) {
  if (!items || !items.length) return;
  body.appendChild(el("h4", title));
  const box = el("div");
  for (const item of items) box.appendChild(el("span", show(item), "tag"));
  body.appendChild(box);
}

function drawDetail(article, fallback, note) {
  const body = clear($("detail-body"));
  const a = article || fallback || {};
  body.appendChild(el("h3", a.title || "(untitled)"));
  const lang = a.language && typeof a.language === "object" ? a.language.code : a.language;
  const meta = el("div", [a.source, lang, when(a.published_at), (a.authors || []).join(", ")].filter(Boolean).join(" · "), "meta");
  body.appendChild(meta);
  const url = safeUrl(a.url);
  if (url) {
    const link = el("a", url);
    link.href = url; link.rel = "noopener noreferrer"; link.target = "_blank";
    body.appendChild(link);
  }
  if (note) body.appendChild(el("p", note, "muted"));
  if (a.summary) { body.appendChild(el("h4", "summary")); body.appendChild(el("p", a.summary)); }
  section(body, "topics", a.topics, (t) => (typeof t === "string" ? t : `${t.label} ${fmt(t.score, 2)}`));
  section(body, "entities", a.entities, (e) => `${e.text} (${e.type})`);
  section(body, "places", a.places, (p) => `${p.name} ${p.country_code}`);
  section(body, "keywords", a.keywords, (k) => k.text);
  if (a.quotes && a.quotes.length) {
    body.appendChild(el("h4", "quotes"));
    for (const q of a.quotes) body.appendChild(el("p", `“${q.text}” — ${q.speaker || "unattributed"}`));
  }
  if (a.text) {
    body.appendChild(el("h4", "text"));
    for (const para of String(a.text).split(/\n\s*\n/)) body.appendChild(el("p", para));
  }
  if (a.versions) section(body, "versions", Object.entries(a.versions), ([k, v]) => `${k} ${v}`);
  const dialog = $("detail");
  if (!dialog.open) dialog.showModal();
}

async function openDetail(id, fallback) {
  try {
    const response = await fetch(`/api/articles/${encodeURIComponent(id)}`);
    const data = await response.json();
    if (response.ok) drawDetail(data, fallback, null);
    else if (data.duplicate_of) drawDetail(null, fallback, `stored as a duplicate of ${data.duplicate_of}`);
    else drawDetail(null, fallback, "not stored yet: still in the pipeline");
  } catch (err) {
    drawDetail(null, fallback, `could not load the article: ${err}`);
  }
}

async function runSearch(query) {
  const box = $("search-section");
  const list = clear($("search-results"));
  box.hidden = false;
  list.appendChild(el("li", "searching…", "muted"));
  try {
    const response = await fetch(`/api/search?q=${encodeURIComponent(query)}`);
    const data = await response.json();
    clear(list);
    if (!response.ok) { list.appendChild(el("li", data.error || "search failed", "muted")); return; }
    if (!data.hits.length) list.appendChild(el("li", `nothing matches “${query}”`, "muted"));
    for (const hit of data.hits) {
      const li = el("li");
      li.dataset.id = hit.id;
      const link = el("a", hit.title || hit.id, "open");
      link.addEventListener("click", () => openDetail(hit.id, hit));
      li.appendChild(link);
      li.appendChild(el("span", ` · ${hit.source || "–"} · ${hit.language || "–"}`, "muted"));
      li.appendChild(el("br"));
      li.appendChild(marked(hit.snippet));
      list.appendChild(li);
    }
  } catch (err) {
    clear(list).appendChild(el("li", `search failed: ${err}`, "muted"));
  }
}

function connect() {
  const status = $("status");
  const source = new EventSource("/api/events");
  source.addEventListener("snapshot", (event) => {
    status.textContent = "live"; status.className = "status on";
    render(JSON.parse(event.data));
  });
  source.onerror = () => { status.textContent = "reconnecting…"; status.className = "status off"; };
}

document.addEventListener("DOMContentLoaded", () => {
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = $("search-input").value.trim();
    if (query) runSearch(query);
  });
  $("search-close").addEventListener("click", () => { $("search-section").hidden = true; });
  fetch("/api/summary").then((r) => r.json()).then(render).catch(() => {});
  connect();
});
