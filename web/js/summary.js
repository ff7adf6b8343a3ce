// The Summary view: the report of GET /api/summary?period=... as KPI tiles
// (with the change on the previous period and on a year before), the
// report's sentences, a 24-month revenue trend with the unusual months
// marked, the caveats and the SQL.

import { api, withQuery } from './api.js';
import { knownCurrency } from './ask.js';
import { destroyCharts, renderChart } from './charts.js';
import { clear, copyText, h, icon, nextId } from './dom.js';
import { formatBucket, formatMs, formatValue } from './format.js';

const TREND_QUESTION = 'monthly revenue for the last 24 complete months';

// The headline table's columns carry no unit: the unit comes from the
// metric's name (the report's metrics are fixed: see docs/ASK.md).
const HEADLINE_UNITS = [
  [/margin|rate|share|discount/i, 'ratio'],
  [/revenue|sales|order value|aov|price|profit|amount|per customer/i, 'money'],
  [/orders|units|customers|lines|count/i, 'count'],
];

function unitOfMetric(name, col) {
  if (col && col.unit) return col.unit;
  for (const [re, unit] of HEADLINE_UNITS) if (re.test(name)) return unit;
  return null;
}

let els = {};
let loaded = false;
let seq = 0;

function delta(cur, old, unit, label) {
  if (typeof cur !== 'number' || typeof old !== 'number') return null;
  let text;
  let dir;
  if (unit === 'ratio') {
    const pts = (cur - old) * 100;
    dir = Math.sign(Math.round(pts * 10));
    text = `${pts > 0 ? '+' : pts < 0 ? '−' : ''}${Math.abs(pts).toFixed(1)} pts`;
  } else {
    if (old === 0) return null;
    const g = cur / old - 1;
    dir = Math.sign(Math.round(g * 1000));
    text = `${g > 0 ? '+' : g < 0 ? '−' : ''}${Math.abs(g * 100).toFixed(1)}%`;
  }
  const cls = dir > 0 ? 'up' : dir < 0 ? 'down' : 'flat';
  const arrow = dir > 0 ? '▲' : dir < 0 ? '▼' : '■';
  return h('div', { class: `kpi-delta ${cls}` },
    h('span', { class: 'arrow', 'aria-hidden': 'true' }, arrow),
    h('span', { class: 'sr-only' }, dir > 0 ? 'up ' : dir < 0 ? 'down ' : 'unchanged '),
    h('span', { class: 'delta-v' }, text),
    h('span', { class: 'delta-vs' }, ` vs ${label}`));
}

function tiles(headline, currency) {
  const cols = headline.columns || [];
  const rows = headline.rows || [];
  const grid = h('ul', { class: 'kpis' });
  for (const r of rows) {
    const name = String(r[0]);
    const unit = unitOfMetric(name, cols[1]);
    const cur = r[1];
    // large amounts in short form ($27.8M); the exact figure is the title and in the sentences
    const big = typeof cur === 'number' && Math.abs(cur) >= 1e6 && (unit === 'money' || unit === 'count');
    const cents = unit !== 'money' || Math.abs(cur) < 10000;
    const exact = formatValue(cur, unit, { currency });
    const shown = big ? formatValue(cur, unit, { currency, compact: true, digits: 2 }) : formatValue(cur, unit, { currency, cents });
    const tile = h('li', { class: 'kpi' },
      h('div', { class: 'kpi-label' }, name),
      h('div', { class: 'kpi-value', title: exact }, shown, big ? h('span', { class: 'sr-only' }, ` (${exact})`) : null));
    for (let i = 2; i < cols.length; i += 1) {
      const d = delta(cur, r[i], unit, cols[i].name);
      if (d) tile.append(d);
    }
    grid.append(tile);
  }
  return grid;
}

function sentences(text, skipHeadline) {
  const lines = String(text || '').split('\n').map((s) => s.trim()).filter(Boolean);
  // the tiles already show the first two lines (revenue, then the other KPIs)
  const rest = skipHeadline ? lines.filter((l) => !/^Revenue was /.test(l) && !/^Orders [\d,]/.test(l)) : lines;
  return h('ul', { class: 'sentences' }, rest.map((l) => h('li', null, l)));
}

function sqlToggle(sql) {
  const id = nextId('sql');
  const stmts = sql || [];
  const copy = h('button', { type: 'button', class: 'ghost small' }, icon('copy'), 'Copy');
  copy.addEventListener('click', async () => {
    copy.lastChild.textContent = (await copyText(stmts.join(';\n') + ';')) ? 'Copied' : 'Copy failed';
  });
  const panel = h('div', { class: 'sql', id, hidden: true },
    h('div', { class: 'sql-head' }, h('span', null, `${stmts.length} statements`), copy),
    stmts.map((s) => h('pre', null, h('code', null, s))));
  const btn = h('button', { type: 'button', class: 'ghost small', 'aria-expanded': 'false', 'aria-controls': id }, icon('code'), 'Show SQL');
  btn.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    btn.setAttribute('aria-expanded', String(!panel.hidden));
    btn.lastChild.textContent = panel.hidden ? 'Show SQL' : 'Hide SQL';
  });
  return { btn, panel };
}

async function trendCard(report, currency) {
  const card = h('section', { class: 'card trend', 'aria-labelledby': 'trend-title' },
    h('div', { class: 'card-title' }, h('h2', { id: 'trend-title' }, 'Monthly revenue, last 24 months'),
      h('span', { class: 'legend-note' }, h('span', { class: 'dot red', 'aria-hidden': 'true' }), 'unusual month')));
  const body = h('div', { class: 'trend-body' }, h('div', { class: 'skeleton w100 chartph' }));
  card.append(body);
  (async () => {
    try {
      // "session": false asks it on its own, outside any conversation
      const ans = await api('/api/ask', { method: 'POST', json: { question: TREND_QUESTION, session: false } });
      if (ans.status !== 'answered') throw new Error(ans.text || 'no trend');
      const marks = new Set((report.unusual_months?.rows || []).map((r) => String(r[0])));
      const chart = renderChart(ans, { currency: ans.interpretation?.currency || currency, height: 220, highlight: marks });
      body.replaceChildren(chart || h('p', { class: 'muted' }, 'No monthly data to draw.'));
      if (ans.interpretation?.period?.label) body.append(h('p', { class: 'note' }, ans.interpretation.period.label.replace(/^the /, 'The ')));
    } catch (e) {
      body.replaceChildren(h('p', { class: 'muted' }, `The trend is not available: ${e.message}`));
    }
  })();
  return card;
}

function unusualCard(u) {
  if (!u || !(u.rows || []).length) return null;
  const lines = String(u.text || '').split('\n').filter(Boolean);
  return h('section', { class: 'card', 'aria-labelledby': 'unusual-title' },
    h('h2', { id: 'unusual-title' }, 'Months that stand out'),
    h('ul', { class: 'sentences' }, lines.length ? lines.map((l) => h('li', null, l))
      : u.rows.map((r) => h('li', null, formatBucket(String(r[0]))))));
}

function caveatsCard(caveats) {
  if (!caveats || !caveats.length) return null;
  return h('section', { class: 'card caveats', 'aria-labelledby': 'caveats-title' },
    h('h2', { id: 'caveats-title' }, icon('alert'), 'Caveats'),
    h('ul', { class: 'sentences' }, caveats.map((c) => h('li', null, c))));
}

/** Loads and shows the report for `period` ('' = the default periods). */
export async function loadSummary(period = els.period.value.trim()) {
  const my = ++seq;
  loaded = true;
  els.status.textContent = 'Loading…';
  els.body.setAttribute('aria-busy', 'true');
  try {
    const rep = await api(withQuery('/api/summary', { period }));
    if (my !== seq) return;
    destroyCharts(els.body);
    clear(els.body);
    els.status.textContent = '';
    if (rep.status && rep.status !== 'answered') {
      els.body.append(h('section', { class: 'card declined' }, h('div', { class: 'answer-head' }, icon('info', 'icon status-icon'), h('p', { class: 'answer-text' }, rep.text || 'No report for that period.'))));
      return;
    }
    const currency = rep.currency || knownCurrency() || 'USD';
    const top = h('div', { class: 'summary-sections' });
    for (const s of rep.sections || []) {
      const id = nextId('sec');
      const card = h('section', { class: 'card summary-section', 'aria-labelledby': id },
        h('div', { class: 'card-title' }, h('h2', { id }, s.title || s.period?.label || ''),
          s.period?.from ? h('span', { class: 'muted small' }, `${s.period.from} to ${s.period.to}`) : null));
      if (s.headline) card.append(tiles(s.headline, currency));
      card.append(sentences(s.text, Boolean(s.headline)));
      top.append(card);
    }
    els.body.append(top);
    els.body.append(await trendCard(rep, currency));
    const side = [unusualCard(rep.unusual_months), caveatsCard(rep.caveats)].filter(Boolean);
    if (side.length) els.body.append(h('div', { class: 'grid-2' }, side));
    const { btn, panel } = sqlToggle(rep.sql);
    els.body.append(h('div', { class: 'summary-foot' },
      h('span', { class: 'meta' }, `Data version ${rep.data_version ?? '—'}${rep.anchor ? `, as of ${rep.anchor}` : ''}${rep.timings?.total_ms !== undefined ? ` · computed in ${formatMs(rep.timings.total_ms)}` : ''}`),
      btn), panel);
  } catch (e) {
    if (my !== seq) return;
    destroyCharts(els.body);
    clear(els.body);
    els.status.textContent = '';
    const retry = h('button', { type: 'button', class: 'ghost small' }, icon('refresh'), 'Try again');
    retry.addEventListener('click', () => loadSummary(period));
    els.body.append(h('section', { class: 'card declined status-error', role: 'alert' },
      h('div', { class: 'answer-head' }, icon('alert', 'icon status-icon'), h('p', { class: 'answer-text' }, `Could not load the summary. ${e.message}`)), retry));
  } finally {
    if (my === seq) els.body.removeAttribute('aria-busy');
  }
}

/** Wires the view; call once. */
export function initSummary() {
  els = {
    form: document.getElementById('summary-form'),
    period: document.getElementById('summary-period'),
    body: document.getElementById('summary-body'),
    status: document.getElementById('summary-status'),
  };
  els.form.addEventListener('submit', (e) => {
    e.preventDefault();
    loadSummary();
  });
}

/** Loads the report the first time the view is shown. */
export function showSummary() {
  if (!loaded) loadSummary('');
}
