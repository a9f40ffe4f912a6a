// The explorer page: next-token predictions, sampling and embeddings (the helpers and state are in app.js).
'use strict';
// ---------- predictions ----------
function predictRequest() {
  return { prompt: $('prompt').value, top: Number($('top').value), temperature: Number($('temperature').value),
    top_k: Number($('top-k').value), top_p: Number($('top-p').value) };
}

async function predict() {
  const seq = ++state.predictSeq;
  if (!$('prompt').value.trim()) { $('bars').replaceChildren(); return; }
  try {
    const r = await post('api/predict', predictRequest());
    if (seq !== state.predictSeq) return; // a newer keystroke has answered or will
    $('predict-status').textContent = r.prompt_tokens + ' prompt tokens, the model reads the last ' + r.context_tokens;
    const bars = $('bars');
    bars.replaceChildren();
    for (const p of r.predictions) {
      const row = el('div', { className: 'bar-row' });
      row.dataset.token = p.token;
      row.dataset.probability = f6(p.probability);
      row.dataset.draw = f6(p.sampling_probability);
      const bar = el('div', { className: 'bar' });
      bar.style.width = (100 * p.sampling_probability).toFixed(2) + '%';
      row.append(el('div', { className: 'bar-token', textContent: display(p.token) }),
        el('div', { className: 'bar-track' }, bar),
        el('div', { className: 'bar-value', textContent: f6(p.probability) + '  draw ' + f6(p.sampling_probability) }));
      bars.append(row);
    }
  } catch (e) {
    if (seq === state.predictSeq) $('predict-status').textContent = 'error: ' + e.message;
  }
}

// ---------- sampling (server-sent events over fetch) ----------
let sampling = null;

async function sample() {
  if (sampling) sampling.abort();
  const controller = new AbortController();
  sampling = controller;
  const out = $('sample-out');
  out.replaceChildren();
  const generated = el('span', { className: 'new' });
  $('sample-button').disabled = true;
  $('stop-button').disabled = false;
  $('sample-status').textContent = 'sampling ...';
  let count = 0;
  try {
    const body = { prompt: $('prompt').value, tokens: Number($('sample-tokens').value), seed: Number($('seed').value),
      temperature: Number($('temperature').value), top_k: Number($('top-k').value), top_p: Number($('top-p').value) };
    const r = await fetch('api/sample', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body), signal: controller.signal });
    if (!r.ok) throw new Error((await r.json()).error);
    const reader = r.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const lines = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        const name = lines.find(l => l.startsWith('event: ')).slice(7);
        const data = JSON.parse(lines.find(l => l.startsWith('data: ')).slice(6));
        if (name === 'prompt') { out.append(data.text, generated); }
        else if (name === 'token') { generated.textContent += data.text; count++; $('sample-status').textContent = count + ' tokens'; }
        else if (name === 'done') { generated.textContent += data.rest; out.dataset.text = data.text; $('sample-status').textContent = data.tokens + ' tokens, ' + (data.stopped ? 'stopped at ' + data.stop_token : 'done'); }
      }
    }
  } catch (e) {
    $('sample-status').textContent = e.name === 'AbortError' ? 'stopped after ' + count + ' tokens' : 'error: ' + e.message;
  } finally {
    if (sampling === controller) sampling = null;
    $('sample-button').disabled = false;
    $('stop-button').disabled = true;
  }
}

// ---------- embeddings ----------
function table(rows, columns, values) {
  const t = el('table', { className: 'grid-table' });
  t.append(el('tr', {}, el('th'), ...columns.map(c => el('th', { textContent: c }))));
  rows.forEach((r, i) => t.append(el('tr', {}, el('td', { className: 'label', textContent: r }),
    ...values[i].map(v => el('td', { textContent: f4(v) })))));
  return t;
}

async function similarity() {
  try {
    const r = await post('api/similarity', { words: $('sim-words').value });
    const titles = { dot: 'dot product a·b', cosine: 'cosine a·b / (|a||b|)', scaled_dot: 'scaled dot a·b / √' + r.width };
    $('sim-tables').replaceChildren(...['dot', 'cosine', 'scaled_dot'].map(k =>
      el('div', {}, el('h3', { textContent: titles[k] }), table(r.words, r.words, r[k]))));
  } catch (e) { $('sim-tables').replaceChildren(el('div', { className: 'muted', textContent: e.message })); }
}

async function nearest() {
  try {
    const r = await post('api/similarity', { nearest: $('nearest-word').value, top: Number($('nearest-top').value) });
    $('nearest').replaceChildren(table(r.neighbours.map(n => display(n.token)), ['cosine'], r.neighbours.map(n => [n.cosine])));
  } catch (e) { $('nearest').replaceChildren(el('div', { className: 'muted', textContent: e.message })); }
}

async function trajectory() {
  try {
    const r = await post('api/similarity', { prompt: $('prompt').value, word: $('traj-word').value, ref: $('traj-ref').value });
    $('trajectory').replaceChildren(el('p', { className: 'muted', textContent: '"' + r.word + '" at position ' + r.position
      + ': cosine of its vector after each stage with each reference word\'s embedding' }), table(r.stages, r.ref, r.cosine));
  } catch (e) { $('trajectory').replaceChildren(el('div', { className: 'muted', textContent: e.message })); }
}
