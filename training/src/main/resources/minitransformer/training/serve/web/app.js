// The minitransformer explorer: plain JavaScript over the server's JSON API, nothing loaded from elsewhere.
'use strict';

const $ = id => document.getElementById(id);
const state = { card: null, attention: null, layer: 0, head: 0, position: null, predictSeq: 0, attentionSeq: 0, layerPicked: false };

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
