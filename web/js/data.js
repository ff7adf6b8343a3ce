// The Data view: load a CSV (drag and drop or file picker) as an ingest
// task with live progress, the versions of the store, the quality report
// and quarantined rows of a version, and the schema with the metrics.

import { api, followTask, withQuery } from './api.js';
import { clear, h, icon } from './dom.js';
import { formatBytes, formatCount, formatTime, humanize, sentence } from './format.js';
import { renderTable } from './table.js';

const QUARANTINE_PAGE = 100;
let els = {};
let loaded = false;
let qualitySeq = 0;

function errorBox(message, retry) {
  const box = h('div', { class: 'inline-error', role: 'alert' }, icon('alert'), h('span', null, message));
  if (retry) {
    const b = h('button', { type: 'button', class: 'ghost small' }, 'Try again');
    b.addEventListener('click', retry);
    box.append(b);
  }
  return box;
}

// -- versions --------------------------------------------------------------------

function reportText(v) {
  if (typeof v.summary === 'string') return v.summary;
  if (typeof v.report === 'string') return v.report;
  if (v.report && typeof v.report.summary === 'string') return v.report.summary;
  return '';
}

async function loadVersions() {
  const box = els.versions;
  box.setAttribute('aria-busy', 'true');
  try {
    const res = await api('/api/versions');
    const list = (res.versions || []).slice().sort((a, b) => (b.version || 0) - (a.version || 0));
    clear(box);
    if (!list.length) {
      box.append(h('p', { class: 'muted' }, 'The store is empty: load a CSV file to start.'));
      return list;
    }
    const table = h('table', { class: 'data versions' },
      h('caption', { class: 'sr-only' }, 'Versions of the data, newest first'),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, 'Version'), h('th', { scope: 'col' }, 'Time (UTC)'), h('th', { scope: 'col' }, 'Operation'),
        h('th', { scope: 'col', class: 'num' }, 'Added'), h('th', { scope: 'col', class: 'num' }, 'Removed'), h('th', { scope: 'col', class: 'num' }, 'Rows'),
        h('th', { scope: 'col' }, 'Report'))));
    const tbody = h('tbody');
    for (const v of list) {
      const b = h('button', { type: 'button', class: 'version-btn', title: `Show the quality report of version ${v.version}` },
        `v${v.version}`, h('span', { class: 'sr-only' }, ': show its quality report'));
      b.addEventListener('click', () => showQuality(v.version, true));
      tbody.append(h('tr', { dataset: { version: String(v.version) } },
        h('td', null, b),
        h('td', { class: 'nowrap' }, formatTime(v.time).replace(/ UTC$/, '')),
        h('td', null, h('span', { class: `badge op-${v.operation || 'x'}` }, v.operation || '—')),
        h('td', { class: 'num' }, formatCount(v.rows_added)),
        h('td', { class: 'num' }, formatCount(v.rows_removed)),
        h('td', { class: 'num' }, formatCount(v.live_rows)),
        h('td', { class: 'report-cell' }, sentence(reportText(v)))));
    }
    table.append(tbody);
    box.append(h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Versions table' }, table));
    return list;
  } catch (e) {
    clear(box);
    box.append(errorBox(`Could not load the versions. ${e.message}`, loadVersions));
    return [];
  } finally {
    box.removeAttribute('aria-busy');
  }
}

// -- quality report ----------------------------------------------------------------

const OUTCOMES = { reject: 'Quarantined', flag: 'Flagged', fix: 'Fixed' };

function statTile(label, value, cls = '') {
  return h('li', { class: `stat ${cls}` }, h('div', { class: 'stat-v' }, value), h('div', { class: 'stat-k' }, label));
}

/** The ingest report as tiles, rules, files. */
export function renderReport(rep) {
  const frag = h('div', { class: 'report' });
  const stats = h('ul', { class: 'stats' },
    statTile('rows read', formatCount(rep.rows_read)),
    statTile('accepted', formatCount(rep.accepted), 'ok'),
    statTile('quarantined', formatCount(rep.quarantined), rep.quarantined ? 'bad' : ''),
    statTile('duplicates dropped', formatCount(rep.duplicates), rep.duplicates ? 'warn' : ''));
  if (rep.superseded) stats.append(statTile('superseded (upsert)', formatCount(rep.superseded)));
  frag.append(stats);
  const facts = [];
  if (rep.mode) facts.push(`mode ${rep.mode}`);
  if (typeof rep.seconds === 'number') facts.push(`${rep.seconds.toFixed(2)} s`);
  if (typeof rep.rows_per_s === 'number') facts.push(`${formatCount(Math.round(rep.rows_per_s))} rows/s`);
  if (typeof rep.mb_per_s === 'number' && rep.mb_per_s >= 1) facts.push(`${rep.mb_per_s.toFixed(0)} MB/s`);
  frag.append(h('p', { class: 'report-line' },
    rep.reconciled === true ? h('span', { class: 'badge ok' }, icon('check'), 'Balanced') : rep.reconciled === false ? h('span', { class: 'badge bad' }, 'Not balanced') : null,
    ' ', sentence(rep.summary), facts.length ? h('span', { class: 'muted' }, ` · ${facts.join(' · ')}`) : null));

  const rules = Object.entries(rep.rules || {}).sort((a, b) => {
    const o = { reject: 0, flag: 1, fix: 2 };
    return (o[a[1].outcome] ?? 3) - (o[b[1].outcome] ?? 3) || (b[1].count || 0) - (a[1].count || 0);
  });
  if (rules.length) {
    const tbody = h('tbody');
    for (const [name, r] of rules) {
      const lines = (r.examples || []).map((x) => x.line).filter((x) => x !== undefined);
      tbody.append(h('tr', null,
        h('td', null, h('span', { class: `badge out-${r.outcome}` }, OUTCOMES[r.outcome] || r.outcome || '')),
        h('td', null, h('code', null, name)),
        h('td', { class: 'num' }, formatCount(r.count)),
        h('td', null, r.description || ''),
        h('td', { class: 'muted' }, lines.length ? `line ${lines.slice(0, 5).join(', ')}` : '')));
    }
    frag.append(h('h3', null, 'Quality rules that fired'),
      h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Quality rules' },
        h('table', { class: 'data' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Outcome'), h('th', { scope: 'col' }, 'Rule'), h('th', { scope: 'col', class: 'num' }, 'Rows'), h('th', { scope: 'col' }, 'What'), h('th', { scope: 'col' }, 'First seen'))),
          tbody)));
  } else if (rep.rows_read !== undefined) {
    frag.append(h('p', { class: 'ok-line' }, icon('check'), 'No quality rule fired: every row was clean.'));
  }

  const files = rep.files || [];
  if (files.length) {
    const list = h('ul', { class: 'files' });
    for (const f of files) {
      const det = h('details', null, h('summary', null, h('strong', null, String(f.name || '').split('/').pop()),
        h('span', { class: 'muted' }, ` · ${formatCount(f.rows)} rows · ${formatBytes(f.bytes)} · ${[f.encoding, f.delimiter === '\t' ? 'tab' : f.delimiter ? `"${f.delimiter}"` : '', f.date_format].filter(Boolean).join(' · ')}`)));
      if ((f.notes || []).length) det.append(h('ul', { class: 'notes' }, f.notes.map((n) => h('li', null, n))));
      list.append(h('li', null, det));
    }
    frag.append(h('h3', null, files.length === 1 ? 'File' : 'Files'), list);
  }
  return frag;
}

async function loadQuarantine(version, offset, box) {
  box.setAttribute('aria-busy', 'true');
  try {
    const q = await api(withQuery('/api/quality/quarantine', { version, limit: QUARANTINE_PAGE, offset }));
    clear(box);
    const total = q.total || 0;
    if (!total) {
      box.append(h('p', { class: 'muted' }, 'No rows were set aside by this load.'));
      return;
    }
    const reasons = Object.entries(q.reasons || {}).sort((a, b) => b[1] - a[1]);
    if (reasons.length) {
      box.append(h('ul', { class: 'chips reasons', 'aria-label': 'Rows set aside by reason' },
        reasons.map(([k, n]) => h('li', { class: 'chip chip-bad' }, h('span', { class: 'chip-k' }, k), h('span', { class: 'chip-v' }, formatCount(n))))));
    }
    const cols = (q.columns || []).map((c) => (typeof c === 'string' ? { name: c, type: 'label' } : c));
    // the file column holds the path the server read: its name is enough here
    const fi = cols.findIndex((c) => c.name === 'file');
    const rows = (q.rows || []).map((r) => r.map((v, i) => (i === fi && typeof v === 'string' ? v.split(/[\\/]/).pop() : v)));
    box.append(renderTable(cols, rows, { caption: `Quarantined rows of version ${version}`, page: QUARANTINE_PAGE }));
    const from = offset + 1;
    const to = offset + (q.rows || []).length;
    const prev = h('button', { type: 'button', class: 'ghost small', disabled: offset <= 0 }, '← Previous');
    const next = h('button', { type: 'button', class: 'ghost small', disabled: to >= total }, 'Next →');
    prev.addEventListener('click', () => loadQuarantine(version, Math.max(0, offset - QUARANTINE_PAGE), box));
    next.addEventListener('click', () => loadQuarantine(version, offset + QUARANTINE_PAGE, box));
    box.append(h('div', { class: 'pager' }, h('span', { class: 'muted' }, `Rows ${formatCount(from)}–${formatCount(to)} of ${formatCount(total)}`), prev, next));
  } catch (e) {
    clear(box);
    box.append(errorBox(`Could not load the quarantined rows. ${e.message}`, () => loadQuarantine(version, offset, box)));
  } finally {
    box.removeAttribute('aria-busy');
  }
}

/** Shows the quality report of a version (null = the latest). */
export async function showQuality(version, focus = false) {
  const my = ++qualitySeq;
  const card = els.quality;
  card.hidden = false;
  const body = els.qualityBody;
  els.qualityTitle.textContent = version ? `Quality report · version ${version}` : 'Quality report';
  body.setAttribute('aria-busy', 'true');
  for (const tr of els.versions.querySelectorAll('tr[data-version]')) tr.classList.toggle('selected', tr.dataset.version === String(version));
  try {
    const rep = await api(withQuery('/api/quality', { version }));
    if (my !== qualitySeq) return;
    clear(body);
    if (rep.rows_read === undefined && rep.accepted === undefined) {
      // a version that loaded nothing (compaction, a model edit) has no report
      body.append(h('p', { class: 'muted' }, `Version ${rep.version ?? version}${rep.operation ? ` (${rep.operation})` : ''} did not load data, so it has no quality report.`));
      return;
    }
    body.append(renderReport(rep));
    const qbox = h('div', { class: 'quarantine' });
    body.append(h('h3', null, 'Rows set aside (quarantine)'), qbox);
    loadQuarantine(version || rep.version, 0, qbox);
  } catch (e) {
    if (my !== qualitySeq) return;
    clear(body);
    body.append(errorBox(e.status === 404 ? `Version ${version} has no quality report (it did not load data).` : `Could not load the quality report. ${e.message}`));
  } finally {
    body.removeAttribute('aria-busy');
  }
  if (focus) {
    els.qualityTitle.focus();
    els.quality.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }
}

// -- schema ------------------------------------------------------------------------

async function loadSchema() {
  const box = els.schema;
  box.setAttribute('aria-busy', 'true');
  try {
    const s = await api('/api/schema');
    clear(box);
    box.append(h('p', { class: 'muted' }, `Version ${s.version ?? '—'} · ${formatCount(s.rows)} rows · ${(s.columns || []).length} columns`));
    const cols = (s.columns || []).map((c) => [c.name, c.type, c.role || '']);
    // definitions come from the semantic model when the server sends it
    const defs = (s.model && s.model.metrics) || {};
    const dims = new Map((s.dimensions || []).map((d) => [d.name, d]));
    const wrap = h('div', { class: 'schema-grid' });
    const colTable = h('table', { class: 'data' },
      h('caption', { class: 'sr-only' }, 'Columns'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Column'), h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, 'Values'))),
      h('tbody', null, cols.map(([n, t, r]) => {
        const d = dims.get(n);
        const vals = d && (d.values || []).length
          ? h('span', { class: 'values' }, `${d.values.slice(0, 6).join(', ')}${(d.count || d.distinct || d.values.length) > 6 ? `, … (${formatCount(d.count || d.distinct || d.values.length)})` : ''}`)
          : '';
        return h('tr', null, h('td', null, h('code', null, n)), h('td', null, t || ''), h('td', null, r && r !== n ? humanize(r).toLowerCase() : r), h('td', null, vals));
      })));
    wrap.append(h('div', null, h('h3', null, 'Columns'), h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Columns table' }, colTable)));
    const metrics = Object.keys(defs).length
      ? Object.entries(defs).map(([name, m]) => ({ name, definition: m.definition, unit: m.unit }))
      : (s.metrics || []).map((m) => (typeof m === 'string' ? { name: m } : m));
    if (metrics.length) {
      const dl = h('dl', { class: 'metrics' });
      for (const m of metrics) {
        dl.append(h('dt', null, humanize(m.label || m.name)), h('dd', null, [m.definition, m.unit ? `(${m.unit})` : ''].filter(Boolean).join(' ')));
      }
      wrap.append(h('div', null, h('h3', null, 'Metrics you can ask for'), dl));
    }
    box.append(wrap);
  } catch (e) {
    clear(box);
    box.append(errorBox(`Could not load the schema. ${e.message}`, loadSchema));
  } finally {
    box.removeAttribute('aria-busy');
  }
}

// -- upload --------------------------------------------------------------------------

let uploading = false;

function setProgress(p, message) {
  const pct = Math.round(Math.max(0, Math.min(1, p || 0)) * 100);
  els.bar.style.width = `${pct}%`;
  els.progress.setAttribute('aria-valuenow', String(pct));
  els.progress.setAttribute('aria-valuetext', `${pct}%${message ? `, ${message}` : ''}`);
  els.progressText.textContent = `${pct}%${message ? ` · ${message}` : ''}`;
}

async function upload(file) {
  if (uploading || !file) return;
  if (!/\.(csv|txt|tsv)$/i.test(file.name) && file.type && !/csv|text\/plain/.test(file.type)) {
    clear(els.uploadResult);
    els.uploadResult.append(errorBox(`${file.name} does not look like a CSV file.`));
    return;
  }
  uploading = true;
  els.drop.classList.add('busy');
  els.fileInput.disabled = true;
  clear(els.uploadResult);
  els.progressWrap.hidden = false;
  els.progressName.textContent = `${file.name} (${formatBytes(file.size)})`;
  setProgress(0, 'uploading');
  try {
    const t = await api(withQuery('/api/tasks', { kind: 'ingest', name: file.name }), { method: 'POST', body: file, type: 'text/csv' });
    setProgress(0, t.state || 'queued');
    const done = await followTask(t.id, (p) => setProgress(p.progress, p.message || p.state));
    if (done.error || ['failed', 'error', 'cancelled'].includes(done.state)) {
      const msg = typeof done.error === 'string' && done.error ? done.error
        : done.error?.message || (done.state === 'cancelled' ? 'the load was cancelled' : done.message || 'the load failed');
      throw new Error(msg);
    }
    setProgress(1, 'done');
    const rep = done.result || {};
    els.uploadResult.append(h('div', { class: 'upload-done', role: 'status' }, icon('check'),
      h('span', null, `Loaded ${file.name}${rep.version ? ` as version ${rep.version}` : ''}. `, sentence(rep.summary))));
    const versions = await loadVersions();
    document.dispatchEvent(new CustomEvent('ria:data-changed'));
    loadSchema();
    const v = rep.version || (versions[0] && versions[0].version);
    if (v) showQuality(v);
  } catch (e) {
    els.uploadResult.append(errorBox(`Could not load ${file.name}: ${e.message}`));
  } finally {
    uploading = false;
    els.drop.classList.remove('busy');
    els.fileInput.disabled = false;
    els.fileInput.value = '';
    setTimeout(() => { if (!uploading) els.progressWrap.hidden = true; }, 1500);
  }
}

/** Wires the view; call once. */
export function initData() {
  els = {
    drop: document.getElementById('drop-zone'),
    fileInput: document.getElementById('file-input'),
    progressWrap: document.getElementById('upload-progress'),
    progress: document.getElementById('upload-bar'),
    bar: document.querySelector('#upload-bar .bar-fill'),
    progressText: document.getElementById('upload-progress-text'),
    progressName: document.getElementById('upload-name'),
    uploadResult: document.getElementById('upload-result'),
    versions: document.getElementById('versions'),
    quality: document.getElementById('quality'),
    qualityTitle: document.getElementById('quality-title'),
    qualityBody: document.getElementById('quality-body'),
    schema: document.getElementById('schema'),
  };
  els.fileInput.addEventListener('change', () => upload(els.fileInput.files[0]));
  const stop = (e) => {
    e.preventDefault();
    e.stopPropagation();
  };
  ['dragenter', 'dragover'].forEach((t) => els.drop.addEventListener(t, (e) => {
    stop(e);
    els.drop.classList.add('over');
  }));
  ['dragleave', 'dragend'].forEach((t) => els.drop.addEventListener(t, (e) => {
    stop(e);
    els.drop.classList.remove('over');
  }));
  els.drop.addEventListener('drop', (e) => {
    stop(e);
    els.drop.classList.remove('over');
    const f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    if (f) upload(f);
  });
  // a file dropped outside the zone must not navigate away from the page
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());
  els.qualityTitle.tabIndex = -1;
}

/** Loads the view's data the first time it is shown. */
export async function showData() {
  if (loaded) return;
  loaded = true;
  loadSchema();
  const versions = await loadVersions();
  if (versions.length) showQuality(versions[0].version);
}
