// Small helpers of the Weft dashboard: DOM building, API calls, formatting. Plain ES module, no dependencies.

export const TOKEN_KEY = 'weft-token';

/** An element with attributes (null/false values skipped) and children (strings become text). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** An SVG element. */
export function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(f) { onUnauthorized = f; }

/**
 * Every API call: relative URL, the token (when the user gave one) as a bearer header, writes as JSON (which
 * other sites' pages cannot send), a timeout. A 401 asks for the token.
 */
export async function api(url, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers['Authorization'] = 'Bearer ' + token;
  if (options.method && options.method !== 'GET') headers['Content-Type'] = 'application/json';
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeout || 10000);
  try {
    const r = await fetch(url, Object.assign({}, options, {headers, signal: abort.signal}));
    if (r.status === 401) onUnauthorized('this server needs its token');
    return r;
  } finally {
    clearTimeout(timer);
  }
}

/** GET as JSON; null when the server answers an error. */
export async function getJson(url, options) {
  const r = await api(url, options);
  if (!r.ok) return null;
  return r.json();
}

let errorBox = null;
export function setErrorBox(box) { errorBox = box; }

/** Shows a message in the page's error line (empty: hides it). */
export function showError(text) {
  if (!errorBox) return;
  errorBox.textContent = text || '';
  errorBox.hidden = !text;
}

/** A write; shows the server's error message when it refuses. Returns the answer's JSON, or null. */
export async function write(method, url, body = {}) {
  let r;
  try {
    r = await api(url, {method, body: JSON.stringify(body)});
  } catch (e) {
    showError('the server did not answer: ' + e.message);
    return null;
  }
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) {
    if (r.status !== 401) showError(`${r.status}: ${answer.error || r.statusText}`);
    return null;
  }
  showError('');
  return answer;
}

export const post = (url, body) => write('POST', url, body);

// ---- states ----

/** Every job state: its label and icon, so that state is never told by colour alone. */
export const STATES = {
  QUEUED: {label: 'queued', icon: '○'},
  RUNNING: {label: 'running', icon: '▶'},
  SUCCEEDED: {label: 'succeeded', icon: '✓'},
  FAILED: {label: 'failed', icon: '✕'},
  CANCELLED: {label: 'cancelled', icon: '⊘'},
  TIMED_OUT: {label: 'timed out', icon: '◷'},
};

export const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];
export const isTerminal = (state) => TERMINAL.includes(state);

/** A state badge: icon and label, coloured by state. */
export function badge(state) {
  const m = STATES[state] || {label: String(state).toLowerCase(), icon: '•'};
  return el('span', {class: 'badge s-' + state, 'data-state': state},
    el('span', {class: 'icon', 'aria-hidden': 'true'}, m.icon), ' ' + m.label);
}

// ---- formatting ----

/** Milliseconds of an ISO-8601 duration as Jackson writes it (PT1M2.5S, P1DT2H), or null. */
export function durationMs(iso) {
  if (!iso) return null;
  const m = /^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?$/.exec(iso);
  if (!m) return null;
  const ms = (((+(m[2] || 0) * 24 + +(m[3] || 0)) * 60 + +(m[4] || 0)) * 60 + +(m[5] || 0)) * 1000;
  return m[1] ? -ms : ms;
}

/** A short human duration: 850 ms, 12.3 s, 4 min 05 s, 2 h 03 min, 3 d 4 h. */
export function human(ms) {
  if (ms === null || ms === undefined || !isFinite(ms)) return '—';
  if (ms < 0) ms = 0;
  if (ms < 1000) return Math.round(ms) + ' ms';
  const s = ms / 1000;
  if (s < 60) return (s < 10 ? s.toFixed(1) : Math.round(s)) + ' s';
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${String(min % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A clock time, with the date when it is not today. */
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  const t = d.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit', second: '2-digit'});
  return today ? t : d.toLocaleDateString() + ' ' + t;
}

/** How long a job has run (or ran): start to finish, or to now. */
export function elapsedMs(job, now = Date.now()) {
  if (!job.startedAt) return null;
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
  return end - Date.parse(job.startedAt);
}

export function rate(p) {
  if (!p || p.rate === null || p.rate === undefined || (p.rate === 0 && !p.done)) return '—';
  const r = p.rate;
  return (r >= 100 ? Math.round(r) : r >= 10 ? r.toFixed(1) : r.toFixed(2)) + '/s';
}

export const shortId = (id) => id.length > 13 ? '…' + id.slice(-12) : id;

export function pct(f) { return Math.floor((f || 0) * 100) + '%'; }

/**
 * A job's progress: "queued" while it waits (never 0/0), else a bar with done/total; a bar without a total is
 * indeterminate.
 */
export function progressView(job) {
  const p = job.progress;
  if (job.state === 'QUEUED') return el('span', {class: 'muted'}, 'queued');
  if (!p) return el('span', {class: 'muted'}, job.state === 'RUNNING' ? 'starting…' : '—');
  const bar = el('progress', {class: 'bar', max: '1'});
  if (p.total > 0 || isTerminal(job.state)) bar.value = p.fraction || 0;
  const label = p.total > 0 ? `${p.done.toLocaleString()}/${p.total.toLocaleString()} · ${pct(p.fraction)}`
    : (p.done > 0 ? `${p.done.toLocaleString()} done` : '');
  return el('span', {class: 'prog'}, bar, el('span', {class: 'counts'}, label));
}
