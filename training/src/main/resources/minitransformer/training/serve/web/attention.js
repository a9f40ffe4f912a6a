// The explorer page: attention maps, the q·k breakdown and the raw scores (the helpers and state are in app.js).
'use strict';
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
  const oneLayer = manyHeads();
  try {
    r = await post('api/attention', oneLayer ? { prompt, layer: state.layer } : { prompt });
  } catch (e) {
    if (seq === state.attentionSeq) $('grid').replaceChildren(el('div', { className: 'muted', textContent: 'attention: ' + e.message }));
    return;
  }
  if (seq !== state.attentionSeq) return;
  if (oneLayer && !state.layerPicked) { // the first answer: go to the layer of the most focused head
    state.layerPicked = true;
    const best = mostFocused(r.focus);
    if (best.layer !== state.layer) { state.layer = best.layer; state.head = best.head; return attention(); }
    state.head = best.head;
  }
  state.attention = r;
  focusTable(r.focus);
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

// GPT-2's 12 × 12 heads: one layer's maps at a time (144 maps of T × T cells would be unreadable and slow).
function manyHeads() {
  const m = state.card && state.card.params && state.card.params.model;
  return !!m && m.n_layer * m.n_head > 16;
}

function mostFocused(focus) {
  let best = { layer: 0, head: 0, focus: -1 };
  focus.forEach((row, l) => row.forEach((f, h) => { if (f > best.focus) best = { layer: l, head: h, focus: f }; }));
  return best;
}

function focusTable(focus) {
  const table = $('focus-table');
  table.replaceChildren(el('tr', {}, el('th'), ...focus[0].map((_, h) => el('th', { textContent: 'h' + h }))));
  focus.forEach((row, l) => {
    table.append(el('tr', {}, el('th', { textContent: 'layer ' + l }), ...row.map((f, h) => {
      const td = el('td', { className: 'fcell', textContent: f.toFixed(2), title: 'layer ' + l + ', head ' + h + ': focus ' + f.toFixed(4) });
      td.dataset.l = l; td.dataset.h = h;
      td.style.background = cellColour(f);
      td.addEventListener('click', () => chooseHead(l, h));
      return td;
    })));
  });
}

function chooseHead(layer, head) {
  const shown = state.attention && state.attention.maps.length ? state.attention.maps[0].layer : null;
  if (manyHeads() && shown !== null && layer !== shown) {
    state.layer = layer; state.head = head;
    attention();
    return;
  }
  state.layer = layer; state.head = head;
  document.querySelectorAll('#focus-table .fcell').forEach(c => c.classList.toggle('chosen',
    Number(c.dataset.l) === layer && Number(c.dataset.h) === head));
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
