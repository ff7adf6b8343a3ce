// The JSON API client. All calls are same-origin. When the server answers
// 401 the page asks for an API key once (one dialog for all waiting calls),
// keeps it in sessionStorage and sends it as "Authorization: Bearer KEY".

const KEY_STORE = 'ria.apiKey';

/** An API failure with a message fit to show a person. */
export class ApiError extends Error {
  constructor(message, status = 0, body = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

function storedKey() {
  try {
    return sessionStorage.getItem(KEY_STORE) || '';
  } catch {
    return '';
  }
}

function storeKey(k) {
  try {
    if (k) sessionStorage.setItem(KEY_STORE, k);
    else sessionStorage.removeItem(KEY_STORE);
  } catch {
    /* storage disabled: the key lives for this call only */
  }
}

let pendingPrompt = null;

/** Shows the key dialog; resolves to true when a key was entered. */
function askForKey(rejected) {
  if (pendingPrompt) return pendingPrompt;
  const dialog = document.getElementById('key-dialog');
  const form = document.getElementById('key-form');
  const input = document.getElementById('key-input');
  const note = document.getElementById('key-note');
  if (!dialog || !form || !input) return Promise.resolve(false);
  note.textContent = rejected
    ? 'That key was not accepted. Enter a valid API key.'
    : 'This server needs an API key. It is kept for this browser tab only.';
  input.value = '';
  pendingPrompt = new Promise((resolve) => {
    const done = (ok) => {
      form.removeEventListener('submit', onSubmit);
      dialog.removeEventListener('close', onClose);
      if (dialog.open) dialog.close();
      pendingPrompt = null;
      resolve(ok);
    };
    const onSubmit = (e) => {
      e.preventDefault();
      const k = input.value.trim();
      if (!k) {
        input.focus();
        return;
      }
      storeKey(k);
      done(true);
    };
    const onClose = () => done(Boolean(storedKey()));
    const cancel = document.getElementById('key-cancel');
    if (cancel) cancel.onclick = () => dialog.close();
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('close', onClose);
    dialog.showModal();
    input.focus();
  });
  return pendingPrompt;
}

function authHeaders(extra = {}) {
  const h = { Accept: 'application/json', ...extra };
  const k = storedKey();
  if (k) h.Authorization = `Bearer ${k}`;
  return h;
}

function errorMessage(res, body) {
  if (body && typeof body === 'object') {
    const e = body.error;
    if (typeof e === 'string' && e) return e;
    if (e && typeof e.message === 'string') return e.message;
    if (typeof body.message === 'string' && body.message) return body.message;
  }
  return `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`;
}

/**
 * Sends a request and returns the parsed JSON body.
 *   opts.method  GET (default) or POST
 *   opts.json    an object sent as a JSON body
 *   opts.body    a raw body (a File for uploads) with opts.type
 *   opts.signal  an AbortSignal
 * Throws ApiError (network, HTTP status, non-JSON body) or AbortError.
 */
export async function api(path, opts = {}) {
  const { method = 'GET', json, body, type, signal } = opts;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const hadKey = Boolean(storedKey());
    const extra = {};
    let payload = body;
    if (json !== undefined) {
      payload = JSON.stringify(json);
      extra['Content-Type'] = 'application/json';
    } else if (type) {
      extra['Content-Type'] = type;
    }
    let res;
    try {
      res = await fetch(path, { method, body: payload, headers: authHeaders(extra), signal, credentials: 'same-origin' });
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw new ApiError('Could not reach the server. Check that ria serve is running, then try again.', 0);
    }
    if (res.status === 401) {
      if (hadKey) storeKey('');
      const ok = await askForKey(hadKey);
      if (!ok) throw new ApiError('This server needs an API key.', 401);
      continue;
    }
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!res.ok) throw new ApiError(errorMessage(res, data), res.status, data);
    if (data === null || typeof data !== 'object') {
      throw new ApiError('The server sent an answer the page could not read (not JSON).', res.status);
    }
    return data;
  }
  throw new ApiError('This server needs an API key.', 401);
}

/** Builds "path?k=v&..." leaving out empty values. */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * Follows a task's Server-Sent Events (read with fetch, so the API key
 * header goes along), calling onProgress({state, progress, message}) and
 * resolving to the final task object. Falls back to polling GET
 * /api/tasks/{id} when the stream fails or ends early.
 */
export async function followTask(id, onProgress, signal) {
  const base = `/api/tasks/${encodeURIComponent(id)}`;
  try {
    const res = await fetch(`${base}/events`, { headers: authHeaders({ Accept: 'text/event-stream' }), signal, credentials: 'same-origin' });
    if (res.ok && res.body && (res.headers.get('Content-Type') || '').includes('text/event-stream')) {
      const reader = res.body.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let event = 'message';
          const data = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (!data.length) continue;
          let obj;
          try {
            obj = JSON.parse(data.join('\n'));
          } catch {
            continue;
          }
          if (event === 'done') {
            reader.cancel().catch(() => {});
            // a large result is left out of the event: fetch the task
            if (obj && obj.result === undefined && !obj.error && obj.state !== 'cancelled') return api(base, { signal });
            return obj;
          }
          if (event === 'progress' || event === 'message') onProgress(obj);
        }
      }
    }
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    /* fall through to polling */
  }
  for (;;) {
    const t = await api(base, { signal });
    if (['done', 'failed', 'error', 'cancelled'].includes(t.state)) return t;
    onProgress(t);
    await new Promise((r) => setTimeout(r, 500));
  }
}
