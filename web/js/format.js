// Number and label formatting by unit (money, count, ratio, number), in the
// same style as the server's sentences (en-US separators, money with two
// decimals and the currency, ratios as percentages).

const LOCALE = 'en-US';
const cache = new Map();

function nf(key, opts) {
  let f = cache.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(LOCALE, opts);
    } catch {
      // an unknown currency code: plain numbers, the code is added by money()
      f = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: opts.minimumFractionDigits, maximumFractionDigits: opts.maximumFractionDigits, notation: opts.notation });
      f.fallback = true;
    }
    cache.set(key, f);
  }
  return f;
}

function isNum(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

function money(v, currency, { compact = false, cents = true, digits: cd = 1 } = {}) {
  const c = currency || 'USD';
  const digits = compact ? cd : (cents ? 2 : 0);
  const opts = compact
    ? { style: 'currency', currency: c, notation: 'compact', maximumFractionDigits: digits }
    : { style: 'currency', currency: c, minimumFractionDigits: digits, maximumFractionDigits: digits };
  const f = nf(`m|${c}|${compact}|${digits}`, opts);
  const s = f.format(v);
  return f.fallback ? `${s} ${c}` : s;
}

/**
 * Formats a value by its unit.
 *   unit: 'money' | 'count' | 'ratio' | 'number' | null
 *   opts.currency: ISO code for money (default USD)
 *   opts.compact: short form for axes and tiles ($1.2M, 12.3K)
 *   opts.signed: a leading + on positive values (changes)
 *   opts.cents: false drops the decimals of money
 *   opts.digits: decimals of the compact form (default 1)
 */
export function formatValue(v, unit, opts = {}) {
  if (v === null || v === undefined || v === '') return '—';
  if (!isNum(v)) return String(v);
  const { currency, compact = false, signed = false } = opts;
  let s;
  switch (unit) {
    case 'money':
      s = money(v, currency, { compact, cents: opts.cents !== false, digits: opts.digits ?? 1 });
      break;
    case 'ratio': {
      const pct = v * 100;
      const digits = compact && Math.abs(pct) >= 100 ? 0 : 1;
      s = nf(`r|${digits}`, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(pct) + '%';
      break;
    }
    case 'count':
      s = compact && Math.abs(v) >= 10000
        ? nf(`cc|${opts.digits ?? 1}`, { notation: 'compact', maximumFractionDigits: opts.digits ?? 1 }).format(v)
        : nf(`c|${Number.isInteger(v)}`, { maximumFractionDigits: Number.isInteger(v) ? 0 : 2 }).format(v);
      break;
    default:
      s = compact && Math.abs(v) >= 10000
        ? nf('nc', { notation: 'compact', maximumFractionDigits: 1 }).format(v)
        : nf('n', { maximumFractionDigits: Math.abs(v) < 1 && v !== 0 ? 4 : 2 }).format(v);
  }
  if (signed && v > 0) s = '+' + s;
  return s;
}

/** Plain count with separators (for data-quality numbers). */
export function formatCount(v) {
  return isNum(v) ? nf('c|true', { maximumFractionDigits: 0 }).format(v) : '—';
}

/** Bytes as B / KB / MB / GB. */
export function formatBytes(n) {
  if (!isNum(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** Milliseconds as "0.73 ms", "41 ms", "1.2 s". */
export function formatMs(ms) {
  if (!isNum(ms)) return '';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A time bucket label made readable for charts: "2024-03" -> "Mar 2024",
 * "2024-Q1" -> "Q1 2024", "2024-03-15" -> "Mar 15, 2024". Others unchanged.
 */
export function formatBucket(s) {
  if (typeof s !== 'string') return s == null ? '' : String(s);
  let m = /^(\d{4})-(\d{2})$/.exec(s);
  if (m) return `${MONTHS[+m[2] - 1] || m[2]} ${m[1]}`;
  m = /^(\d{4})-Q([1-4])$/.exec(s);
  if (m) return `Q${m[2]} ${m[1]}`;
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m) return `${MONTHS[+m[2] - 1] || m[2]} ${+m[3]}, ${m[1]}`;
  return s;
}

/** A date-time from the server (ISO string or Unix seconds) as "2024-12-30 14:05 UTC". */
export function formatTime(t) {
  if (t === null || t === undefined || t === '') return '—';
  // "YYYY-MM-DD HH:MM:SS" without a zone is UTC already (the store's clock)
  const m = typeof t === 'string' && /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2}(\.\d+)?)?$/.exec(t);
  if (m) return `${m[1]} ${m[2]} UTC`;
  const d = typeof t === 'number' ? new Date(t * 1000) : new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** "sub_category" -> "Sub category"; names that already read well are kept. */
const ABBREVIATIONS = new Set(['aov', 'asp', 'gmv', 'sku', 'id', 'yoy', 'mom', 'wow', 'ytd', 'mtd', 'qtd']);

export function humanize(name) {
  if (typeof name !== 'string' || !name) return '';
  const s = name.replace(/_/g, ' ').replace(/\b[a-z]+\b/g, (w) => (ABBREVIATIONS.has(w) ? w.toUpperCase() : w));
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The text with its first letter in upper case ("read 40 rows" -> "Read 40 rows"). */
export function sentence(s) {
  const t = String(s || '');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** Is this number column a change (growth, change, difference, slope)? */
export function isChangeColumn(name) {
  return /^(growth|change|difference|diff|slope)/i.test(name || '');
}
