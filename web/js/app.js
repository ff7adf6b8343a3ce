// The page's entry point: the three views (Ask, Summary, Data) switched by
// the URL hash, keyboard shortcuts, and the data-version badge.

import { api } from './api.js';
import { focusAsk, initAsk } from './ask.js';
import { initData, showData } from './data.js';
import { formatCount } from './format.js';
import { initSummary, showSummary } from './summary.js';

const VIEWS = ['ask', 'summary', 'data'];

function currentView() {
  const v = (location.hash || '').replace(/^#\/?/, '');
  return VIEWS.includes(v) ? v : 'ask';
}

function showView(name, { focus = false } = {}) {
  for (const v of VIEWS) {
    const section = document.getElementById(`view-${v}`);
    const link = document.querySelector(`.tabs a[data-view="${v}"]`);
    const on = v === name;
    section.hidden = !on;
    if (on) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.body.dataset.view = name;
  document.title = `${{ ask: 'Ask', summary: 'Summary', data: 'Data' }[name]} · ria`;
  if (name === 'summary') showSummary();
  if (name === 'data') showData();
  if (focus) {
    const h1 = document.querySelector(`#view-${name} h1`);
    if (name === 'ask') focusAsk();
    else if (h1) h1.focus({ preventScroll: false });
  }
}

async function refreshBadge() {
  const badge = document.getElementById('dataset');
  try {
    const s = await api('/api/schema');
    badge.textContent = `Data v${s.version ?? '—'} · ${formatCount(s.rows)} rows`;
    badge.title = `The store is at version ${s.version}, with ${formatCount(s.rows)} rows.`;
    badge.hidden = false;
  } catch {
    badge.hidden = true;
  }
}

function isTyping(el) {
  if (!el) return false;
  const tag = el.tagName;
  return el.isContentEditable || tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}

function init() {
  initAsk();
  initSummary();
  initData();
  window.addEventListener('hashchange', () => showView(currentView(), { focus: true }));
  document.addEventListener('keydown', (e) => {
    if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !isTyping(document.activeElement) && !document.querySelector('dialog[open]')) {
      e.preventDefault();
      if (currentView() !== 'ask') location.hash = '#ask';
      showView('ask');
      focusAsk();
    }
  });
  document.addEventListener('ria:data-changed', refreshBadge);
  showView(currentView());
  if (currentView() === 'ask') focusAsk();
  refreshBadge();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
