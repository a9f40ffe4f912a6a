// The minitransformer explorer: plain JavaScript over the server's JSON API, nothing loaded from elsewhere.
'use strict';

const $ = id => document.getElementById(id);
const state = { card: null, attention: null, layer: 0, head: 0, position: null, predictSeq: 0, attentionSeq: 0 };

/** Visible stand-ins for a space, a newline and a tab in a token label. */
function display(token) {
  return token.replace(/ /g, '␣').replace(/\n/g, '↵').replace(/\t/g, '⇥');
}

function el(tag, props, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  for (const c of children) e.append(c);
  return e;
}

async function post(path, body, signal) {
  const r = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body), signal });
  const json = await r.json();
  if (!r.ok) throw new Error(json.error || ('HTTP ' + r.status));
  return json;
}

function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

const f4 = x => (x === null || x === undefined) ? '–' : x.toFixed(4);
const f6 = x => x.toFixed(6);

// ---------- model card ----------
async function loadCard(first = true) {
  const card = await (await fetch('api/model')).json();
  state.card = card;
  const m = card.params.model;
  $('checkpoint').textContent = card.checkpoint + ' · step ' + card.step + ' · ' + card.tokenizer + ' tokenizer, '
    + card.vocab_size + ' tokens' + (card.following ? ' · following the run: each new checkpoint is shown in turn' : '');
  const config = $('config');
  config.replaceChildren();
  $('params').replaceChildren();
  for (const [k, v] of Object.entries(m)) config.append(el('tr', {}, el('td', { textContent: k }), el('td', { textContent: String(v) })));
  config.append(el('tr', {}, el('td', { textContent: 'parameters' }), el('td', { textContent: card.params.total.toLocaleString('en') })));
  config.append(el('tr', {}, el('td', { textContent: 'training steps' }), el('td', { textContent: String(card.step) })));
  state.metricsSeen = card.metrics_lines || 0;
  showFinal();
  drawCurve(card.loss_curve, card.evaluations);
  $('params-summary').textContent = 'Parameters: ' + card.params.total.toLocaleString('en') + ' in '
    + card.params.matrices.length + ' arrays (attention ' + (100 * card.params.attention_share).toFixed(1) + '%, MLP '
    + (100 * card.params.mlp_share).toFixed(1) + '%)';
  const params = $('params');
  params.append(el('tr', {}, ...['name', 'what', 'shape', 'count'].map(h => el('th', { textContent: h }))));
  for (const row of card.params.matrices) {
    params.append(el('tr', {}, el('td', { className: 'label', textContent: row.name }),
      el('td', { className: 'label', textContent: row.what }), el('td', { textContent: row.shape.join(' × ') }),
      el('td', { textContent: row.count.toLocaleString('en') })));
  }
  if (!first) return;
  if (card.prompts && card.prompts.length) $('prompt').value = card.prompts[0];
  if (card.words && card.words.length) {
    $('sim-words').value = card.words.join(',');
    $('nearest-word').value = card.words[0];
    $('traj-word').value = card.words[0];
    $('traj-ref').value = card.words.slice(1).join(',');
  }
}

function showFinal() {
  const f = state.card.final;
  if (f) {
    $('final').textContent = 'last evaluation (step ' + f.iter + '): train loss ' + f4(f.train_loss) + ', validation loss '
      + f4(f.val_loss) + ' (perplexity ' + (f.val_ppl === null || f.val_ppl === undefined ? '–' : f.val_ppl.toFixed(2)) + ')';
  } else {
    $('final').textContent = 'no metrics.jsonl beside this checkpoint';
  }
}

// A followed run: its metrics lines grow the curve as they are logged, and each new checkpoint replaces the model
// the page shows (the server pushes both on /api/events; a line whose index the card already holds is skipped).
function follow() {
  const events = new EventSource('api/events');
  events.addEventListener('metrics', e => {
    const { index, line } = JSON.parse(e.data);
    if (index < state.metricsSeen) return;
    state.metricsSeen = index + 1;
    if (line.type === 'step') state.card.loss_curve.push({ iter: line.iter, loss: line.loss });
    if (line.type === 'eval') { state.card.evaluations.push(line); state.card.final = line; showFinal(); }
    drawCurve(state.card.loss_curve, state.card.evaluations);
  });
  events.addEventListener('model', () => {
    loadCard(false).then(() => { predict(); attention(); if ($('sim-words').value) similarity(); });
  });
}

function drawCurve(steps, evals) {
  const svg = $('curve');
  svg.replaceChildren();
  const W = 460, H = 200, L = 44, B = 24;
  const ns = 'http://www.w3.org/2000/svg';
  const points = steps.filter(p => p.loss !== null);
  const all = points.map(p => p.loss).concat(evals.flatMap(e => [e.train_loss, e.val_loss]).filter(x => x !== null));
  if (all.length === 0) return;
  const maxIter = Math.max(1, ...points.map(p => p.iter), ...evals.map(e => e.iter));
  const lo = Math.min(...all), hi = Math.max(...all);
  const x = i => L + (W - L - 8) * i / maxIter;
  const y = v => 8 + (H - B - 8) * (hi - v) / Math.max(1e-9, hi - lo);
  const add = (tag, attrs) => { const e = document.createElementNS(ns, tag); for (const k in attrs) e.setAttribute(k, attrs[k]); svg.append(e); return e; };
  add('line', { x1: L, y1: H - B, x2: W - 8, y2: H - B, stroke: '#98a2b3' });
  add('line', { x1: L, y1: 8, x2: L, y2: H - B, stroke: '#98a2b3' });
  for (const v of [lo, (lo + hi) / 2, hi]) add('text', { x: 2, y: y(v) + 4, 'font-size': 11, fill: '#667085' }).textContent = v.toFixed(2);
  add('text', { x: W - 60, y: H - 6, 'font-size': 11, fill: '#667085' }).textContent = 'step ' + maxIter;
  add('polyline', { points: points.map(p => x(p.iter) + ',' + y(p.loss)).join(' '), fill: 'none', stroke: '#98a2b3' });
  for (const [key, colour] of [['train_loss', '#1f6feb'], ['val_loss', '#d9480f']]) {
    const e = evals.filter(v => v[key] !== null);
    add('polyline', { points: e.map(v => x(v.iter) + ',' + y(v[key])).join(' '), fill: 'none', stroke: colour, 'stroke-width': 2 });
  }
}

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
        else if (name === 'done') { generated.textContent += data.rest; out.dataset.text = data.text; $('sample-status').textContent = data.tokens + ' tokens, done'; }
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

// ---------- attention ----------
function cellColour(w) {
  const a = Math.pow(w, 0.7);
  return 'rgba(31, 111, 235, ' + a.toFixed(3) + ')';
}

function buildMap(map, tokens, cellPx) {
  const T = tokens.length;
  const cells = el('div', { className: 'cells' });
  cells.style.gridTemplateColumns = 'repeat(' + T + ', ' + cellPx + 'px)';
  cells.style.gridAutoRows = cellPx + 'px';
  for (let t = 0; t < T; t++) {
    for (let s = 0; s < T; s++) {
      const c = el('div', { className: 'cell' + (s > t ? ' masked' : '') });
      c.dataset.l = map.layer; c.dataset.h = map.head; c.dataset.q = t; c.dataset.k = s;
      c.dataset.w = map.weights[t][s];
      if (s <= t) c.style.background = cellColour(map.weights[t][s]);
      cells.append(c);
    }
  }
  return cells;
}

async function attention() {
  const seq = ++state.attentionSeq;
  const prompt = $('prompt').value;
  if (!prompt.trim()) return;
  let r;
  try {
    r = await post('api/attention', { prompt });
  } catch (e) {
    if (seq === state.attentionSeq) $('grid').replaceChildren(el('div', { className: 'muted', textContent: 'attention: ' + e.message }));
    return;
  }
  if (seq !== state.attentionSeq) return;
  state.attention = r;
  const T = r.tokens.length;
  if (state.position === null || state.position >= T) state.position = T - 1;
  const strip = $('token-strip');
  strip.replaceChildren();
  r.tokens.forEach((tok, i) => {
    const b = el('span', { className: 'tok', textContent: display(tok) });
    b.dataset.i = i;
    b.addEventListener('click', () => selectQuery(i));
    strip.append(b);
  });
  const cellPx = Math.max(4, Math.min(16, Math.floor(200 / T)));
  const grid = $('grid');
  grid.style.gridTemplateColumns = 'repeat(' + r.n_head + ', max-content)';
  grid.replaceChildren();
  for (const map of r.maps) {
    const box = el('div', { className: 'map' });
    box.dataset.l = map.layer; box.dataset.h = map.head;
    box.append(el('div', { className: 'map-title', textContent: 'layer ' + map.layer + ', head ' + map.head }), buildMap(map, r.tokens, cellPx));
    box.addEventListener('click', () => { chooseHead(map.layer, map.head); enlarge(map); });
    grid.append(box);
  }
  selectQuery(state.position);
  chooseHead(Math.min(state.layer, r.n_layer - 1), Math.min(state.head, r.n_head - 1));
}

function selectQuery(i) {
  state.position = i;
  document.querySelectorAll('.tok').forEach(t => t.classList.toggle('selected', Number(t.dataset.i) === i));
  document.querySelectorAll('.cell').forEach(c => c.classList.toggle('rowsel', Number(c.dataset.q) === i));
  if ($('explain').childElementCount) explain();
}

function chooseHead(layer, head) {
  state.layer = layer; state.head = head;
  document.querySelectorAll('.map').forEach(m => m.classList.toggle('chosen',
    Number(m.dataset.l) === layer && Number(m.dataset.h) === head));
  $('explain-title').textContent = 'q·k step by step: layer ' + layer + ', head ' + head;
  rawScores();
  if ($('explain').childElementCount) explain();
}

function enlarge(map) {
  const tokens = state.attention.tokens;
  const T = tokens.length;
  const cellPx = Math.max(12, Math.min(28, Math.floor(640 / T)));
  const big = el('div', { className: 'big' });
  big.style.gridTemplateColumns = '110px repeat(' + T + ', ' + cellPx + 'px)';
  big.append(el('div'));
  tokens.forEach(t => big.append(el('div', { className: 'lab col', textContent: display(t) })));
  const cells = buildMap(map, tokens, cellPx);
  const children = Array.from(cells.children);
  for (let t = 0; t < T; t++) {
    big.append(el('div', { className: 'lab', textContent: t + ' ' + display(tokens[t]) }));
    for (let s = 0; s < T; s++) {
      const c = children[t * T + s];
      c.style.height = cellPx + 'px';
      if (t === state.position) c.classList.add('rowsel');
      big.append(c);
    }
  }
  $('enlarged-body').replaceChildren(el('h3', { textContent: 'layer ' + map.layer + ', head ' + map.head
    + ' (asymmetry of q·kᵀ ' + map.asymmetry.toFixed(4) + ')' }), big);
  $('overlay').style.display = 'block';
}

function tooltip(e) {
  const c = e.target;
  const tip = $('tooltip');
  if (!c.classList || !c.classList.contains('cell') || !state.attention) { tip.style.display = 'none'; return; }
  const tokens = state.attention.tokens;
  const t = Number(c.dataset.q), s = Number(c.dataset.k);
  tip.textContent = 'layer ' + c.dataset.l + ', head ' + c.dataset.h + '\nquery ' + t + ':' + display(tokens[t])
    + ' → key ' + s + ':' + display(tokens[s]) + '\n' + (s > t ? 'masked (a later token)' : 'weight ' + Number(c.dataset.w).toFixed(4));
  tip.style.display = 'block';
  tip.style.left = (e.clientX + 14) + 'px';
  tip.style.top = (e.clientY + 14) + 'px';
}

async function explain() {
  if (!state.attention) return;
  const body = { prompt: $('prompt').value, layer: state.layer, head: state.head, position: state.position };
  let r;
  try {
    r = await post('api/explain', body);
  } catch (e) {
    $('explain').replaceChildren(el('div', { className: 'muted', textContent: 'explain: ' + e.message }));
    return;
  }
  const block = r.layers[0];
  const h = block.heads[0];
  const t = r.position;
  const table = el('table', { className: 'grid-table' });
  table.append(el('tr', {}, ...['key s', 'token', 'q·k', '÷√hs', 'mask', 'softmax weight', '‖w·v‖'].map(x => el('th', { textContent: x }))));
  r.tokens.forEach((tok, s) => {
    const masked = s > t;
    const row = el('tr', {}, el('td', { textContent: String(s) }), el('td', { className: 'label', textContent: display(tok) }),
      el('td', { textContent: masked ? '–' : f4(h.dots[s]) }), el('td', { textContent: masked ? '–' : f4(h.scores[s]) }),
      el('td', { textContent: masked ? '−∞ (later token)' : '0' }), el('td', { textContent: f4(h.weights[s]) }),
      el('td', { textContent: f4(h.contribution_norms[s]) }));
    if (masked) row.querySelectorAll('td').forEach(td => td.classList.add('masked'));
    table.append(row);
  });
  $('explain').replaceChildren(
    el('p', { textContent: 'query position ' + t + ' "' + display(r.tokens[t]) + '": x̂ = ln_1(x), q = x̂·W_Q, k_s = x̂_s·W_K, '
      + 'v_s = x̂_s·W_V; score = q·k / √' + r.head_size + ' (×' + r.scale.toFixed(4) + '); the causal mask sets later keys to −∞; '
      + 'weights = softmax(score); head output = Σ w_s·v_s.' }),
    ...optionLines(block, h, t),
    table,
    el('p', { className: 'vector', textContent: 'q = [' + h.query.map(f4).join(', ') + ']' }),
    el('p', { className: 'vector', textContent: 'head output Σ w·v = [' + h.output.map(f4).join(', ') + '] (‖·‖ = ' + f4(h.output_norm) + ')' }),
    el('p', { className: 'muted', textContent: 'then concat(heads)·W_O: ‖y‖ = ' + f4(block.projected_norm) + '; residual ‖x + y‖ = '
      + f4(block.residual_out_norm) + '; recomputed weights differ from the graph by at most ' + block.max_weight_difference.toExponential(2) }));
}

// The steps of the block options, one line each; none for a GPT-2 model (its JSON has no such fields).
function optionLines(block, h, t) {
  const lines = [];
  if (h.kv_head !== undefined) {
    lines.push('grouped-query: query head ' + h.head + ' reads key/value head ' + h.kv_head + ' (of ' + block.kv_heads
      + ' key/value heads shared by the query heads).');
  }
  if (block.rope_angles) {
    lines.push('rotary: q and k rotated by t·θ_i, pair (i, i+hs/2); angles at t=' + t + ': [' + block.rope_angles.map(f4).join(', ')
      + ']; q·k before rotation: [' + h.dots_before_rotation.map(f4).join(', ') + '].');
  }
  if (block.qk_norm) {
    lines.push('qk_norm: ‖q‖ ' + f4(h.query_norm_before_qk_norm) + ' before, ' + f4(h.query_norm) + ' after; ‖k_s‖ before: ['
      + h.key_norms_before_qk_norm.map(f4).join(', ') + '], after: [' + h.key_norms.map(f4).join(', ') + '].');
  }
  return lines.map(text => el('p', { className: 'muted option-step', textContent: text }));
}

function heatTable(title, a, tokens) {
  const max = Math.max(1e-12, ...a.flat().map(Math.abs));
  const table = el('table', { className: 'heat' });
  a.forEach((row, t) => {
    const tr = el('tr', {}, el('th', { className: 'muted', textContent: display(tokens[t]) }));
    row.forEach((v, s) => {
      const td = el('td', { title: title + '[' + t + '][' + s + '] = ' + v.toFixed(4) });
      const alpha = Math.abs(v) / max;
      td.style.background = v >= 0 ? 'rgba(217, 72, 15, ' + alpha.toFixed(3) + ')' : 'rgba(31, 111, 235, ' + alpha.toFixed(3) + ')';
      tr.append(td);
    });
    table.append(tr);
  });
  return el('div', {}, el('h3', { textContent: title }), table);
}

function rawScores() {
  const r = state.attention;
  const map = r && r.maps.find(m => m.layer === state.layer && m.head === state.head);
  if (!map) return;
  const a = map.raw_scores;
  const at = a.map((row, i) => row.map((_, j) => a[j][i]));
  $('raw-title').textContent = 'Raw scores q·kᵀ of layer ' + map.layer + ', head ' + map.head
    + ': asymmetry ‖A − Aᵀ‖ / ‖A‖ = ' + map.asymmetry.toFixed(4);
  $('raw').replaceChildren(heatTable('A = q·kᵀ', a, r.tokens), heatTable('Aᵀ', at, r.tokens));
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

// ---------- wiring ----------
const predictSoon = debounce(predict, 60);
const attentionSoon = debounce(attention, 250);
$('prompt').addEventListener('input', () => { predictSoon(); attentionSoon(); });
for (const id of ['top', 'top-k']) $(id).addEventListener('input', predictSoon);
$('temperature').addEventListener('input', () => { $('temperature-value').textContent = Number($('temperature').value).toFixed(2); predictSoon(); });
$('top-p').addEventListener('input', () => { $('top-p-value').textContent = Number($('top-p').value).toFixed(2); predictSoon(); });
$('sample-button').addEventListener('click', sample);
$('stop-button').addEventListener('click', () => sampling && sampling.abort());
$('explain-button').addEventListener('click', () => explain().then(() => $('explain-panel').scrollIntoView()));
$('sim-button').addEventListener('click', similarity);
$('nearest-button').addEventListener('click', nearest);
$('traj-button').addEventListener('click', trajectory);
document.addEventListener('mouseover', tooltip);
document.addEventListener('mousemove', tooltip);
$('overlay').addEventListener('click', e => { if (e.target.id === 'overlay' || e.target.id === 'close-enlarged') $('overlay').style.display = 'none'; });
document.addEventListener('keydown', e => { if (e.key === 'Escape') $('overlay').style.display = 'none'; });

loadCard().then(() => { predict(); attention(); if ($('sim-words').value) similarity(); if (state.card.following) follow(); })
  .catch(e => { $('checkpoint').textContent = 'cannot load the model card: ' + e.message; });
