// The Ask view: the conversation thread, the ask box with suggestions as
// you type, example questions on an empty thread, and "New conversation".
// Follow-ups work because every ask sends the session id that the server
// returned with the first answer.

import { api, ApiError } from './api.js';
import { renderAnswer, renderError, renderPending } from './answer.js';
import { destroyCharts } from './charts.js';
import { announce, clear, h, icon } from './dom.js';

const state = {
  session: null, // the conversation id from the server, null before the first answer
  currency: null, // the last answer's currency (for the summary view)
  busy: 0,
  count: 0, // answers shown, to name each card uniquely
  generation: 0, // bumped by "New conversation": late answers of the old one are dropped
  queue: Promise.resolve(), // settles when the last question sent has its answer
};

let els = {};

/** The currency of the amounts, as learnt from an answer (or null). */
export function knownCurrency() {
  return state.currency;
}

// -- examples ------------------------------------------------------------------

async function loadExamples() {
  const box = els.examples;
  try {
    const res = await api('/api/examples');
    const list = (res.examples || []).filter((q) => typeof q === 'string' && q.trim());
    clear(box);
    if (!list.length) {
      box.append(h('p', { class: 'muted' }, 'Type a question below, e.g. "revenue by category last year".'));
      return;
    }
    for (const q of list) {
      const b = h('button', { type: 'button', class: 'example' }, q);
      b.addEventListener('click', () => ask(q));
      box.append(h('li', null, b));
    }
  } catch (e) {
    clear(box);
    box.append(h('p', { class: 'muted' }, `Examples are not available (${e.message}). Type a question below.`));
  }
}

// -- the thread ----------------------------------------------------------------

function showWelcome(show) {
  els.welcome.hidden = !show;
}

function scrollIntoViewTop(el) {
  const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  el.scrollIntoView({ behavior: reduce ? 'auto' : 'smooth', block: 'start' });
}

/** Asks a question in the current conversation and appends the turn. */
export async function ask(question) {
  const q = (question || '').trim();
  if (!q) return;
  hideSuggestions();
  els.input.value = '';
  showWelcome(false);
  const bubble = h('div', { class: 'q-bubble' }, h('span', { class: 'sr-only' }, 'You asked: '), q);
  const slot = h('div', { class: 'a-slot' }, renderPending());
  const turn = h('article', { class: 'turn' }, bubble, slot);
  els.turns.append(turn);
  scrollIntoViewTop(turn);
  state.busy += 1;
  els.thread.setAttribute('aria-busy', 'true');
  // questions are sent one after the other, so a follow-up typed before the
  // previous answer arrived still carries the session that answer set
  const gen = state.generation;
  const previous = state.queue;
  let release;
  state.queue = new Promise((r) => { release = r; });
  try {
    await previous;
    if (gen !== state.generation) return; // "New conversation" was pressed meanwhile
    const body = { question: q };
    if (state.session) body.session = state.session;
    const answer = await api('/api/ask', { method: 'POST', json: body });
    if (gen !== state.generation) return;
    if (answer.session) state.session = String(answer.session);
    if (answer.interpretation?.currency) state.currency = answer.interpretation.currency;
    state.count += 1;
    const card = renderAnswer(answer, { question: q, session: () => state.session, ask, currency: state.currency, index: state.count });
    slot.replaceChildren(card);
    announce(answer.text || 'Answer received.');
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError(String(e && e.message ? e.message : e));
    slot.replaceChildren(renderError(err, () => {
      destroyCharts(turn);
      turn.remove();
      ask(q);
    }));
    announce(`Could not get an answer. ${err.message}`);
  } finally {
    release();
    state.busy -= 1;
    if (!state.busy) els.thread.removeAttribute('aria-busy');
  }
  if (turn.isConnected) scrollIntoViewTop(turn);
}

/** Clears the thread and forgets the conversation. */
export function newConversation() {
  destroyCharts(els.turns);
  clear(els.turns);
  state.session = null;
  state.generation += 1;
  state.queue = Promise.resolve();
  showWelcome(true);
  els.input.value = '';
  hideSuggestions();
  els.input.focus();
  announce('New conversation.');
}

// -- suggestions (a combobox with a listbox) --------------------------------

let sugg = { items: [], active: -1, timer: 0, ctrl: null };

function hideSuggestions() {
  clearTimeout(sugg.timer);
  if (sugg.ctrl) sugg.ctrl.abort();
  sugg = { items: [], active: -1, timer: 0, ctrl: null };
  els.list.hidden = true;
  clear(els.list);
  els.input.setAttribute('aria-expanded', 'false');
  els.input.removeAttribute('aria-activedescendant');
}

function renderSuggestions(items) {
  clear(els.list);
  sugg.items = items;
  sugg.active = -1;
  els.input.removeAttribute('aria-activedescendant');
  if (!items.length) {
    els.list.hidden = true;
    els.input.setAttribute('aria-expanded', 'false');
    return;
  }
  const typed = els.input.value;
  items.forEach((text, i) => {
    // the typed part plain, the completion in bold
    const same = text.toLowerCase().startsWith(typed.toLowerCase()) && typed.length < text.length;
    const content = same ? [text.slice(0, typed.length), h('strong', null, text.slice(typed.length))] : [text];
    const li = h('li', { id: `sugg-${i}`, role: 'option', 'aria-selected': 'false', class: 'sugg' }, content);
    // mousedown keeps the focus in the input
    li.addEventListener('mousedown', (e) => e.preventDefault());
    li.addEventListener('click', () => pick(i));
    els.list.append(li);
  });
  els.list.hidden = false;
  els.input.setAttribute('aria-expanded', 'true');
}

function setActive(i) {
  const n = sugg.items.length;
  if (!n) return;
  sugg.active = (i + n) % n;
  [...els.list.children].forEach((li, k) => {
    const on = k === sugg.active;
    li.setAttribute('aria-selected', String(on));
    li.classList.toggle('active', on);
    if (on) li.scrollIntoView({ block: 'nearest' });
  });
  els.input.setAttribute('aria-activedescendant', `sugg-${sugg.active}`);
}

function pick(i) {
  const text = sugg.items[i];
  if (text === undefined) return;
  els.input.value = text;
  hideSuggestions();
  els.input.focus();
  els.input.setSelectionRange(text.length, text.length);
}

function requestSuggestions() {
  clearTimeout(sugg.timer);
  const q = els.input.value;
  if (!q.trim()) {
    hideSuggestions();
    return;
  }
  sugg.timer = setTimeout(async () => {
    if (sugg.ctrl) sugg.ctrl.abort();
    const ctrl = new AbortController();
    sugg.ctrl = ctrl;
    try {
      const res = await api(`/api/suggestions?q=${encodeURIComponent(q)}`, { signal: ctrl.signal });
      if (ctrl.signal.aborted || els.input.value !== q || document.activeElement !== els.input) return;
      const items = (res.suggestions || []).filter((s) => typeof s === 'string' && s.trim() && s.trim().toLowerCase() !== q.trim().toLowerCase()).slice(0, 8);
      renderSuggestions(items);
    } catch {
      /* suggestions are a convenience: stay quiet */
    }
  }, 120);
}

function onKeyDown(e) {
  const open = !els.list.hidden && sugg.items.length > 0;
  if (e.key === 'ArrowDown' && open) {
    e.preventDefault();
    setActive(sugg.active + 1);
  } else if (e.key === 'ArrowUp' && open) {
    e.preventDefault();
    setActive(sugg.active - 1);
  } else if (e.key === 'Tab' && open && sugg.active >= 0 && !e.shiftKey) {
    e.preventDefault();
    pick(sugg.active);
  } else if (e.key === 'Enter' && open && sugg.active >= 0) {
    e.preventDefault();
    pick(sugg.active);
  } else if (e.key === 'Escape') {
    if (open) {
      e.preventDefault();
      e.stopPropagation();
      hideSuggestions();
    } else if (els.input.value) {
      e.preventDefault();
      els.input.value = '';
    }
  }
}

/** Wires the view; call once. */
export function initAsk() {
  els = {
    thread: document.getElementById('thread'),
    turns: document.getElementById('turns'),
    welcome: document.getElementById('welcome'),
    examples: document.getElementById('examples'),
    form: document.getElementById('ask-form'),
    input: document.getElementById('ask-input'),
    list: document.getElementById('ask-suggestions'),
    reset: document.getElementById('new-conversation'),
  };
  els.form.addEventListener('submit', (e) => {
    e.preventDefault();
    ask(els.input.value);
  });
  els.input.addEventListener('input', requestSuggestions);
  els.input.addEventListener('keydown', onKeyDown);
  els.input.addEventListener('blur', () => setTimeout(hideSuggestions, 100));
  els.reset.addEventListener('click', newConversation);
  els.reset.prepend(icon('plus'));
  const narrow = window.matchMedia('(max-width: 600px)');
  const placeholder = () => {
    els.input.placeholder = narrow.matches ? 'Ask about your sales…' : 'Ask a question, e.g. top 5 states by revenue last quarter';
  };
  placeholder();
  narrow.addEventListener('change', placeholder);
  loadExamples();
}

/** Focuses the ask box. */
export function focusAsk() {
  els.input.focus();
  els.input.select();
}
