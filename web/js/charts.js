// Charts from answer objects, drawn with Chart.js (the global `Chart`, from
// /assets/chart.umd.js). answer.chart says how: {type, x, y, series}.
//   line         x = a time-bucket label column, y = number columns,
//                one line per value of `series` when present
//   bar          one bar per row of x (per y column a dataset); without x,
//                one bar per y column of the first row
//   grouped_bar  the same with several datasets (or one per series value)
//   pie          slices = rows of x, sizes = the first y column
//   none         no chart

import { h } from './dom.js';
import { formatBucket, formatValue, humanize } from './format.js';

export const PALETTE = ['#4f46e5', '#0891b2', '#f59e0b', '#10b981', '#e11d48', '#8b5cf6', '#0ea5e9', '#84cc16', '#f97316', '#64748b', '#db2777', '#14b8a6'];
const MAX_BARS = 30;
const MAX_SERIES = 12;

const live = new Set();

function colIndex(columns, name) {
  return columns.findIndex((c) => c.name === name);
}

function alpha(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

/** Unique values in order of first appearance. */
function uniq(values) {
  const seen = new Set();
  const out = [];
  for (const v of values) {
    const k = String(v);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(v);
    }
  }
  return out;
}

/**
 * Turns an answer into {type, labels, datasets:[{label, data, unit}],
 * note} or null when there is nothing to draw.
 */
export function chartData(answer) {
  const spec = answer && answer.chart;
  const columns = answer.columns || [];
  const rows = answer.rows || [];
  if (!spec || !spec.type || spec.type === 'none' || !rows.length) return null;
  const yNames = (Array.isArray(spec.y) ? spec.y : spec.y ? [spec.y] : []).filter((n) => colIndex(columns, n) >= 0);
  if (!yNames.length) {
    const firstNum = columns.find((c) => c.type === 'number');
    if (firstNum) yNames.push(firstNum.name);
  }
  if (!yNames.length) return null;
  const xi = spec.x ? colIndex(columns, spec.x) : -1;
  const si = spec.series ? colIndex(columns, spec.series) : -1;
  const unitOf = (name) => (columns[colIndex(columns, name)] || {}).unit || null;
  let type = spec.type;
  let note = '';

  // no x: the y columns of the first row are the bars (e.g. 2023 vs 2024)
  if (xi < 0) {
    const row = rows[0];
    return {
      type: type === 'line' ? 'bar' : type,
      labels: yNames.map((n) => n),
      datasets: [{ label: humanize(answer.interpretation?.metric?.label || yNames[0]), data: yNames.map((n) => row[colIndex(columns, n)]), unit: unitOf(yNames[0]) }],
      note,
    };
  }

  if (si >= 0) {
    // pivot: one dataset per series value, aligned on the x values
    const yi = colIndex(columns, yNames[0]);
    const labels = uniq(rows.map((r) => r[xi]));
    const pos = new Map(labels.map((l, i) => [String(l), i]));
    let seriesValues = uniq(rows.map((r) => r[si]));
    if (seriesValues.length > MAX_SERIES) {
      // keep the largest series by total
      const totals = new Map();
      for (const r of rows) totals.set(String(r[si]), (totals.get(String(r[si])) || 0) + (Number(r[yi]) || 0));
      seriesValues = seriesValues.slice().sort((a, b) => totals.get(String(b)) - totals.get(String(a))).slice(0, MAX_SERIES);
      note = `The chart shows the ${MAX_SERIES} largest of ${uniq(rows.map((r) => r[si])).length} ${humanize(spec.series).toLowerCase()} values; the table has them all.`;
    }
    const datasets = seriesValues.map((sv) => {
      const data = new Array(labels.length).fill(null);
      for (const r of rows) if (String(r[si]) === String(sv)) data[pos.get(String(r[xi]))] = r[yi];
      return { label: String(sv), data, unit: unitOf(yNames[0]) };
    });
    if (type === 'bar') type = 'grouped_bar';
    return { type, labels, datasets, note };
  }

  let use = rows;
  if ((type === 'bar' || type === 'grouped_bar') && rows.length > MAX_BARS) {
    use = rows.slice(0, MAX_BARS);
    note = `The chart shows the first ${MAX_BARS} of ${rows.length.toLocaleString('en-US')} rows; the table has them all.`;
  }
  if (type === 'pie' && rows.length > MAX_SERIES) {
    use = rows.slice(0, MAX_SERIES);
    note = `The chart shows the first ${MAX_SERIES} of ${rows.length} slices.`;
  }
  // one bar says nothing the figure and the table do not: no chart
  if ((type === 'bar' || type === 'grouped_bar') && use.length === 1 && yNames.length === 1) return null;
  const labels = use.map((r) => r[xi]);
  const datasets = (type === 'pie' ? yNames.slice(0, 1) : yNames).map((n) => {
    const i = colIndex(columns, n);
    return { label: humanize(n), data: use.map((r) => r[i]), unit: unitOf(n) };
  });
  return { type, labels, datasets, note };
}

/** Describes the chart in words for assistive technology. */
function describe(cd, answer) {
  const kind = { line: 'Line chart', bar: 'Bar chart', grouped_bar: 'Grouped bar chart', pie: 'Pie chart' }[cd.type] || 'Chart';
  const what = cd.datasets.map((d) => d.label).join(', ');
  return `${kind} of ${what}${answer.chart?.x ? ` by ${humanize(answer.chart.x).toLowerCase()}` : ''}. The same numbers are in the table.`;
}

/**
 * Draws the answer's chart into a new element and returns it, or null when
 * the answer has no chart. opts.currency formats money; opts.height in px;
 * opts.highlight: a Set of x labels whose points are marked (unusual months).
 */
export function renderChart(answer, opts = {}) {
  if (typeof window.Chart !== 'function') return null;
  const cd = chartData(answer);
  if (!cd) return null;
  const currency = opts.currency || answer.interpretation?.currency || 'USD';
  const isTime = /^(day|date|week|month|quarter|year)$/i.test(answer.chart?.x || '') || cd.labels.every((l) => /^\d{4}(-Q[1-4]|-\d{2}(-\d{2})?)?$/.test(String(l)));
  const fmtLabel = (l) => (isTime ? formatBucket(String(l)) : String(l));
  const units = [...new Set(cd.datasets.map((d) => d.unit))];
  const horizontal = (cd.type === 'bar' || cd.type === 'grouped_bar') && !isTime &&
    (cd.labels.length > 8 || cd.labels.some((l) => String(l).length > 14));
  const multi = cd.datasets.length > 1;

  const canvas = h('canvas', { role: 'img', 'aria-label': describe(cd, answer) });
  let height = opts.height || 260;
  if (horizontal) height = Math.max(height, cd.labels.length * (multi ? 16 * cd.datasets.length + 8 : 24) + 60);
  if (cd.type === 'pie') height = Math.max(220, opts.height || 240);
  const box = h('div', { class: 'chart-box' }, canvas);
  box.style.height = `${height}px`;
  const wrap = h('figure', { class: 'chart' }, box, cd.note ? h('figcaption', { class: 'note' }, cd.note) : null);

  const valueAxis = horizontal ? 'x' : 'y';
  const axisFor = (unit) => (units.length > 1 && unit === units[1] ? `${valueAxis}1` : valueAxis);
  const datasets = cd.datasets.map((d, i) => {
    const color = PALETTE[i % PALETTE.length];
    const base = { label: d.label, data: d.data, unit: d.unit };
    if (cd.type === 'pie') {
      return { ...base, backgroundColor: cd.labels.map((_, j) => PALETTE[j % PALETTE.length]), borderColor: '#fff', borderWidth: 2 };
    }
    if (cd.type === 'line') {
      const pts = opts.highlight ? cd.labels.map((l) => (opts.highlight.has(String(l)) ? 5 : 0)) : (cd.labels.length > 40 ? 0 : 2.5);
      return {
        ...base, yAxisID: axisFor(d.unit), borderColor: color, backgroundColor: multi ? color : alpha(color, 0.1),
        fill: !multi, cubicInterpolationMode: 'monotone', borderWidth: 2, pointRadius: pts, pointHoverRadius: 5,
        pointBackgroundColor: opts.highlight ? cd.labels.map((l) => (opts.highlight.has(String(l)) ? '#e11d48' : color)) : color,
        spanGaps: true,
      };
    }
    const negatives = d.data.map((v) => (typeof v === 'number' && v < 0 ? '#e11d48' : color));
    return {
      ...base, [horizontal ? 'xAxisID' : 'yAxisID']: axisFor(d.unit),
      backgroundColor: multi ? color : negatives, borderRadius: 3, maxBarThickness: 48,
    };
  });

  const tick = (unit) => (v) => formatValue(v, unit, { currency, compact: true });
  const scales = {};
  if (cd.type !== 'pie') {
    const catAxis = horizontal ? 'y' : 'x';
    scales[catAxis] = {
      grid: { display: false },
      ticks: {
        color: '#475569', autoSkip: !horizontal, maxRotation: 0, autoSkipPadding: 12,
        callback(value) {
          const l = fmtLabel(this.getLabelForValue(value));
          return l.length > 22 ? `${l.slice(0, 21)}…` : l;
        },
      },
    };
    scales[valueAxis] = {
      beginAtZero: cd.type !== 'line' || cd.datasets.some((d) => d.data.some((v) => v < 0)) ? true : false,
      grid: { color: '#eef0f4' }, border: { display: false },
      ticks: { color: '#64748b', callback: tick(units[0]), maxTicksLimit: 6 },
    };
    if (units.length > 1) {
      scales[`${valueAxis}1`] = {
        position: horizontal ? 'top' : 'right', grid: { display: false }, border: { display: false },
        ticks: { color: '#64748b', callback: tick(units[1]), maxTicksLimit: 6 },
      };
    }
  }

  const config = {
    type: cd.type === 'pie' ? 'doughnut' : cd.type === 'line' ? 'line' : 'bar',
    data: { labels: cd.labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      // drawn at once: a figure that moves while it is read is harder to trust
      animation: false,
      indexAxis: horizontal ? 'y' : 'x',
      interaction: { mode: cd.type === 'pie' ? 'nearest' : 'index', intersect: false },
      layout: { padding: { top: 4, right: 8 } },
      scales,
      plugins: {
        legend: {
          display: multi || cd.type === 'pie',
          position: cd.type === 'pie' && !opts.narrow ? 'right' : 'top',
          align: 'start',
          labels: { boxWidth: 10, boxHeight: 10, usePointStyle: true, color: '#334155', font: { size: 12 } },
        },
        tooltip: {
          backgroundColor: '#0f172a', padding: 10, cornerRadius: 8, boxPadding: 4,
          callbacks: {
            title: (items) => (items.length ? fmtLabel(cd.labels[items[0].dataIndex]) : ''),
            label: (item) => {
              const ds = item.dataset;
              const v = ds.data[item.dataIndex];
              const name = cd.type === 'pie' ? fmtLabel(cd.labels[item.dataIndex]) : ds.label;
              return ` ${name}: ${formatValue(v, ds.unit, { currency })}`;
            },
          },
        },
      },
    },
  };
  if (cd.type === 'pie') config.options.cutout = '55%';

  // Chart.js needs the canvas in the document to size it: draw on insertion.
  const draw = () => {
    if (wrap.chart || !wrap.isConnected) return;
    wrap.chart = new window.Chart(canvas, config);
    live.add(wrap.chart);
  };
  wrap.draw = draw;
  requestAnimationFrame(draw);
  return wrap;
}

/** Destroys the charts inside el (before removing it). */
export function destroyCharts(el) {
  for (const f of el.querySelectorAll('figure.chart')) {
    if (f.chart) {
      live.delete(f.chart);
      f.chart.destroy();
      f.chart = null;
    }
  }
}
