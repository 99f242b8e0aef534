// Draws window.PREVIEW (data.js): the dashboard's JSON, each target carrying Prometheus's query_range answer in
// "series". Sets body[data-state] to "drawn", or to the error, for DashboardPreviewTest to read.
'use strict';

const COLUMNS = 24, ROW_PX = 30, GAP_PX = 6;
// Grafana's classic palette, in its order.
const COLOURS = ['#7eb26d', '#eab839', '#6ed0e0', '#ef843c', '#e24d42', '#1f78c1', '#ba43a9', '#705da0',
  '#508642', '#cca300', '#447ebc', '#c15c17', '#890f02', '#0a437c', '#6d1f62', '#584477'];
const SVG = 'http://www.w3.org/2000/svg';

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function trim(v) {
  return String(Number(v.toPrecision(3)));
}

// Grafana's "short": K, Mil, Bil, Tri.
function short(v) {
  const scales = [[1e12, ' Tri'], [1e9, ' Bil'], [1e6, ' Mil'], [1e3, ' K']];
  for (const [size, suffix] of scales) if (Math.abs(v) >= size) return trim(v / size) + suffix;
  return trim(v);
}

// Grafana's "s": the largest unit that keeps the number above 1.
function duration(s) {
  if (s === 0) return '0 s';
  const units = [[31536000, ' year'], [604800, ' week'], [86400, ' day'], [3600, ' hour'], [60, ' min'], [1, ' s']];
  for (const [size, name] of units) if (Math.abs(s) >= size) return trim(s / size) + name;
  return trim(s * 1000) + ' ms';
}

function format(v, unit) {
  if (!Number.isFinite(v)) return String(v);
  switch (unit) {
    case 's': return duration(v);
    case 'ms': return duration(v / 1000);
    case 'ops': return short(v) + ' ops/s';
    case 'percentunit': return trim(v * 100) + '%';
    case 'none': return trim(v);
    default: return short(v);
  }
}

// The panel's unit, or the one an override gives a target (matcher byFrameRefID).
function unitOf(panel, refId) {
  const config = panel.fieldConfig || {};
  for (const o of config.overrides || []) {
    if (o.matcher && o.matcher.id === 'byFrameRefID' && o.matcher.options === refId) {
      const p = (o.properties || []).find(p => p.id === 'unit');
      if (p) return p.value;
    }
  }
  return (config.defaults || {}).unit;
}

// Grafana's legend: legendFormat with {{label}} filled in; without one, the labels; without labels, the query.
function seriesName(target, metric) {
  if (target.legendFormat) return target.legendFormat.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, l) => metric[l] || '');
  const labels = Object.entries(metric).map(([k, v]) => `${k}="${v}"`).join(', ');
  return labels ? `{${labels}}` : target.expr;
}

// Every target's series as [{name, unit, points: [[t, v]]}].
function seriesOf(panel) {
  const out = [];
  for (const target of panel.targets || []) {
    for (const s of target.series || []) {
      out.push({ name: seriesName(target, s.metric), unit: unitOf(panel, target.refId),
        points: s.values.map(([t, v]) => [t, Number(v)]) });
    }
  }
  return out;
}

function niceStep(range) {
  const raw = range / 4, power = Math.pow(10, Math.floor(Math.log10(raw)));
  return [1, 2, 5, 10].map(m => m * power).find(s => s >= raw);
}

function clock(t) {
  return new Date(t * 1000).toISOString().substring(11, 19);
}

function drawTimeseries(box, panel, data) {
  const series = seriesOf(panel), chart = el('div', 'chart'), legend = el('div', 'legend');
  box.append(chart, legend);
  const values = series.flatMap(s => s.points.map(p => p[1])).filter(Number.isFinite);
  if (values.length === 0) {
    chart.append(el('div', 'nodata', 'No data'));
    return;
  }
  const unit = series[0].unit;
  let lo = Math.min(0, ...values), hi = Math.max(...values);
  if (hi === lo) hi = lo + 1;
  const step = niceStep(hi - lo);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  series.forEach((s, i) => {
    const item = el('span');
    const swatch = el('i');
    swatch.style.background = COLOURS[i % COLOURS.length];
    const last = s.points.map(p => p[1]).filter(Number.isFinite).pop();
    item.append(swatch, s.name, el('b', '', last === undefined ? '' : format(last, s.unit)));
    legend.append(item);
  });
  fitLegend(legend);

  const w = chart.clientWidth, h = chart.clientHeight, left = 64, bottom = 16, top = 6;
  const x = t => left + (t - data.start) / (data.end - data.start) * (w - left - 4);
  const y = v => top + (hi - v) / (hi - lo) * (h - top - bottom);
  const plot = svg('svg', { width: w, height: h, viewBox: `0 0 ${w} ${h}` });
  for (let v = lo; v <= hi + step / 2; v += step) {
    plot.append(svg('line', { x1: left, x2: w - 4, y1: y(v), y2: y(v), class: 'grid' }));
    const label = svg('text', { x: left - 6, y: y(v) + 3, 'text-anchor': 'end' });
    label.textContent = format(v, unit);
    plot.append(label);
  }
  const every = niceStep(data.end - data.start);
  for (let t = Math.ceil(data.start / every) * every; t <= data.end; t += every) {
    const label = svg('text', { x: x(t), y: h - 3, 'text-anchor': 'middle' });
    label.textContent = clock(t);
    plot.append(label);
  }
  series.forEach((s, i) => {
    // A gap where Prometheus has no finite value (NaN of an empty histogram): a new stroke after it.
    let d = '', pen = 'M';
    for (const [t, v] of s.points) {
      if (!Number.isFinite(v)) {
        pen = 'M';
        continue;
      }
      d += `${pen}${x(t).toFixed(1)},${y(v).toFixed(1)} `;
      pen = 'L';
    }
    plot.append(svg('path', { d, fill: 'none', stroke: COLOURS[i % COLOURS.length], 'stroke-width': 1.5 }));
  });
  chart.append(plot);
}

// As many legend entries as the box holds, then "+N more".
function fitLegend(legend) {
  const items = [...legend.children];
  if (legend.scrollHeight <= legend.clientHeight) return;
  const more = el('span', '', '');
  legend.append(more);
  let hidden = 0;
  while (legend.scrollHeight > legend.clientHeight && hidden < items.length) {
    items[items.length - 1 - hidden].remove();
    hidden++;
    more.textContent = `+${hidden} more`;
  }
}

function drawStat(box, panel) {
  const stats = el('div', 'stats');
  box.append(stats);
  const series = seriesOf(panel);
  if (series.length === 0) stats.append(el('div', 'nodata', 'No data'));
  for (const s of series) {
    const last = s.points.map(p => p[1]).filter(Number.isFinite).pop();
    const stat = el('div', 'stat');
    stat.append(el('div', 'value', last === undefined ? 'No data' : format(last, s.unit)), el('div', 'label', s.name));
    stats.append(stat);
  }
}

function draw(data) {
  const dashboard = data.dashboard, grid = document.getElementById('grid');
  document.getElementById('heading').textContent = `${dashboard.title}: dashboard preview`;
  document.getElementById('caption').textContent =
    `Drawn by Courier's test page (DashboardPreviewTest) from ${data.source}, every panel's query answered by a real ` +
    `Prometheus ${data.prometheus} scraping a test Courier, ${clock(data.start)} to ${clock(data.end)} UTC, ` +
    `step ${data.step} s. Not Grafana's rendering.`;
  const column = grid.clientWidth / COLUMNS;
  let height = 0;
  for (const panel of dashboard.panels) {
    const g = panel.gridPos, box = el('div', panel.type === 'row' ? 'panel row' : 'panel box');
    Object.assign(box.style, { left: `${g.x * column}px`, top: `${g.y * ROW_PX}px`,
      width: `${g.w * column - GAP_PX}px`, height: `${g.h * ROW_PX - GAP_PX}px` });
    height = Math.max(height, (g.y + g.h) * ROW_PX);
    grid.append(box);
    if (panel.type === 'row') {
      box.textContent = (panel.collapsed ? '▸ ' : '▾ ') + panel.title;
      continue;
    }
    box.append(el('div', 'title', panel.title));
    if (panel.type === 'stat') drawStat(box, panel);
    else drawTimeseries(box, panel, data);
  }
  grid.style.height = `${height}px`;
}

window.addEventListener('error', e => { document.body.dataset.state = `error: ${e.message}`; });
try {
  draw(window.PREVIEW);
  document.body.dataset.state = 'drawn';
} catch (e) {
  document.body.dataset.state = `error: ${e.stack || e}`;
}
