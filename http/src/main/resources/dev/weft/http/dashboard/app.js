// The Weft dashboard: plain ES modules, no build, nothing fetched from elsewhere. Every URL is relative, so the
// page works wherever the API is mounted (/ or /weft/). Views are chosen by the URL's hash (#/, #/jobs?...,
// #/jobs/{id}, #/nodes), so each can be linked and reloaded.
//
// Data: counts from api/health (polled; also the liveness probe), job changes from the event stream
// (api/events), pages of jobs from api/jobs (server-side search, filters and pagination), throughput from
// api/throughput, nodes from api/nodes. "live" is shown only while the stream is open and the server answered
// within its heartbeat interval; after a reconnect everything shown is fetched again, so no row stays RUNNING
// for a job that a restart ended.
//
// When the server has a token, the page asks for it, keeps it in session storage, sends it on every request
// and logs in (POST api/login) for the cookie that the event stream carries. An extension.js served next to the
// page (an application's own, through JobApi's staticResources) is imported and handed a small API.

import {
  el, svg, api, getJson, post, showError, setErrorBox, setUnauthorizedHandler, TOKEN_KEY, STATES, badge,
  isTerminal, durationMs, human, when, elapsedMs, rate, shortId, progressView,
} from './util.js';
import * as detail from './detail.js';

const $ = (sel) => document.querySelector(sel);
const PAGE = 50;
const ORDER = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];

setErrorBox($('#error'));
setUnauthorizedHandler(showLogin);

// ---------------------------------------------------------------- routing

let route = {view: 'overview'};

function parseHash() {
  const h = location.hash.replace(/^#/, '') || '/';
  const [path, query] = h.split('?');
  const params = new URLSearchParams(query || '');
  const m = /^\/jobs\/([^/]+)$/.exec(path);
  if (m) return {view: 'job', id: decodeURIComponent(m[1])};
  if (path === '/jobs') return {view: 'jobs', params};
  if (path === '/nodes') return {view: 'nodes'};
  return {view: 'overview'};
}

function show() {
  route = parseHash();
  for (const v of ['overview', 'jobs', 'job', 'nodes']) $('#view-' + v).hidden = route.view !== v;
  document.querySelectorAll('nav a').forEach(a =>
    a.classList.toggle('active', a.dataset.view === route.view || (route.view === 'job' && a.dataset.view === 'jobs')));
  document.body.dataset.view = route.view;
  if (route.view !== 'job') detail.close();
  refreshView();
}

function refreshView() {
  if (route.view === 'overview') { loadRunning(); loadRecent(); loadThroughput(); }
  if (route.view === 'jobs') loadList();
  if (route.view === 'job') detail.open(route.id, {onJob});
  if (route.view === 'nodes') loadNodes();
}

window.addEventListener('hashchange', show);

// ---------------------------------------------------------------- counts (and the liveness probe)

let counts = null;
let heartbeatMs = 15000;
let lastAnswer = 0;        // when the server last answered anything (health or an event)
let failedProbes = 0;

function renderCounts() {
  const box = $('#counts');
  box.replaceChildren();
  for (const s of ORDER) {
    const n = counts ? counts[s] ?? 0 : null;
    box.append(el('a', {class: 'count s-' + s, 'data-state': s, 'data-count': n ?? '', href: '#/jobs?state=' + s},
      el('span', {class: 'n'}, n === null ? '…' : n.toLocaleString()),
      el('span', {class: 'label'}, el('span', {class: 'icon', 'aria-hidden': 'true'}, STATES[s].icon),
        ' ' + STATES[s].label)));
  }
  renderTabs();
}

async function probe() {
  try {
    const r = await api('api/health', {timeout: Math.max(2000, heartbeatMs / 2)});
    if (r.status === 401) return;
    const h = await r.json();
    lastAnswer = Date.now();
    failedProbes = 0;
    const hb = durationMs(h.heartbeat);
    if (hb) heartbeatMs = hb;
    if (h.counts) { counts = h.counts; renderCounts(); }
    document.body.dataset.health = h.status;
    if (h.status !== 'UP') showError('server ' + h.status + (h.detail ? ': ' + h.detail : ''));
  } catch (e) {
    failedProbes++;
  }
  updateConn();
}

let probeTimer = null;
function scheduleProbes() {
  clearTimeout(probeTimer);
  const every = Math.min(5000, Math.max(1000, heartbeatMs / 3));
  probeTimer = setTimeout(async () => { await probe(); scheduleProbes(); }, every);
}

// Counts and lists follow the events, at most about once a second.
const later = (f, ms) => { let t = null; return () => { if (!t) t = setTimeout(() => { t = null; f(); }, ms); }; };
const soonCounts = later(probe, 500);
const soonList = later(() => { if (route.view === 'jobs') loadList(); }, 1000);
const soonRecent = later(() => { if (route.view === 'overview') loadRecent(); }, 1000);
const soonThroughput = later(() => { if (route.view === 'overview') loadThroughput(); }, 1000);

// ---------------------------------------------------------------- the connection badge

let stream = null;
let lastEventId = '';
let backoff = 1000;
let retryNote = '';

function updateConn() {
  const conn = $('#conn');
  const open = stream && stream.readyState === EventSource.OPEN;
  const fresh = Date.now() - lastAnswer <= heartbeatMs;
  let text, cls;
  if (!open && retryNote) { text = retryNote; cls = 'waiting'; }
  else if (open && fresh) { text = 'live'; cls = 'live'; }
  else if (failedProbes >= 2 || (open && !fresh)) { text = 'server not answering'; cls = 'down'; }
  else { text = 'reconnecting…'; cls = 'waiting'; }
  if (conn.textContent !== text) conn.textContent = text;
  conn.className = 'conn ' + cls;
  document.body.classList.toggle('stale', cls !== 'live');   // what is shown may be out of date
  conn.title = lastAnswer ? 'last answer ' + human(Date.now() - lastAnswer) + ' ago' : '';
}
setInterval(updateConn, 1000);

// ---------------------------------------------------------------- the event stream

function listen() {
  if (stream) stream.close();
  const es = new EventSource('api/events' + (lastEventId ? '?lastEventId=' + encodeURIComponent(lastEventId) : ''));
  stream = es;
  let dropped = false;
  es.onopen = () => {
    backoff = 1000;
    retryNote = '';
    lastAnswer = Date.now();
    updateConn();
    if (dropped || !lastEventId) { probe(); refreshView(); }   // after a reconnect: refetch what is shown
  };
  es.onerror = () => {
    dropped = true;
    if (es.readyState !== EventSource.CLOSED) { updateConn(); return; }   // the browser retries by itself
    es.close();
    // refused (503 at the stream cap, 401): retry after 1 s, 2 s, 4 s ... up to 30 s, resuming
    const wait = backoff;
    backoff = Math.min(backoff * 2, 30000);
    retryNote = `reconnecting in ${Math.round(wait / 1000)} s…`;
    updateConn();
    setTimeout(async () => {
      const r = await api('api/health').catch(() => null);
      if (r && r.status === 401) return;   // the login form restarts everything
      listen();
    }, wait);
  };
  es.onmessage = (m) => {
    if (m.lastEventId) lastEventId = m.lastEventId;
    lastAnswer = Date.now();
    const msg = JSON.parse(m.data);
    if (msg.type === 'RESYNC') { probe(); refreshView(); return; }
    onJob(msg.job, msg.type);
  };
}

// Jobs seen ended or retried: the newest snapshot's [earlier runs, ended]. An older snapshot (an action's answer
// that arrives after the FINISHED event, a page fetched before it, the ended run of a job retried since) must not
// bring back what it shows.
const seen = new Map();

/** A job changed (an event, or an answer to an action): update every place that shows it. */
function onJob(job, type) {
  const runs = (job.earlierRuns || []).length, done = isTerminal(job.state);
  const s = seen.get(job.id);
  if (s && (runs < s[0] || (runs === s[0] && s[1] && !done))) return;
  if (done || runs) {
    seen.set(job.id, [runs, done]);
    if (seen.size > 50000) seen.clear();
  }
  updateRunning(job);
  for (const table of ['#jobs', '#recent']) {
    const tr = document.querySelector(`${table} tr.job[data-id="${CSS.escape(job.id)}"]`);
    if (tr) tr.replaceWith(jobRow(job));
  }
  detail.event(job);
  if (type !== 'PROGRESS') {
    soonCounts(); soonList(); soonRecent();
    if (type === 'FINISHED') soonThroughput();
  }
}

// ---------------------------------------------------------------- job rows (list and recent)

const COLUMNS = [
  ['state', 'State', '8.5rem'], ['name', 'Name', ''], ['id', 'Id', '8.5rem'], ['submitted', 'Submitted', '6.5rem'],
  ['duration', 'Duration', '7rem'], ['progress', 'Progress', '16rem'], ['outcome', 'Outcome', '']];

function tableHead(table) {
  const cols = table.querySelector('colgroup');
  if (cols.children.length) return;
  COLUMNS.forEach(([k, , w]) => cols.append(el('col', {class: 'c-' + k, style: w ? `width:${w}` : null})));
  table.querySelector('thead').append(el('tr', {}, COLUMNS.map(([k, label]) => el('th', {class: 'c-' + k}, label))));
}

function duration(job) {
  if (job.state === 'QUEUED') return el('span', {class: 'muted'}, 'waiting ' + human(Date.now() - Date.parse(job.submittedAt)));
  return el('span', {class: job.finishedAt ? '' : 'ticking', 'data-started': job.startedAt || ''},
    human(elapsedMs(job)));
}

/** What a job ended with, in words; a running retry's earlier failure is not an outcome yet. */
function outcome(job) {
  if (job.state === 'SUCCEEDED') {
    return el('span', {class: 'ok'}, job.result === null || job.result === 'null' ? 'done' : '→ ' + job.result);
  }
  if (job.state === 'CANCELLED' && job.cancellationReason) {
    return el('span', {}, `${job.cancellationReason.kind.toLowerCase()}: ${job.cancellationReason.detail}`);
  }
  if (job.state === 'TIMED_OUT' && job.cancellationReason) {
    return el('span', {class: 'bad'}, 'timed out: ' + job.cancellationReason.detail);
  }
  if ((job.state === 'FAILED' || job.state === 'TIMED_OUT') && job.error) {
    return el('span', {class: 'bad'}, rootCause(job.error));
  }
  if (job.state === 'RUNNING' && job.error) {
    return el('span', {class: 'muted'}, `attempt ${job.attempt - 1} failed, retrying (${job.attempt}/${job.maxAttempts})`);
  }
  const earlier = job.earlierRuns || [];
  if (!isTerminal(job.state) && earlier.length) {
    // a retried job: how its last run ended is history, shown in grey, never as this run's outcome
    const last = earlier[earlier.length - 1];
    return el('span', {class: 'muted'}, `retried after attempt ${last.lastAttempt} ended ${last.state}`);
  }
  const p = job.progress;
  return el('span', {class: 'muted'}, p ? [p.step, p.message].filter(Boolean).join(' · ') : '');
}

/** The innermost "SomeException: message" of an error's text, which says more than a wrapper's class name. */
function rootCause(error) {
  const text = `${error.type}: ${error.message ?? ''}`;
  const m = /(?:^|[\s.])([\w$]+(?:Exception|Error)): ((?:(?![\w$]+(?:Exception|Error): ).)*)$/.exec(text);
  return m ? `${m[1]}: ${m[2]}` : text.replace(/^[\w.$]*\./, '');
}

function withTitle(td) {
  td.title = td.textContent;
  return td;
}

function jobRow(job) {
  const link = '#/jobs/' + encodeURIComponent(job.id);
  return el('tr', {class: 'job', 'data-id': job.id, 'data-name': job.name, 'data-state': job.state},
    el('td', {class: 'c-state'}, badge(job.state)),
    el('td', {class: 'c-name'}, el('a', {href: link, class: 'name'}, job.name),
      job.key ? el('span', {class: 'key'}, ' ' + job.key) : null),
    el('td', {class: 'c-id mono', title: job.id}, shortId(job.id)),
    el('td', {class: 'c-submitted'}, when(job.submittedAt)),
    el('td', {class: 'c-duration num'}, duration(job)),
    el('td', {class: 'c-progress'}, progressView(job)),
    withTitle(el('td', {class: 'c-outcome outcome'}, outcome(job))));
}

function fillTable(table, jobs, empty) {
  tableHead(table);
  const body = table.querySelector('tbody');
  if (!jobs.length) {
    body.replaceChildren(el('tr', {class: 'empty'}, el('td', {colspan: COLUMNS.length}, empty)));
    return;
  }
  body.replaceChildren(...jobs.map(jobRow));
}

// Durations of running jobs tick every second without a refetch.
setInterval(() => {
  document.querySelectorAll('.ticking[data-started]').forEach(s => {
    if (s.dataset.started) s.textContent = human(Date.now() - Date.parse(s.dataset.started));
  });
}, 1000);

// ---------------------------------------------------------------- overview

const running = new Map();   // id -> job, the jobs shown under "Running now"

async function loadRunning() {
  const page = await getJson(`api/jobs?state=RUNNING&limit=100`).catch(() => null);
  if (!page) return;
  running.clear();
  page.jobs.forEach(j => running.set(j.id, j));
  renderRunning();
}

function updateRunning(job) {
  if (job.state === 'RUNNING') running.set(job.id, job);
  else if (!running.has(job.id)) return;
  else running.delete(job.id);
  if (route.view === 'overview') renderRunning();
}

function renderRunning() {
  const box = $('#running');
  const jobs = [...running.values()].sort((a, b) => (a.startedAt || '').localeCompare(b.startedAt || ''));
  const queued = counts ? counts.QUEUED : 0;
  $('#running-note').textContent = queued ? `${queued.toLocaleString()} queued` : '';
  if (!jobs.length) {
    box.replaceChildren(el('p', {class: 'muted empty'}, 'No job is running.'));
    return;
  }
  box.replaceChildren(...jobs.slice(0, 20).map(job => {
    const p = job.progress || {};
    const eta = durationMs(p.eta);
    return el('div', {class: 'run', 'data-id': job.id, 'data-name': job.name},
      el('div', {class: 'run-head'},
        el('a', {href: '#/jobs/' + encodeURIComponent(job.id), class: 'name'}, job.name),
        el('span', {class: 'step'}, [p.step, p.message].filter(Boolean).join(' · ') || ' '),
        job.attempt > 1 ? el('span', {class: 'attempt'}, `attempt ${job.attempt}/${job.maxAttempts}`) : null),
      progressView(job),
      el('div', {class: 'run-stats'},
        el('span', {}, 'rate ', el('b', {}, rate(p))),
        el('span', {}, 'ETA ', el('b', {}, eta === null ? '—' : human(eta))),
        el('span', {}, 'elapsed ', el('b', {class: 'ticking', 'data-started': job.startedAt || ''}, human(elapsedMs(job))))));
  }), jobs.length > 20 ? el('p', {class: 'muted'}, `and ${jobs.length - 20} more`) : '');
}

async function loadRecent() {
  const page = await getJson('api/jobs?limit=10').catch(() => null);
  if (page) fillTable($('#recent'), page.jobs, 'No jobs yet.');
}

const OUTCOMES = [['succeeded', 'Succeeded', '✓'], ['failed', 'Failed or timed out', '✕'], ['cancelled', 'Cancelled', '⊘']];

async function loadThroughput() {
  const t = await getJson('api/throughput').catch(() => null);
  if (!t) return;
  const W = 600, H = 120, n = t.minutes.length, bw = W / n;
  const max = Math.max(1, ...t.minutes.map(m => m.succeeded + m.failed + m.cancelled));
  const chart = svg('svg', {viewBox: `0 0 ${W} ${H + 16}`, role: 'img', class: 'bars',
    'aria-label': 'jobs ended per minute over the last hour'});
  t.minutes.forEach((m, i) => {
    let y = H;
    for (const [k] of OUTCOMES) {
      if (!m[k]) continue;
      const h = Math.max(1, (m[k] / max) * (H - 4));
      y -= h;
      const r = svg('rect', {x: i * bw + 1, y, width: Math.max(1, bw - 2), height: h, class: 'b-' + k});
      r.append(svg('title', {}, `${new Date(m.minute).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'})}: ${m[k]} ${k}`));
      chart.append(r);
    }
  });
  chart.append(svg('line', {x1: 0, y1: H + 0.5, x2: W, y2: H + 0.5, class: 'axis'}));
  chart.append(svg('text', {x: 0, y: H + 14, class: 'tick'}, '60 min ago'));
  chart.append(svg('text', {x: W, y: H + 14, class: 'tick', 'text-anchor': 'end'}, 'now'));
  const total = (k) => t.minutes.reduce((s, m) => s + m[k], 0);
  if (!OUTCOMES.some(([k]) => total(k))) {
    chart.append(svg('text', {x: W / 2, y: H / 2, class: 'none', 'text-anchor': 'middle'}, 'No job ended in the last hour'));
  }
  const legend = el('div', {class: 'legend'}, OUTCOMES.map(([k, label, icon]) =>
    el('span', {class: 'l-' + k}, el('i', {class: 'swatch b-' + k}), `${icon} ${label} `, el('b', {}, total(k).toLocaleString()))),
    el('span', {class: 'muted'}, `peak ${max}/min`));
  $('#chart').replaceChildren(chart, legend);
}

// ---------------------------------------------------------------- jobs list

function listParams() {
  const p = route.params || new URLSearchParams();
  return {state: p.get('state') || '', q: p.get('q') || '', group: p.get('group') || '', type: p.get('type') || '',
    page: Math.max(0, parseInt(p.get('page') || '0', 10) || 0)};
}

function listHash(change) {
  const p = Object.assign(listParams(), change);
  const q = new URLSearchParams();
  for (const k of ['state', 'q', 'group', 'type']) if (p[k]) q.set(k, p[k]);
  if (p.page) q.set('page', p.page);
  const s = q.toString();
  return '#/jobs' + (s ? '?' + s : '');
}

function renderTabs() {
  const p = listParams();
  const all = counts ? ORDER.reduce((s, k) => s + (counts[k] || 0), 0) : null;
  const tab = (state, label, n) => el('a', {class: 'tab' + (p.state === state ? ' active' : ''), role: 'tab',
      'data-state': state || 'ALL', 'aria-selected': p.state === state ? 'true' : 'false',
      href: listHash({state, page: 0})},
    state ? el('span', {class: 'icon', 'aria-hidden': 'true'}, STATES[state].icon) : null,
    ` ${label} `, el('span', {class: 'n'}, n === null ? '' : n.toLocaleString()));
  $('#tabs').replaceChildren(tab('', 'All', all),
    ...ORDER.map(s => tab(s, STATES[s].label, counts ? counts[s] ?? 0 : null)));
}

let listSeq = 0;

async function loadList() {
  const p = listParams();
  $('#search').value = document.activeElement === $('#search') ? $('#search').value : p.q;
  $('#group').value = p.group;
  $('#type').value = p.type;
  renderTabs();
  const q = new URLSearchParams({offset: p.page * PAGE, limit: PAGE});
  for (const k of ['state', 'q', 'group', 'type']) if (p[k]) q.set(k, p[k]);
  const seq = ++listSeq;
  const started = performance.now();
  const page = await getJson('api/jobs?' + q).catch(() => null);
  if (!page || seq !== listSeq) return;
  document.body.dataset.listMs = String(Math.round(performance.now() - started));
  const filtered = p.q || p.group || p.type;
  fillTable($('#jobs'), page.jobs, filtered ? 'No job matches.' : 'No jobs here.');
  const from = page.total ? page.offset + 1 : 0;
  const to = page.offset + page.jobs.length;
  $('#page-info').textContent = `${from.toLocaleString()}–${to.toLocaleString()} of ${page.total.toLocaleString()}`;
  $('#pager .prev').disabled = p.page === 0;
  $('#pager .next').disabled = to >= page.total;
  document.body.dataset.loads = String(Number(document.body.dataset.loads || 0) + 1);
}

$('#filters').addEventListener('submit', (ev) => {
  ev.preventDefault();
  location.hash = listHash({q: $('#search').value.trim(), group: $('#group').value.trim(),
    type: $('#type').value.trim(), page: 0});
});
let typing = null;
$('#search').addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(() => { location.hash = listHash({q: $('#search').value.trim(), page: 0}); }, 300);
});
$('#pager .prev').addEventListener('click', () => { location.hash = listHash({page: Math.max(0, listParams().page - 1)}); });
$('#pager .next').addEventListener('click', () => { location.hash = listHash({page: listParams().page + 1}); });

// ---------------------------------------------------------------- nodes

async function loadNodes() {
  const r = await getJson('api/nodes').catch(() => null);
  if (!r) return;
  $('#nodes tbody').replaceChildren(...r.nodes.map((n, i) => el('tr', {class: 'node', 'data-state': n.state},
    el('td', {}, el('b', {}, n.name), i === 0 ? el('span', {class: 'muted'}, ' (this node)') : null,
      el('div', {class: 'mono small muted'}, n.id)),
    el('td', {}, el('span', {class: 'badge n-' + n.state},
      el('span', {class: 'icon', 'aria-hidden': 'true'}, {ALIVE: '●', LEFT: '○', DEAD: '✕'}[n.state] || '•'),
      ' ' + n.state.toLowerCase())),
    el('td', {class: 'num'}, durationMs(n.heartbeatAge) < 1000 ? 'just now' : human(durationMs(n.heartbeatAge)) + ' ago'),
    el('td', {class: 'num'}, n.running.toLocaleString()),
    el('td', {class: 'num'}, n.queued.toLocaleString()),
    el('td', {}, n.version),
    el('td', {}, when(n.startedAt)))));
}
setInterval(() => { if (route.view === 'nodes') loadNodes(); }, 5000);

// ---------------------------------------------------------------- login, extension, start

function showLogin(why) {
  $('#login').hidden = false;
  $('#login-why').textContent = why;
  const conn = $('#conn');
  conn.textContent = 'needs token';
  conn.className = 'conn down';
}

// Trades the token for the session cookie that the event stream (EventSource sends no headers) carries.
async function login(token) {
  const r = await fetch('api/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({token})});
  return r.ok;
}

$('#login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const token = $('#token').value;
  if (await login(token)) {
    sessionStorage.setItem(TOKEN_KEY, token);
    $('#login').hidden = true;
    boot();
  } else {
    showLogin('wrong token');
  }
});

let extension = null;
async function loadExtension() {
  if (extension) return;
  extension = import('./extension.js')
    .then(m => m.install({api, post, render: (job) => onJob(job, 'SUBMITTED'), el, slot: $('#extension')}))
    .catch(() => { /* none: nothing to add */ });
  await extension;
}

// For tests and the console: the event stream's controls.
window.weft = {
  closeStream: () => stream && stream.close(),
  resumeFrom: (id) => { lastEventId = id; listen(); },
};

let booted = false;

async function boot() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token && !(await login(token))) sessionStorage.removeItem(TOKEN_KEY);
  const r = await api('api/health').catch(() => null);
  if (r && r.status === 401) return;
  renderCounts();
  await probe();
  loadExtension();
  listen();
  if (!booted) {
    booted = true;
    scheduleProbes();
  }
  show();
}

boot();
