// The Weft dashboard: plain JS, no build. Jobs arrive over server-sent events (/api/events); the scope tree
// is polled from /api/scopes.
'use strict';

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
  // A scope's progress reads complete (1.0) once it has closed, however it ended; for a job that did not
  // succeed, show the work it actually got done instead of a full bar.
  const endedUnsuccessfully = ['FAILED', 'CANCELLED', 'TIMED_OUT'].includes(job.state);
  bar.value = endedUnsuccessfully ? (p.total ? p.done / p.total : 0) : (p.fraction || 0);
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

async function post(url) {
  const r = await fetch(url, {method: 'POST'});
  const body = await r.json().catch(() => ({}));
  if (!r.ok) alert(`${r.status}: ${body.error || r.statusText}`);
  return body;
}

async function start(sample) {
  const job = await post('/api/demo/jobs?sample=' + encodeURIComponent(sample));
  if (job && job.id) render(job);
}

async function cancel(id) {
  const r = await post(`/api/jobs/${encodeURIComponent(id)}/cancel?reason=${encodeURIComponent('cancelled from the dashboard')}`);
  if (r && r.job) render(r.job);
}

async function loadSamples() {
  const names = await (await fetch('/api/demo/samples')).json();
  const box = document.getElementById('samples');
  for (const name of names) {
    const b = el('button', {type: 'button', 'data-sample': name}, name);
    b.addEventListener('click', () => start(name));
    box.append(b);
  }
}

async function loadJobs() {
  const page = await (await fetch('/api/jobs?limit=100')).json();
  for (const job of page.jobs.slice().reverse()) render(job);
}

function listen() {
  const conn = document.getElementById('conn');
  const es = new EventSource('/api/events');     // reconnects by itself, resuming with Last-Event-ID
  es.onopen = () => { conn.textContent = 'live'; conn.className = 'conn live'; };
  es.onerror = () => { conn.textContent = 'reconnecting…'; conn.className = 'conn'; };
  es.onmessage = (m) => render(JSON.parse(m.data).job);
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
    const body = await (await fetch('/api/scopes')).json();
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

document.getElementById('quote').addEventListener('click', async () => {
  const r = await fetch('/api/quote?item=book');
  document.getElementById('quote-out').textContent = JSON.stringify(await r.json(), null, 2);
});

listen();
loadSamples();
loadJobs();
pollScopes();
