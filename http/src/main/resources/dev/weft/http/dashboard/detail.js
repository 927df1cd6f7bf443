// One job's page (#/jobs/{id}): its state, progress, timeline of attempts, outcome, log lines and live task tree,
// with the actions that apply (cancel, retry, delete). The record follows the event stream; the tree and the
// log lines are polled while the job runs.

import {
  el, api, getJson, post, write, showError, badge, isTerminal, durationMs, human, when, elapsedMs, rate, pct,
  progressView, STATES,
} from './util.js';

const box = () => document.getElementById('detail');
let current = null;     // {id, job, ctx, timers}

export function open(id, ctx) {
  if (current && current.id === id) { refresh(); return; }
  close();
  current = {id, job: null, ctx, treeTimer: null, logTimer: null, openScopes: new Set(['job'])};
  box().replaceChildren(el('p', {class: 'muted'}, 'Loading job ' + id + '…'));
  refresh();
}

export function close() {
  if (!current) return;
  clearTimeout(current.treeTimer);
  clearTimeout(current.logTimer);
  current = null;
}

async function refresh() {
  const c = current;
  if (!c) return;
  let r;
  try {
    r = await api('api/jobs/' + encodeURIComponent(c.id));
  } catch (e) {
    return;   // not answering: the badge says so; the next reconnect refetches
  }
  if (c !== current) return;
  if (r.status === 404) {
    box().replaceChildren(el('div', {class: 'panel gone', id: 'job-gone'},
      el('h2', {}, 'No such job'),
      el('p', {}, `Job ${c.id} is not known to this server: it never existed here, it was deleted, retention ` +
        'evicted it, or the server restarted (an in-memory runtime forgets its jobs).'),
      el('p', {}, el('a', {href: '#/jobs'}, '← all jobs'))));
    return;
  }
  if (!r.ok) return;
  render(await r.json());
  pollTree();
  pollLogs();
}

/** A job event: re-render if it is this page's job. */
export function event(job) {
  if (current && job.id === current.id) {
    const was = current.job;
    if (was && olderThan(job, was)) return;
    render(job);
    if (isTerminal(job.state) && was && !isTerminal(was.state)) { pollTree(); pollLogs(); }
    if (!isTerminal(job.state) && was && isTerminal(was.state)) { pollTree(); pollLogs(); }   // retried
  }
}

/** Whether snapshot a of a job is older than b: an earlier run, or the same run before it ended. */
function olderThan(a, b) {
  const ra = runs(a), rb = runs(b);
  if (ra !== rb) return ra < rb;
  return isTerminal(b.state) && !isTerminal(a.state);
}

const runs = (job) => (job.earlierRuns || []).length;

function render(job) {
  const c = current;
  c.job = job;
  let root = document.getElementById('job');
  if (!root || root.dataset.id !== job.id) {
    root = el('article', {id: 'job', 'data-id': job.id},
      el('div', {class: 'job-top'}, el('div', {class: 'job-head'}), actions(job)),
      el('div', {class: 'two'},
        el('div', {class: 'panel'}, el('h2', {}, 'Progress'), el('div', {id: 'job-progress'}),
          el('h2', {class: 'next'}, 'Timeline'), el('ol', {id: 'timeline', class: 'timeline'})),
        el('div', {class: 'panel'}, el('div', {id: 'job-outcome'}),
          el('h2', {}, 'Log ', el('span', {class: 'muted small', id: 'log-note'})),
          el('div', {id: 'logs', class: 'logs'}))),
      el('div', {class: 'panel'}, el('h2', {}, 'Live task tree ', el('span', {class: 'muted small', id: 'tree-note'})),
        el('div', {id: 'tree', class: 'tree'})));
    box().replaceChildren(root);
  }
  root.dataset.state = job.state;
  root.querySelector('.job-head').replaceChildren(
    el('a', {href: '#/jobs', class: 'back'}, '← jobs'),
    el('h1', {}, job.name, ' ', badge(job.state)),
    el('dl', {class: 'facts'},
      fact('id', el('span', {class: 'mono'}, job.id)),
      job.key ? fact('key', job.key) : null,
      job.group ? fact('group', job.group) : null,
      job.type ? fact('type', job.type) : null,
      job.priority ? fact('priority', job.priority) : null,
      runs(job) ? fact('runs', `${runs(job) + 1} (retried ${runs(job) === 1 ? 'once' : runs(job) + ' times'})`) : null,
      job.stuck ? fact('stuck', 'running longer than expected (' + human(durationMs(job.expectedDuration)) + ')') : null));
  renderProgress(job);
  renderTimeline(job);
  renderOutcome(job);
  updateActions(job);
}

function fact(k, v) {
  return el('div', {}, el('dt', {}, k), el('dd', {}, v));
}

function renderProgress(job) {
  const p = job.progress;
  const eta = p ? durationMs(p.eta) : null;
  document.getElementById('job-progress').replaceChildren(
    el('div', {class: 'big-prog'}, progressView(job)),
    el('div', {class: 'run-stats'},
      el('span', {}, 'rate ', el('b', {}, rate(p))),
      el('span', {}, 'ETA ', el('b', {}, isTerminal(job.state) || eta === null ? '—' : human(eta))),
      el('span', {}, job.finishedAt ? 'took ' : 'elapsed ',
        el('b', {class: job.finishedAt ? '' : 'ticking', 'data-started': job.startedAt || ''}, human(elapsedMs(job))))),
    el('p', {class: 'step'}, p ? [p.step, p.message].filter(Boolean).join(' · ') : ''));
}

function stack(error, label) {
  if (!error) return null;
  const head = `${error.type}: ${error.message ?? ''}`;
  if (!error.stackTrace) return el('div', {class: 'err-line'}, head);
  return el('details', {class: 'stack'}, el('summary', {}, head + ' ', el('span', {class: 'muted small'}, label)),
    el('pre', {}, error.stackTrace));
}

function renderTimeline(job) {
  const items = [];
  const item = (cls, at, what, ...more) => items.push(el('li', {class: cls},
    el('span', {class: 'at'}, when(at)), el('span', {class: 'what'}, what), ...more));
  item('t-submitted', job.submittedAt, 'submitted');
  // the runs that ended before a retry ran the job again: each with how it ended, in grey (not the outcome)
  for (const r of job.earlierRuns || []) {
    if (r.startedAt) item('t-started t-earlier-run', r.startedAt, 'started');
    for (let a = r.firstAttempt; a < r.lastAttempt; a++) {
      item('t-attempt-failed t-earlier-run', null, `attempt ${a} failed`);
    }
    item('t-run-ended t-earlier-run', r.finishedAt,
      el('span', {}, r.lastAttempt >= r.firstAttempt ? `attempt ${r.lastAttempt}: ` : 'before it started: ', badge(r.state)),
      r.error ? el('div', {class: 'earlier'}, stack(r.error, `(attempt ${r.lastAttempt}'s error; retried since)`)) : null,
      !r.error && r.cancellationReason ? el('div', {class: 'earlier'}, reason(r.cancellationReason)) : null);
    item('t-retried', null, 'retried: queued again as the same job');
  }
  const first = 1 + ((job.earlierRuns || []).length ? job.earlierRuns[job.earlierRuns.length - 1].lastAttempt : 0);
  if (!job.startedAt) {
    item('t-waiting now', null, 'queued — waiting for a free slot' + (runs(job) ? ''
      : ' (' + human(Date.now() - Date.parse(job.submittedAt)) + ')'));
  } else {
    item('t-started', job.startedAt, runs(job) ? 'started again'
      : 'started, after waiting ' + human(Date.parse(job.startedAt) - Date.parse(job.submittedAt)));
    for (let a = first; a < job.attempt; a++) {
      // earlier attempts failed (that is why there is a later one); the record keeps the latest error only
      const last = a === job.attempt - 1 && !isTerminal(job.state);
      item('t-attempt-failed', null, `attempt ${a} of ${job.maxAttempts} failed`,
        last && job.error ? el('div', {class: 'earlier'}, stack(job.error, '(this attempt\'s error; a retry runs)')) : null);
    }
    if (!isTerminal(job.state)) {
      item('t-running now', null, `attempt ${job.attempt} of ${job.maxAttempts} running`);
    } else {
      item('t-end t-' + job.state, job.finishedAt,
        el('span', {}, (job.maxAttempts > 1 ? `attempt ${job.attempt} of ${job.maxAttempts}: ` : ''), badge(job.state)));
    }
  }
  document.getElementById('timeline').replaceChildren(...items);
}

function renderOutcome(job) {
  const out = document.getElementById('job-outcome');
  const parts = [];
  if (job.state === 'SUCCEEDED') {
    parts.push(el('h2', {}, 'Result'), el('pre', {class: 'result ok'}, job.result ?? '(no value)'));
  } else if (job.state === 'FAILED' || job.state === 'TIMED_OUT') {
    parts.push(el('h2', {}, job.state === 'FAILED' ? 'Error' : 'Timed out'));
    if (job.cancellationReason) parts.push(reason(job.cancellationReason));
    if (job.error) parts.push(el('div', {class: 'bad'}, stack(job.error, '(stack trace)')));
  } else if (job.state === 'CANCELLED') {
    parts.push(el('h2', {}, 'Cancelled'), job.cancellationReason ? reason(job.cancellationReason) : null);
  }
  out.replaceChildren(...parts.filter(Boolean));
  out.hidden = !parts.length;
}

function reason(r) {
  const who = {EXPLICIT: 'cancelled on request', SHUTDOWN: 'the runtime shut down', DEADLINE: 'its deadline passed',
    SIBLING_FAILED: 'a sibling task failed', PARENT_CANCELLED: 'its parent was cancelled'}[r.kind] || r.kind;
  return el('p', {class: 'reason'}, el('span', {class: 'kind'}, r.kind), ' ', who, ': ', el('q', {}, r.detail));
}

// ---- actions ----

function actions(job) {
  const reasonInput = el('input', {id: 'cancel-reason', type: 'text', maxlength: '1024',
    placeholder: 'Reason (optional)', 'aria-label': 'Cancel reason'});
  const cancel = el('button', {type: 'button', id: 'cancel', class: 'danger'}, 'Cancel job');
  cancel.addEventListener('click', async () => {
    const why = reasonInput.value.trim() || 'cancelled from the dashboard';
    if (!confirm(`Cancel ${current.job.name}? Its running tasks are interrupted; this cannot be undone.`)) return;
    const r = await post(`api/jobs/${encodeURIComponent(current.id)}/cancel`, {reason: why});
    if (r && r.job) current.ctx.onJob(r.job, 'CANCEL');
  });
  const retry = el('button', {type: 'button', id: 'retry'}, 'Retry');
  retry.addEventListener('click', async () => {
    // the same job runs again: the page stays, and shows the new run (the ended one as an earlier run)
    const r = await post(`api/jobs/${encodeURIComponent(current.id)}/retry`, {});
    if (r && r.id) current.ctx.onJob(r, 'SUBMITTED');
  });
  const del = el('button', {type: 'button', id: 'delete', class: 'danger'}, 'Delete');
  del.addEventListener('click', async () => {
    if (!confirm(`Delete ${current.job.name} (${current.id})? It will no longer be listed; this cannot be undone.`)) return;
    const r = await write('DELETE', `api/jobs/${encodeURIComponent(current.id)}`, {});
    if (r) location.hash = '#/jobs';
  });
  return el('div', {class: 'actions'},
    el('div', {class: 'act-cancel'}, reasonInput, cancel),
    el('div', {class: 'act-done'}, retry, del),
    el('p', {class: 'muted small', id: 'act-note'}));
}

function updateActions(job) {
  const done = isTerminal(job.state);
  document.querySelector('.act-cancel').hidden = done;
  document.querySelector('.act-done').hidden = !done;
  document.getElementById('retry').hidden = job.state === 'SUCCEEDED';
  document.getElementById('act-note').textContent = done
    ? (job.state === 'SUCCEEDED' ? 'Finished jobs can be deleted.'
      : `Retry runs this job again, as attempt ${job.attempt + 1}; this run's outcome stays in its timeline.`)
    : 'Cancelling asks every task of the job to stop.';
}

// ---- live task tree ----

async function pollTree() {
  const c = current;
  if (!c) return;
  clearTimeout(c.treeTimer);
  const t = await getJson(`api/jobs/${encodeURIComponent(c.id)}/tree`).catch(() => null);
  if (c !== current) return;
  if (t) renderTree(t);
  if (c.job && !isTerminal(c.job.state)) c.treeTimer = setTimeout(pollTree, 500);
}

function renderTree(t) {
  const tree = document.getElementById('tree');
  const note = document.getElementById('tree-note');
  if (!t.root) {
    note.textContent = '';
    tree.dataset.tasks = '0';
    tree.replaceChildren(el('p', {class: 'muted', 'data-runs-on': t.runsOn || null},
      t.runsOn ? `Running on node ${t.runsOn}: its live task tree is shown on that node's dashboard.`
      : isTerminal(t.state)
      ? 'The job has ended: its tasks are gone. Scopes and tasks are shown while a job runs.'
      : 'Waiting for the job to start.'));
    return;
  }
  let running = 0, total = 0;
  const count = (s) => { running += s.tasks.byState.RUNNING || 0; total += s.tasks.total; s.children.forEach(count); };
  count(t.root);
  tree.dataset.tasks = String(running);
  note.textContent = `${running.toLocaleString()} running of ${total.toLocaleString()} tasks · updated twice a second`;
  tree.replaceChildren(scopeView(t.root, 0));
}

const TASK_ORDER = ['RUNNING', 'QUEUED', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];

function scopeView(s, depth) {
  const p = s.progress || {};
  const key = s.path;
  const isOpen = current.openScopes.has(depth === 0 ? 'job' : key) || (depth < 2 && !current.openScopes.has('!' + key));
  const d = el('details', {class: 'scope s-' + s.state, 'data-path': key, 'data-name': s.name});
  if (isOpen) d.open = true;
  d.addEventListener('toggle', () => {
    if (d.open) { current.openScopes.add(key); current.openScopes.delete('!' + key); }
    else { current.openScopes.delete(key); current.openScopes.add('!' + key); }
  });
  const chips = TASK_ORDER.filter(k => s.tasks.byState[k]).map(k =>
    el('span', {class: 'chip t-' + k, title: STATES[k] ? STATES[k].label : k},
      el('span', {class: 'icon', 'aria-hidden': 'true'}, STATES[k] ? STATES[k].icon : ''),
      ` ${s.tasks.byState[k].toLocaleString()} ${(STATES[k] || {label: k}).label}`));
  // a scope that reports no progress of its own shows how many of its tasks have ended
  const by = s.tasks.byState;
  const endedTasks = (by.SUCCEEDED || 0) + (by.FAILED || 0) + (by.CANCELLED || 0) + (by.TIMED_OUT || 0);
  const own = p.total > 0;
  const bar = el('progress', {class: 'bar', max: '1'});
  bar.value = own ? p.fraction || 0 : (s.tasks.total ? endedTasks / s.tasks.total : 0);
  const age = durationMs(s.age);
  d.append(el('summary', {},
    el('span', {class: 'scope-name'}, s.name),
    el('span', {class: 'scope-state'}, s.state === 'OPEN' ? 'open' : s.state.toLowerCase().replace('_', ' ')),
    el('span', {class: 'scope-bar'}, bar, el('span', {class: 'counts'}, own
      ? `${p.done.toLocaleString()}/${p.total.toLocaleString()} · ${pct(p.fraction)}`
      : `${endedTasks.toLocaleString()}/${s.tasks.total.toLocaleString()} tasks ended`)),
    el('span', {class: 'chips'}, chips),
    el('span', {class: 'muted small scope-age'}, [age >= 1000 ? 'seen for ' + human(age) : '',
      s.maxConcurrency ? `at most ${s.maxConcurrency} at once` : '',
      s.remaining ? `${human(durationMs(s.remaining))} to deadline` : ''].filter(Boolean).join(' · '))));
  if (s.cancellationReason) d.append(el('p', {class: 'reason small'}, 'cancelled — ' + s.cancellationReason));
  const lists = [];
  if (s.tasks.failed.length) lists.push(taskList('failed', s.tasks.failed, (s.tasks.byState.FAILED || 0) + (s.tasks.byState.TIMED_OUT || 0)));
  if (s.tasks.running.length) lists.push(taskList('running', s.tasks.running, s.tasks.byState.RUNNING || 0));
  d.append(...lists);
  if (s.children.length) {
    d.append(el('div', {class: 'children'}, s.children.map(c => scopeView(c, depth + 1))));
  }
  if (s.childrenNotShown) d.append(el('p', {class: 'muted small'}, `and ${s.childrenNotShown} more scopes`));
  return d;
}

function taskList(kind, tasks, all) {
  return el('div', {class: 'tasks tasks-' + kind},
    el('span', {class: 'tasks-label'}, kind === 'failed' ? 'failed tasks' : 'running tasks'),
    el('ul', {}, tasks.map(t => el('li', {class: 'task t-' + t.state, 'data-task': t.name},
      el('span', {class: 'icon', 'aria-hidden': 'true'}, STATES[t.state] ? STATES[t.state].icon : ''), ' ',
      el('span', {class: 'mono'}, t.name), ' ',
      durationMs(t.age) >= 1000 ? el('span', {class: 'muted small'}, human(durationMs(t.age))) : null,
      t.error ? el('span', {class: 'bad small'}, ' ' + t.error) : null,
      t.cancellationReason ? el('span', {class: 'small'}, ' ' + t.cancellationReason) : null))),
    all > tasks.length ? el('span', {class: 'muted small'}, `showing ${tasks.length} of ${all.toLocaleString()}`) : null);
}

// ---- log lines ----

async function pollLogs() {
  const c = current;
  if (!c) return;
  clearTimeout(c.logTimer);
  const l = await getJson(`api/jobs/${encodeURIComponent(c.id)}/logs?limit=100`).catch(() => null);
  if (c !== current) return;
  if (l) renderLogs(l);
  if (c.job && !isTerminal(c.job.state)) c.logTimer = setTimeout(pollLogs, 2000);
}

function renderLogs(l) {
  const logs = document.getElementById('logs');
  document.getElementById('log-note').textContent = 'last 100 lines at INFO and above';
  if (!l.lines.length) {
    logs.replaceChildren(el('p', {class: 'muted', 'data-runs-on': l.runsOn || null}, l.runsOn
      ? `Running on node ${l.runsOn}: its log lines are kept on that node's dashboard.`
      : l.capturing ? 'No log lines from this job.'
      : 'No log lines captured: configure dev.weft.http.logback.JobLogAppender (see docs/dashboard.md).'));
    return;
  }
  logs.replaceChildren(el('table', {class: 'log'}, el('tbody', {}, l.lines.map(x =>
    el('tr', {class: 'lv-' + x.level},
      el('td', {class: 'mono small'}, new Date(x.time).toLocaleTimeString([], {hour12: false}) +
        '.' + String(new Date(x.time).getMilliseconds()).padStart(3, '0')),
      el('td', {class: 'lvl'}, x.level),
      el('td', {class: 'msg'}, x.message, x.error ? el('div', {class: 'small bad'}, x.error) : null,
        el('div', {class: 'muted small'}, x.thread + ' · ' + x.logger.replace(/^.*\./, ''))))))));
}
