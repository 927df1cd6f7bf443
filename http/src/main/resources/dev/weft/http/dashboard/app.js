// The Weft dashboard: a plain ES module, no build. Jobs arrive over server-sent events (api/events); the scope
// tree is polled from api/scopes. Every URL is relative, so the page works wherever the API is mounted (/ or
// /weft/). When the server has a token, the page asks for it, keeps it in session storage, sends it on every
// request and logs in (POST api/login) for the cookie that the event stream carries. An extension.js next to
// the page (an application's own, served by JobApi's staticResources) is imported and handed this module's API.

const TOKEN_KEY = 'weft-token';

const jobs = new Map();          // id -> latest record
const rows = new Map();          // id -> <tr>
const tbody = document.querySelector('#jobs tbody');

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function terminal(state) {
  return ['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT'].includes(state);
}

function render(job) {
  const prev = jobs.get(job.id);
  // events of one job arrive in order, but the initial page load may race them: keep the newest snapshot
  if (prev && terminal(prev.state) && !terminal(job.state)) return;
  jobs.set(job.id, job);
  let tr = rows.get(job.id);
  if (!tr) {
    tr = el('tr', {'data-job-id': job.id, 'data-name': job.name});
    tr.append(el('td', {}, job.id), el('td', {}, job.name), el('td', {class: 'st'}), el('td', {class: 'pr'}),
      el('td', {class: 'msg'}), el('td', {class: 'outcome'}), el('td', {class: 'act'}));
    const btn = el('button', {type: 'button', class: 'cancel'}, 'cancel');
    btn.addEventListener('click', () => cancel(job.id));
    tr.querySelector('.act').append(btn);
    const bar = el('progress', {class: 'bar', max: '1', value: '0'});
    tr.querySelector('.pr').append(bar, el('span', {class: 'counts'}));
    rows.set(job.id, tr);
    tbody.prepend(tr);
  }
  tr.dataset.state = job.state;
  tr.querySelector('.st').replaceChildren(el('span', {class: 'state ' + job.state}, job.state));
  const p = job.progress || {};
  const bar = tr.querySelector('.bar');
  // The fraction is the work done, whatever the job's state: a job that failed at 3 of 100 shows 3%.
  bar.value = p.fraction || 0;
  tr.querySelector('.counts').textContent = ` ${p.done ?? 0}/${p.total ?? 0}` +
    (job.attempt > 1 ? ` (attempt ${job.attempt}/${job.maxAttempts})` : '');
  tr.querySelector('.msg').textContent = [p.step, p.message].filter(Boolean).join(' · ');
  let outcome = '';
  if (job.error) outcome = `${job.error.type}: ${job.error.message ?? ''}`;
  if (job.cancellationReason) outcome += (outcome ? ' — ' : '') + `${job.cancellationReason.kind}: ${job.cancellationReason.detail}`;
  if (job.state === 'SUCCEEDED' && job.result) outcome = '→ ' + job.result;
  tr.querySelector('.outcome').textContent = outcome;
  tr.querySelector('.cancel').disabled = terminal(job.state);
}

// Every API call: the token (when the user gave one) as a bearer header; writes as JSON, which other sites'
// pages cannot send. A 401 asks for the token.
async function api(url, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers['Authorization'] = 'Bearer ' + token;
  if (options.method && options.method !== 'GET') headers['Content-Type'] = 'application/json';
  const r = await fetch(url, Object.assign({}, options, {headers}));
  if (r.status === 401) showLogin('this server needs its token');
  return r;
}

async function post(url, body = {}) {
  const r = await api(url, {method: 'POST', body: JSON.stringify(body)});
  const answer = await r.json().catch(() => ({}));
  if (!r.ok && r.status !== 401) showError(`${r.status}: ${answer.error || r.statusText}`);
  return answer;
}

function showError(text) {
  document.getElementById('error').textContent = text;
}

function showLogin(why) {
  const form = document.getElementById('login');
  form.hidden = false;
  document.getElementById('login-why').textContent = why;
  document.getElementById('conn').textContent = 'needs token';
  document.getElementById('conn').className = 'conn';
}

// Trades the token for the session cookie that the event stream (EventSource sends no headers) carries.
async function login(token) {
  const r = await fetch('api/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({token})});
  return r.ok;
}

document.getElementById('login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const token = document.getElementById('token').value;
  if (await login(token)) {
    sessionStorage.setItem(TOKEN_KEY, token);
    document.getElementById('login').hidden = true;
    boot();
  } else {
    showLogin('wrong token');
  }
});

async function cancel(id) {
  const r = await post(`api/jobs/${encodeURIComponent(id)}/cancel`, {reason: 'cancelled from the dashboard'});
  if (r && r.job) render(r.job);
}

// The current state of the newest jobs; also what a RESYNC message (events lost to the server's replay log)
// asks for.
async function loadJobs() {
  const r = await api('api/jobs?limit=100');
  if (!r.ok) return;
  const page = await r.json();
  for (const job of page.jobs.slice().reverse()) {
    const prev = jobs.get(job.id);
    if (prev && terminal(prev.state) && terminal(job.state)) continue;
    jobs.delete(job.id);   // the fetched record is newer than any event before the fetch
    render(job);
  }
  document.body.dataset.loads = String(Number(document.body.dataset.loads || 0) + 1);
}

// The event stream. EventSource reconnects by itself after a dropped connection (resuming with Last-Event-ID),
// but gives up for good when the server refuses it (503 at the stream cap, 401): then this reconnects, after
// 1 s, 2 s, 4 s ... up to 30 s, resuming from the last event it saw.
let stream = null;
let lastEventId = '';
let backoff = 1000;

function setConn(text, live) {
  const conn = document.getElementById('conn');
  conn.textContent = text;
  conn.className = live ? 'conn live' : 'conn';
}

function listen() {
  if (stream) stream.close();
  const es = new EventSource('api/events' + (lastEventId ? '?lastEventId=' + encodeURIComponent(lastEventId) : ''));
  stream = es;
  es.onopen = () => {
    backoff = 1000;
    setConn('live', true);
    if (!lastEventId) loadJobs();
  };
  es.onerror = () => {
    if (es.readyState !== EventSource.CLOSED) {
      setConn('reconnecting…', false);
      return;
    }
    es.close();
    const wait = backoff;
    backoff = Math.min(backoff * 2, 30000);
    setConn(`reconnecting in ${Math.round(wait / 1000)} s…`, false);
    setTimeout(async () => {
      const r = await api('api/health').catch(() => null);
      if (r && r.status === 401) return;   // the login form restarts everything
      listen();
    }, wait);
  };
  es.onmessage = (m) => {
    if (m.lastEventId) lastEventId = m.lastEventId;
    const msg = JSON.parse(m.data);
    if (msg.type === 'RESYNC') {
      loadJobs();
      return;
    }
    render(msg.job);
  };
}

function scopeNode(s) {
  const li = el('li');
  const p = s.progress || {};
  const t = s.tasks || {};
  const states = Object.entries(t.byState || {}).map(([k, v]) => `${v} ${k.toLowerCase()}`).join(', ');
  li.append(el('span', {class: 'scope'},
    `${s.path} [${s.state}] ${Math.round((p.fraction || 0) * 100)}% · tasks: ${t.total} (${states})` +
    (s.maxConcurrency ? ` · cap ${s.maxConcurrency}` : '') + (s.remaining ? ` · ${s.remaining} left` : '')));
  if (s.children && s.children.length) {
    const ul = el('ul');
    s.children.forEach(c => ul.append(scopeNode(c)));
    li.append(ul);
  }
  return li;
}

async function pollScopes() {
  try {
    const r = await api('api/scopes');
    if (!r.ok) throw new Error(String(r.status));
    const body = await r.json();
    const box = document.getElementById('scopes');
    if (!body.scopes.length) {
      box.replaceChildren(el('em', {}, 'no running jobs'));
    } else {
      const ul = el('ul');
      body.scopes.forEach(s => ul.append(scopeNode(s)));
      box.replaceChildren(ul);
    }
  } catch (e) { /* server restarting: try again next tick */ }
  setTimeout(pollScopes, 1000);
}

let polling = false;
let extension = null;

// The application's own extension.js, if it serves one: imported once and handed what it may use.
async function loadExtension() {
  if (extension) return;
  extension = import('./extension.js').then(m => m.install({api, post, render, el,
      slot: document.getElementById('extension')}))
    .catch(() => { /* none: nothing to add */ });
  await extension;
}

// For tests and the console: the event stream's controls.
window.weft = {
  closeStream: () => stream && stream.close(),
  resumeFrom: (id) => { lastEventId = id; listen(); },
};

// Starts the page once the server answers: asks for the token first when it needs one. With a token kept in
// session storage from earlier in this tab, logs in again (the cookie may have expired).
async function boot() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token && !(await login(token))) sessionStorage.removeItem(TOKEN_KEY);
  const r = await api('api/health');
  if (r.status === 401) return;
  await loadExtension();
  listen();
  if (!polling) {
    polling = true;
    pollScopes();
  }
}

boot();
