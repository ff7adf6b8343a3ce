// Data tables: numbers right-aligned and formatted by unit, at most
// PAGE rows until "Show all", sortable by clicking a header, CSV download.

import { download, h, icon } from './dom.js';
import { formatValue, humanize, isChangeColumn } from './format.js';

const PAGE = 50;

function csvCell(v) {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The table as CSV text (raw values: fractions stay fractions). */
export function toCsv(columns, rows) {
  const lines = [columns.map((c) => csvCell(c.name)).join(',')];
  for (const r of rows) lines.push(r.map(csvCell).join(','));
  return lines.join('\r\n') + '\r\n';
}

/**
 * Renders columns [{name, type, unit}] and rows [[...]] as a table block.
 *   opts.currency   money currency
 *   opts.caption    accessible caption (visually hidden)
 *   opts.filename   CSV download name; no download button when absent
 *   opts.page       rows shown before "Show all" (default 50)
 *   opts.humanize   make column names readable (default true)
 */
export function renderTable(columns, rows, opts = {}) {
  const { currency, caption, filename } = opts;
  const page = opts.page || PAGE;
  let order = rows.map((_, i) => i);
  let sortCol = -1;
  let sortDir = 0; // 1 ascending, -1 descending
  let showAll = rows.length <= page;

  const table = h('table', { class: 'data' });
  if (caption) table.append(h('caption', { class: 'sr-only' }, caption));
  const thead = h('thead');
  const tbody = h('tbody');
  const headRow = h('tr');
  const ths = columns.map((c, ci) => {
    const num = c.type === 'number';
    const label = opts.humanize === false ? c.name : humanize(c.name);
    const btn = h('button', { type: 'button', class: 'sort', title: `Sort by ${label}` }, label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }));
    btn.addEventListener('click', () => sortBy(ci));
    const th = h('th', { scope: 'col', class: num ? 'num' : '' }, btn);
    headRow.append(th);
    return th;
  });
  thead.append(headRow);
  table.append(thead, tbody);

  const more = h('button', { type: 'button', class: 'link more' });
  more.addEventListener('click', () => {
    showAll = true;
    fill();
  });

  function cell(v, c) {
    if (c.type === 'number') {
      const change = isChangeColumn(c.name);
      const td = h('td', { class: 'num' }, formatValue(v, c.unit, { currency, signed: change }));
      if (change && typeof v === 'number' && v !== 0) td.classList.add(v > 0 ? 'pos' : 'neg');
      if (typeof v === 'number') td.title = String(v);
      return td;
    }
    return h('td', null, v === null || v === undefined ? '—' : String(v));
  }

  function fill() {
    tbody.replaceChildren();
    const n = showAll ? order.length : Math.min(page, order.length);
    const frag = document.createDocumentFragment();
    for (let k = 0; k < n; k += 1) {
      const r = rows[order[k]];
      frag.append(h('tr', null, columns.map((c, ci) => cell(r[ci], c))));
    }
    tbody.append(frag);
    more.hidden = showAll;
    more.textContent = `Show all ${rows.length.toLocaleString('en-US')} rows`;
    count.textContent = showAll || rows.length <= page
      ? `${rows.length.toLocaleString('en-US')} row${rows.length === 1 ? '' : 's'}`
      : `${n} of ${rows.length.toLocaleString('en-US')} rows`;
  }

  function sortBy(ci) {
    if (sortCol === ci) sortDir = sortDir === 1 ? -1 : sortDir === -1 ? 0 : 1;
    else {
      sortCol = ci;
      sortDir = columns[ci].type === 'number' ? -1 : 1;
    }
    ths.forEach((th, i) => {
      const mark = th.querySelector('.sort-mark');
      if (i === sortCol && sortDir) {
        th.setAttribute('aria-sort', sortDir === 1 ? 'ascending' : 'descending');
        mark.textContent = sortDir === 1 ? '▲' : '▼';
      } else {
        th.removeAttribute('aria-sort');
        mark.textContent = '';
      }
    });
    order = rows.map((_, i) => i);
    if (sortDir) {
      const num = columns[ci].type === 'number';
      order.sort((a, b) => {
        const x = rows[a][ci];
        const y = rows[b][ci];
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        const d = num ? x - y : String(x).localeCompare(String(y), 'en', { numeric: true });
        return d * sortDir;
      });
    }
    fill();
  }

  const count = h('span', { class: 'table-count' });
  const tools = h('div', { class: 'table-tools' }, count);
  if (filename) {
    const dl = h('button', { type: 'button', class: 'ghost small', title: 'Download the table as CSV' }, icon('download'), 'CSV');
    dl.addEventListener('click', () => download(filename, toCsv(columns, rows)));
    tools.append(dl);
  }
  const scroller = h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption || 'Table' }, table);
  const block = h('div', { class: 'table-block' }, scroller, h('div', { class: 'table-foot' }, more, tools));
  fill();
  return block;
}
