// One answer card: the sentence, the key figure, what was computed (chips),
// the chart, the table, the SQL, the tier and time, and feedback. Answers
// that are not "answered" show the words not understood and suggestions.

import { api } from './api.js';
import { renderChart } from './charts.js';
import { copyText, h, icon, nextId } from './dom.js';
import { formatMs, formatValue, humanize } from './format.js';
import { renderTable } from './table.js';

const TIERS = {
  exact_cache: { label: 'Exact cache', title: 'Answered from the exact cache: the same question was computed before on this data version.' },
  plan_cache: { label: 'Plan cache', title: 'Answered from the plan cache: the same computation was done before on this data version.' },
  shared_cache: { label: 'Shared cache', title: 'Answered from the cache shared by the servers: computed before on this data version.' },
  rules: { label: 'Computed', title: 'Computed now by the question engine on the data.' },
};

// The reason is stored as written here and counted by `ria feedback`.
export const REASONS = [
  ['wrong number', 'Wrong number'],
  ['misunderstood question', 'Misunderstood the question'],
  ['wrong period', 'Wrong period'],
  ['wrong filter', 'Wrong filter'],
  ['slow', 'Too slow'],
  ['other', 'Other'],
];

/**
 * The unit of the key figure. The figure is usually the first number
 * column; for shares and growth the value is the ratio while the first
 * number column is an amount, so the column whose first-row value equals
 * answer.value wins, then the metric's unit.
 */
export function figureUnit(answer) {
  const cols = answer.columns || [];
  const row = (answer.rows || [])[0] || [];
  const v = answer.value;
  if (typeof v === 'number') {
    for (let i = cols.length - 1; i >= 0; i -= 1) {
      if (cols[i].type === 'number' && typeof row[i] === 'number' && Math.abs(row[i] - v) <= Math.abs(v) * 1e-12) return cols[i].unit || null;
    }
  }
  const first = cols.find((c) => c.type === 'number');
  if (first && first.unit) return first.unit;
  return answer.interpretation?.metric?.unit || null;
}

function figureCaption(answer) {
  const i = answer.interpretation || {};
  const unit = figureUnit(answer);
  let what = i.metric?.label || '';
  if (unit === 'ratio' && i.metric?.unit !== 'ratio') {
    if (i.shape === 'share') what = `Share of ${(i.metric?.label || 'the total').toLowerCase()}`;
    else if (i.shape === 'growth') what = `${i.metric?.label || ''} growth`;
  }
  const when = i.period?.label || (i.periods?.length ? i.periods.map((p) => p.label).join(' → ') : '');
  return [what, when].filter(Boolean).join(' · ');
}

// -- interpretation chips ------------------------------------------------

function chip(kind, key, value, tip) {
  const attrs = { class: `chip chip-${kind}` };
  const el = h('li', attrs);
  if (key) el.append(h('span', { class: 'chip-k' }, key));
  el.append(h('span', { class: 'chip-v' }, value));
  if (tip) {
    const id = nextId('tip');
    el.tabIndex = 0;
    el.setAttribute('aria-describedby', id);
    el.classList.add('has-tip');
    el.append(h('span', { class: 'tip', role: 'tooltip', id }, tip));
  }
  return el;
}

function boundText(bound, unit, currency) {
  return formatValue(bound, unit, { currency });
}

const OPS = { '>': '>', '>=': '≥', '<': '<', '<=': '≤', '=': '=', '==': '=', '!=': '≠' };

/** The chips of an interpretation (what was computed). */
export function interpretationChips(interp, answer = {}) {
  const list = [];
  if (!interp) return list;
  const cur = interp.currency;
  const m = interp.metric;
  if (m) {
    const tip = [m.definition, interp.status_rule ? `${interp.status_rule.charAt(0).toUpperCase()}${interp.status_rule.slice(1)}.` : ''].filter(Boolean).join('. ');
    list.push(chip('metric', 'Metric', m.label || humanize(m.name), tip));
  }
  if (interp.metric2) {
    const m2 = interp.metric2;
    list.push(chip('metric', 'and', m2.label || humanize(m2.name), m2.definition));
  }
  for (const f of interp.filters || []) {
    const vals = f.label || (f.values || []).join(', ');
    const tip = `${f.column} ${f.negated ? 'not in' : 'in'} ${(f.values || []).join(', ')}`;
    list.push(chip(f.negated ? 'filter neg' : 'filter', f.negated ? `Not ${humanize(f.column).toLowerCase()}` : humanize(f.column), vals, tip));
  }
  if (interp.periods && interp.periods.length) {
    const labels = interp.periods.map((p) => p.label);
    const tip = interp.periods.map((p) => `${p.label}: ${p.from} to ${p.to}`).join('; ');
    list.push(chip('period', 'Compared', labels.join(' vs '), tip));
  } else if (interp.period) {
    const p = interp.period;
    list.push(chip('period', 'Period', p.label, p.from && p.to ? `${p.from} to ${p.to}` : ''));
  } else if (interp.metric) {
    list.push(chip('period', 'Period', 'all dates', 'No date filter: every order in the data.'));
  }
  if (interp.part_period) {
    const p = interp.part_period;
    list.push(chip('period', 'Part', p.label, p.from && p.to ? `${p.from} to ${p.to}` : ''));
  }
  for (const g of interp.group_by || []) list.push(chip('group', 'By', humanize(g).toLowerCase()));
  if (interp.time_grain) list.push(chip('group', 'Each', interp.time_grain));
  if (interp.growth_over) {
    list.push(chip('group', 'Growth vs', interp.growth_over === 'year' ? 'a year before' : interp.growth_over === 'previous' ? `previous ${interp.time_grain || 'period'}` : String(interp.growth_over)));
  }
  if (interp.top_n) {
    const asc = interp.order === 'ascending';
    list.push(chip('rank', asc ? 'Bottom' : 'Top', String(interp.top_n)));
  }
  if (interp.condition && typeof interp.condition === 'object') {
    const c = interp.condition;
    const name = c.metric?.label || humanize(c.on || '');
    const unit = c.metric?.unit || (/(growth|share|margin|rate)/i.test(c.on || '') ? 'ratio' : null);
    list.push(chip('rank', 'Only where', `${name} ${OPS[c.op] || c.op || ''} ${boundText(c.bound, unit, cur)}`.trim(), c.metric?.definition));
  }
  if (interp.threshold && typeof interp.threshold === 'object') {
    const t = interp.threshold;
    const on = t.on || interp.metric?.name || '';
    const unit = /(growth|share|ratio)/i.test(on) ? 'ratio' : interp.metric?.unit;
    list.push(chip('rank', 'Where', `${humanize(on).toLowerCase()} ${OPS[t.op] || t.op || ''} ${boundText(t.bound, unit, cur)}`.trim()));
  }
  if (interp.status_rule) list.push(chip('meta', '', interp.status_rule));
  if (answer.follow_up) list.push(chip('meta', '', 'follow-up: refines the previous question'));
  if (interp.data_version !== undefined && interp.data_version !== null) {
    const asOf = interp.anchor ? `, as of ${interp.anchor}` : '';
    list.push(chip('meta', '', `data version ${interp.data_version}${asOf}`, interp.anchor ? `"Today" for relative dates is ${interp.anchor}, the latest order date.` : ''));
  }
  return list;
}

// -- pieces of the card --------------------------------------------------

function sqlBlock(sql) {
  const stmts = Array.isArray(sql) ? sql : sql ? [String(sql)] : [];
  const id = nextId('sql');
  const panel = h('div', { class: 'sql', id, hidden: true },
    stmts.map((s, i) => h('pre', { 'aria-label': `SQL statement ${i + 1}` }, h('code', null, s))));
  const copy = h('button', { type: 'button', class: 'ghost small' }, icon('copy'), 'Copy');
  copy.addEventListener('click', async () => {
    const ok = await copyText(stmts.join(';\n') + ';');
    copy.lastChild.textContent = ok ? 'Copied' : 'Copy failed';
    setTimeout(() => { copy.lastChild.textContent = 'Copy'; }, 1500);
  });
  panel.prepend(h('div', { class: 'sql-head' }, h('span', null, `${stmts.length} statement${stmts.length === 1 ? '' : 's'}`), copy));
  const btn = h('button', { type: 'button', class: 'ghost small', 'aria-expanded': 'false', 'aria-controls': id, disabled: !stmts.length }, icon('code'), 'Show SQL');
  btn.addEventListener('click', () => {
    const open = panel.hidden;
    panel.hidden = !open;
    btn.setAttribute('aria-expanded', String(open));
    btn.lastChild.textContent = open ? 'Hide SQL' : 'Show SQL';
  });
  return { btn, panel };
}

function feedbackBlock(answer, ctx) {
  const status = h('span', { class: 'fb-status', role: 'status' });
  const up = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Good answer', title: 'Good answer', 'aria-pressed': 'false' }, icon('up'));
  const down = h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Bad answer', title: 'Bad answer', 'aria-pressed': 'false', 'aria-expanded': 'false' }, icon('down'));
  const formId = nextId('fb');
  down.setAttribute('aria-controls', formId);
  const reasonId = nextId('reason');
  const commentId = nextId('comment');
  const reason = h('select', { id: reasonId, name: 'reason', required: true },
    h('option', { value: '' }, 'Choose a reason…'),
    REASONS.map(([v, l]) => h('option', { value: v }, l)));
  const comment = h('textarea', { id: commentId, name: 'comment', rows: '2', maxlength: '2000', placeholder: 'What should the answer have been? (optional)' });
  const send = h('button', { type: 'submit', class: 'primary small' }, 'Send feedback');
  const cancel = h('button', { type: 'button', class: 'ghost small' }, 'Cancel');
  const err = h('p', { class: 'fb-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'fb-form', id: formId, hidden: true, 'aria-label': 'Why was this answer wrong?' },
    h('div', { class: 'field' }, h('label', { for: reasonId }, 'What was wrong?'), reason),
    h('div', { class: 'field grow' }, h('label', { for: commentId }, 'Comment'), comment),
    h('div', { class: 'fb-actions' }, send, cancel),
    err);

  const payload = (rating) => ({
    question: answer.question || ctx.question,
    rating,
    reason: rating === 'down' ? reason.value : '',
    comment: rating === 'down' ? comment.value.trim() : '',
    session: ctx.session() || '',
    data_version: answer.interpretation?.data_version ?? null,
    plan_hash: answer.plan_hash || '',
    interpretation: answer.interpretation || null,
  });

  const closeForm = () => {
    form.hidden = true;
    down.setAttribute('aria-expanded', 'false');
  };
  const sent = (rating, res) => {
    up.setAttribute('aria-pressed', String(rating === 'up'));
    down.setAttribute('aria-pressed', String(rating === 'down'));
    up.disabled = true;
    down.disabled = true;
    status.textContent = rating === 'up' ? 'Thanks!' : 'Thanks, noted.';
    if (res && res.id) status.title = `Feedback ${res.id}`;
  };
  up.addEventListener('click', async () => {
    up.disabled = true;
    try {
      sent('up', await api('/api/feedback', { method: 'POST', json: payload('up') }));
    } catch (e) {
      up.disabled = false;
      status.textContent = `Not sent: ${e.message}`;
    }
  });
  down.addEventListener('click', () => {
    const open = form.hidden;
    form.hidden = !open;
    down.setAttribute('aria-expanded', String(open));
    if (open) reason.focus();
  });
  cancel.addEventListener('click', () => {
    closeForm();
    down.focus();
  });
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      closeForm();
      down.focus();
    }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!reason.value) {
      err.hidden = false;
      err.textContent = 'Choose a reason.';
      reason.focus();
      return;
    }
    send.disabled = true;
    err.hidden = true;
    try {
      const res = await api('/api/feedback', { method: 'POST', json: payload('down') });
      closeForm();
      sent('down', res);
      down.focus();
    } catch (ex) {
      err.hidden = false;
      err.textContent = `Not sent: ${ex.message}`;
    } finally {
      send.disabled = false;
    }
  });
  const bar = h('span', { class: 'feedback' }, h('span', { class: 'sr-only' }, 'Was this answer right?'), up, down, status);
  return { bar, form };
}

function metaLine(answer) {
  const declined = answer.status && answer.status !== 'answered';
  const tier = declined ? { label: 'Not answered', title: 'No number was computed.' } : TIERS[answer.tier] || { label: answer.tier || '', title: '' };
  const ms = answer.timings?.total_ms;
  const parts = [];
  const s = answer.stats || {};
  if (typeof s.rows_scanned === 'number') parts.push(`${s.rows_scanned.toLocaleString('en-US')} rows scanned`);
  if (s.view) parts.push(`from view ${s.view}`);
  if (typeof s.partitions_pruned === 'number' && s.partitions_pruned) parts.push(`${s.partitions_pruned} partitions skipped`);
  const title = [tier.title, parts.join(', ')].filter(Boolean).join(' ');
  return h('span', { class: `meta tier-${declined ? 'none' : answer.tier || 'none'}`, title },
    declined || answer.tier === 'rules' || !answer.tier ? null : icon('bolt', 'icon tier-icon'),
    tier.label, ms !== undefined ? `${declined ? ' ·' : ' in'} ${formatMs(ms)}` : '');
}

// -- not understood --------------------------------------------------------

function editDistance(a, b) {
  const m = a.length;
  const n = b.length;
  const d = Array.from({ length: m + 1 }, (_, i) => [i, ...new Array(n).fill(0)]);
  for (let j = 1; j <= n; j += 1) d[0][j] = j;
  for (let i = 1; i <= m; i += 1) {
    for (let j = 1; j <= n; j += 1) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[m][n];
}

/**
 * The question with `word` replaced by `by`. The engine may report a word
 * in its corrected or normalized form, so when it is not found as typed the
 * closest word of the question is replaced.
 */
export function replaceWord(question, word, by) {
  const esc = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(^|[^\\p{L}\\p{N}])${esc}(?=$|[^\\p{L}\\p{N}])`, 'iu');
  if (re.test(question)) return question.replace(re, (_, pre) => pre + by);
  const tokens = question.split(/(\s+)/);
  let best = -1;
  let bestD = Infinity;
  tokens.forEach((t, i) => {
    const core = t.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
    if (!core) return;
    const dist = editDistance(core.toLowerCase(), word.toLowerCase());
    if (dist < bestD) {
      bestD = dist;
      best = i;
    }
  });
  if (best < 0 || bestD > Math.max(2, Math.floor(word.length / 2))) return `${question} ${by}`;
  tokens[best] = tokens[best].replace(/[\p{L}\p{N}][\p{L}\p{N}'-]*[\p{L}\p{N}]|[\p{L}\p{N}]/u, by);
  return tokens.join('');
}

function declinedBody(answer, ctx) {
  const words = answer.not_understood || [];
  const sugg = answer.suggestions || [];
  const out = [];
  if (words.length) {
    const label = answer.status === 'out_of_scope' ? 'Outside the data:' : 'Not understood:';
    out.push(h('div', { class: 'nu-row' }, h('span', { class: 'nu-label' }, label),
      h('ul', { class: 'chips' }, words.map((w) => h('li', { class: 'chip chip-bad' }, h('span', { class: 'chip-v' }, w))))));
  }
  if (sugg.length) {
    const target = words[0] || '';
    const q = answer.question || ctx.question;
    out.push(h('div', { class: 'nu-row' }, h('span', { class: 'nu-label' }, 'Did you mean:'),
      h('ul', { class: 'chips' }, sugg.map((s, i) => {
        // suggestions are not paired with words: pair by position when the
        // counts match, else every suggestion replaces the first word
        const w = words.length === sugg.length ? words[i] : target;
        const fixed = w ? replaceWord(q, w, s) : `${q} ${s}`;
        const b = h('button', { type: 'button', class: 'chip chip-suggest', title: `Ask: ${fixed}` }, s);
        b.addEventListener('click', () => ctx.ask(fixed));
        return h('li', null, b);
      }))));
  }
  const voc = answer.vocabulary;
  if (voc && (voc.metrics?.length || voc.dimensions?.length)) {
    const det = h('details', { class: 'vocab' }, h('summary', null, 'What can I ask about?'));
    if (voc.metrics?.length) det.append(h('p', null, h('strong', null, 'Metrics: '), voc.metrics.map((m) => humanize(m).toLowerCase()).join(', ')));
    if (voc.dimensions?.length) det.append(h('p', null, h('strong', null, 'Break down or filter by: '), voc.dimensions.map((d) => humanize(d).toLowerCase()).join(', ')));
    out.push(det);
  }
  return out;
}

// -- the card ----------------------------------------------------------------

/**
 * Renders an answer card.
 *   ctx.question   the question as typed
 *   ctx.session()  the conversation id (for feedback)
 *   ctx.ask(q)     asks another question (suggestion chips)
 */
export function renderAnswer(answer, ctx) {
  const answered = answer.status === 'answered';
  const interp = answer.interpretation || null;
  const currency = interp?.currency || ctx.currency || 'USD';
  const card = h('section', { class: `card answer${answered ? '' : ` declined status-${answer.status || 'error'}`}`, 'aria-label': `Answer ${ctx.index || ''}: ${answer.question || ctx.question}`.replace('  ', ' ') });

  const head = h('div', { class: 'answer-head' });
  if (!answered) head.append(icon(answer.status === 'error' ? 'alert' : 'info', 'icon status-icon'));
  head.append(h('p', { class: 'answer-text' }, answer.text || (answered ? '' : 'No answer.')));
  card.append(head);

  if (answered && typeof answer.value === 'number') {
    const unit = figureUnit(answer);
    card.append(h('div', { class: 'figure' },
      h('span', { class: 'figure-value' }, formatValue(answer.value, unit, { currency, signed: interp?.shape === 'growth' })),
      h('span', { class: 'figure-label' }, figureCaption(answer))));
  }

  if (!answered) card.append(...declinedBody(answer, ctx));

  if (interp) {
    const chips = interpretationChips(interp, answer);
    if (chips.length) {
      card.append(h('div', { class: 'interp' },
        h('span', { class: 'interp-label', id: nextId('computed') }, 'Computed'),
        h('ul', { class: 'chips', 'aria-label': interp.summary ? `What was computed: ${interp.summary}` : 'What was computed' }, chips)));
    }
  }

  const cols = answer.columns || [];
  const rows = answer.rows || [];
  if (answered) {
    const chart = renderChart(answer, { currency, narrow: window.innerWidth < 560 });
    if (chart) card.append(chart);
    const single = rows.length === 1 && cols.length === 1 && typeof answer.value === 'number';
    if (cols.length && rows.length && !single) {
      const fname = `${(answer.question || 'answer').replace(/[^\w]+/g, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 60) || 'answer'}.csv`;
      card.append(renderTable(cols, rows, { currency, caption: `Table ${ctx.index || ''}: ${answer.text}`.replace('  ', ' '), filename: fname }));
    }
  }

  const foot = h('div', { class: 'card-foot' });
  const meta = metaLine(answer);
  foot.append(meta);
  const { btn, panel } = sqlBlock(answer.sql);
  const actions = h('div', { class: 'card-actions' });
  if ((answer.sql || []).length) actions.append(btn);
  let fbForm = null;
  if (answered || answer.status === 'not_understood') {
    const fb = feedbackBlock(answer, ctx);
    actions.append(fb.bar);
    fbForm = fb.form;
  }
  foot.append(actions);
  card.append(foot);
  if (fbForm) card.append(fbForm);
  card.append(panel);
  return card;
}

/** A card for a failed request, with a retry button. */
export function renderError(err, retry) {
  const b = h('button', { type: 'button', class: 'ghost small' }, icon('refresh'), 'Try again');
  b.addEventListener('click', retry);
  const msg = String(err.message || err);
  return h('section', { class: 'card answer declined status-error', role: 'alert' },
    h('div', { class: 'answer-head' }, icon('alert', 'icon status-icon'),
      h('p', { class: 'answer-text' }, `Could not get an answer: ${msg.charAt(0).toLowerCase() === msg.charAt(0) ? msg : msg.charAt(0).toLowerCase() + msg.slice(1)}`)),
    h('div', { class: 'card-foot' }, h('span', { class: 'meta' }, err.status ? `HTTP ${err.status}` : 'Network'), b));
}

/** A placeholder card while the answer is computed. */
export function renderPending() {
  return h('section', { class: 'card answer pending', 'aria-busy': 'true', 'aria-label': 'Computing the answer' },
    h('div', { class: 'skeleton w80' }), h('div', { class: 'skeleton w40 tall' }), h('div', { class: 'skeleton w60' }));
}
