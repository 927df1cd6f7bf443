// The demo's addition to Weft's dashboard: buttons that start the sample jobs, and the per-request fan-out.
// The dashboard imports this module (served from the demo's static resources) and calls install().

const HINT = 'crawl: fan-out under a cap with a growing total · pipeline: named steps and messages · '
  + 'fail-fast: a failing task cancels its siblings · timeout: runs past its 3 s timeout · '
  + 'retry: fails twice, then succeeds';

export async function install({api, post, render, el, slot}) {
  const r = await api('api/demo/samples');
  if (!r.ok) return;
  const names = await r.json();
  const box = el('div', {id: 'samples', class: 'samples'});
  box.append(el('span', {class: 'samples-label'}, 'Start a sample job:'));
  for (const name of names) {
    const b = el('button', {type: 'button', 'data-sample': name}, name);
    b.addEventListener('click', async () => {
      const job = await post('api/demo/jobs?sample=' + encodeURIComponent(name));
      if (job && job.id) render(job);
    });
    box.append(b);
  }
  const quote = el('button', {type: 'button', id: 'quote'}, 'Per-request fan-out: quote "book"');
  const out = el('pre', {id: 'quote-out', hidden: ''});
  quote.addEventListener('click', async () => {
    const q = await api('api/quote?item=book');
    out.hidden = false;
    out.textContent = JSON.stringify(await q.json(), null, 2);
  });
  box.append(quote);
  slot.append(box, el('p', {class: 'hint'}, HINT), out);
}
