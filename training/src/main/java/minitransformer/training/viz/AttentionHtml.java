package minitransformer.training.viz;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import minitransformer.framework.analysis.AttentionMaps;
import minitransformer.framework.analysis.HeadFocus;

/**
 * One self-contained HTML page (inline CSS and script, nothing fetched) with every layer and head of
 * an attention pattern. Hovering a cell shows the query token, the key token and the weight; clicking
 * a token (in the strip at the top or a row label) highlights its row in every map and shades the
 * strip by what it attends to in the chosen head. Above the maps, every head's focus ({@link HeadFocus})
 * as a layer × head table; clicking a head shows its layer and shades the strip by it. A model of more
 * than {@link #ALL_MAPS_UP_TO} heads in all (GPT-2's 144) shows one layer's maps at a time, first the layer
 * of its most focused head, with a choice of layer (or every layer) above them.
 *
 * <p>The weights travel as JSON in a {@code <script type="application/json" id="attention-data">}
 * element: {"tokens": [...], "layers": L, "heads": nh, "weights": [layer][head][query][key],
 * "focus": [layer][head], "first_layer": the layer shown first, or -1 for every layer}.
 */
public final class AttentionHtml {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The most heads (layers × heads) whose maps are all drawn at first. */
  static final int ALL_MAPS_UP_TO = 16;

  private AttentionHtml() {}

  public static String page(String title, AttentionMaps maps, List<String> tokens) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("title", title);
    data.put("tokens", tokens);
    data.put("layers", maps.layers());
    data.put("heads", maps.heads());
    data.put("weights", maps.weights());
    double[][] focus = new double[maps.layers()][maps.heads()];
    for (HeadFocus f : HeadFocus.of(maps)) {
      focus[f.layer()][f.head()] = f.focus();
    }
    data.put("focus", focus);
    boolean all = maps.layers() * maps.heads() <= ALL_MAPS_UP_TO;
    data.put("first_layer", all ? -1 : HeadFocus.ranked(maps).get(0).layer());
    String json;
    try {
      json = JSON.writeValueAsString(data);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the attention data as JSON", e);
    }
    // "</" would end the script element early; "<\/" is the same JSON string.
    json = json.replace("</", "<\\/");
    return TEMPLATE.replace("%TITLE%", escape(title)).replace("%DATA%", json);
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("%", "&#37;"); // so a title cannot hold the template's %DATA% marker
  }

  private static final String TEMPLATE = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <title>%TITLE%</title>
      <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 16px; color: #222; background: #fff; }
        h1 { font-size: 18px; margin: 0 0 8px; }
        .help { color: #555; margin: 0 0 12px; }
        #strip { display: flex; flex-wrap: wrap; gap: 4px; margin: 8px 0 16px; align-items: center; }
        .tok { padding: 2px 6px; border: 1px solid #bbb; border-radius: 4px; cursor: pointer; user-select: none; }
        .tok.selected { outline: 2px solid #d62728; }
        .maps { display: grid; gap: 18px; }
        .map h2 { font-size: 13px; margin: 0 0 4px; font-weight: 600; }
        .grid { display: grid; gap: 1px; background: #eee; width: max-content; }
        .cell { width: 22px; height: 22px; }
        .cell.masked { background: repeating-linear-gradient(45deg, #f4f4f4, #f4f4f4 3px, #e4e4e4 3px, #e4e4e4 6px); }
        .cell:hover { outline: 2px solid #ff7f0e; position: relative; z-index: 1; }
        .rowlabel, .collabel { font-size: 11px; background: #fff; white-space: nowrap; overflow: hidden; }
        .rowlabel { text-align: right; padding-right: 4px; max-width: 90px; cursor: pointer; line-height: 22px; }
        .collabel { writing-mode: vertical-rl; transform: rotate(180deg); height: 70px; text-align: left; }
        .rowsel { box-shadow: inset 0 0 0 2px #d62728; }
        #tooltip { position: fixed; display: none; pointer-events: none; background: #222; color: #fff;
                   padding: 4px 8px; border-radius: 4px; font-size: 12px; z-index: 10; white-space: pre; }
        select { margin-left: 8px; }
        #focus { border-collapse: collapse; margin: 4px 0 12px; font-size: 11px; }
        #focus th { font-weight: normal; color: #555; padding: 0 4px; }
        #focus td.fcell { width: 30px; height: 18px; text-align: center; cursor: pointer; border: 1px solid #fff; }
        #focus td.fcell.chosen { outline: 2px solid #d62728; }
      </style>
      </head>
      <body>
      <h1>%TITLE%</h1>
      <p class="help">Rows are query tokens, columns are key tokens; darker is more attention, hatched cells are
      masked (a later key). Hover a cell for its weight; click a token to see what it attends to.</p>
      <p class="help">Each head's focus: the mean, over the tokens, of its largest weight on one earlier token other
      than the first (1: each token looks at one such token; 0: only at itself or the first). Click a head to show
      its layer and shade the tokens by it.</p>
      <table id="focus"></table>
      <div>Show <select id="layerpick"></select> Shade the tokens by head <select id="headpick"></select></div>
      <div id="strip"></div>
      <div id="maps" class="maps"></div>
      <div id="tooltip"></div>
      <script type="application/json" id="attention-data">%DATA%</script>
      <script>
      (function () {
        "use strict";
        const data = JSON.parse(document.getElementById("attention-data").textContent);
        const T = data.tokens.length;
        const tooltip = document.getElementById("tooltip");
        const maps = document.getElementById("maps");
        const strip = document.getElementById("strip");
        const pick = document.getElementById("headpick");
        let selected = null;

        function blue(w) {
          // white (0) to dark blue (1)
          const r = Math.round(255 - w * (255 - 8)), g = Math.round(255 - w * (255 - 48)), b = Math.round(255 - w * (255 - 107));
          return "rgb(" + r + "," + g + "," + b + ")";
        }
        function label(i) { return i + ":" + data.tokens[i]; }

        const layerPick = document.getElementById("layerpick");
        const focus = document.getElementById("focus");
        maps.style.gridTemplateColumns = "repeat(" + data.heads + ", max-content)";
        for (let l = -1; l < data.layers; l++) {
          const option = document.createElement("option");
          option.value = l;
          option.textContent = l < 0 ? "every layer" : "layer " + l;
          layerPick.appendChild(option);
        }
        const head = document.createElement("tr");
        head.appendChild(document.createElement("th"));
        for (let h = 0; h < data.heads; h++) {
          const th = document.createElement("th");
          th.textContent = "h" + h;
          head.appendChild(th);
        }
        focus.appendChild(head);
        for (let l = 0; l < data.layers; l++) {
          const row = document.createElement("tr");
          const th = document.createElement("th");
          th.textContent = "layer " + l;
          row.appendChild(th);
          for (let h = 0; h < data.heads; h++) {
            const option = document.createElement("option");
            option.value = l + "," + h;
            option.textContent = "layer " + l + ", head " + h;
            pick.appendChild(option);
            const f = data.focus[l][h];
            const td = document.createElement("td");
            td.className = "fcell";
            td.dataset.l = l; td.dataset.h = h;
            td.textContent = f.toFixed(2);
            td.title = "layer " + l + ", head " + h + ": focus " + f.toFixed(4);
            td.style.background = blue(f);
            td.style.color = f > 0.55 ? "#fff" : "#222";
            td.addEventListener("click", () => chooseHead(l, h));
            row.appendChild(td);
          }
          focus.appendChild(row);
        }

        function drawMap(l, h) {
            const map = document.createElement("div");
            map.className = "map";
            const title = document.createElement("h2");
            title.textContent = "layer " + l + ", head " + h;
            map.appendChild(title);
            const grid = document.createElement("div");
            grid.className = "grid";
            grid.style.gridTemplateColumns = "max-content repeat(" + T + ", 22px)";
            grid.appendChild(document.createElement("div"));
            for (let s = 0; s < T; s++) {
              const c = document.createElement("div");
              c.className = "collabel";
              c.textContent = data.tokens[s];
              grid.appendChild(c);
            }
            for (let t = 0; t < T; t++) {
              const r = document.createElement("div");
              r.className = "rowlabel";
              r.dataset.q = t;
              r.textContent = label(t);
              r.addEventListener("click", () => select(t));
              grid.appendChild(r);
              for (let s = 0; s < T; s++) {
                const cell = document.createElement("div");
                const w = data.weights[l][h][t][s];
                cell.className = s > t ? "cell masked" : "cell";
                cell.dataset.l = l; cell.dataset.h = h; cell.dataset.q = t; cell.dataset.k = s;
                cell.dataset.w = w;
                if (s <= t) cell.style.background = blue(w);
                grid.appendChild(cell);
              }
            }
            map.appendChild(grid);
            maps.appendChild(map);
        }

        function showLayer(layer) {
          layerPick.value = layer;
          maps.replaceChildren();
          for (let l = 0; l < data.layers; l++) {
            if (layer >= 0 && l !== layer) continue;
            for (let h = 0; h < data.heads; h++) drawMap(l, h);
          }
          if (selected !== null) select(selected);
        }

        function chooseHead(l, h) {
          pick.value = l + "," + h;
          for (const td of focus.querySelectorAll(".fcell")) {
            td.classList.toggle("chosen", +td.dataset.l === l && +td.dataset.h === h);
          }
          if (+layerPick.value >= 0 && +layerPick.value !== l) showLayer(l);
          select(selected === null ? T - 1 : selected);
        }
        for (let t = 0; t < T; t++) {
          const tok = document.createElement("span");
          tok.className = "tok";
          tok.dataset.q = t;
          tok.textContent = data.tokens[t];
          tok.title = "position " + t;
          tok.addEventListener("click", () => select(t));
          strip.appendChild(tok);
        }

        maps.addEventListener("mouseover", (e) => {
          const cell = e.target.closest(".cell");
          if (!cell) return;
          const l = +cell.dataset.l, h = +cell.dataset.h, t = +cell.dataset.q, s = +cell.dataset.k;
          tooltip.textContent = "layer " + l + ", head " + h + "\\nquery " + label(t) + "\\nkey " + label(s)
              + "\\nweight " + (s > t ? "0 (masked: a later key)" : data.weights[l][h][t][s].toFixed(4));
          tooltip.style.display = "block";
        });
        maps.addEventListener("mousemove", (e) => {
          tooltip.style.left = (e.clientX + 14) + "px";
          tooltip.style.top = (e.clientY + 14) + "px";
        });
        maps.addEventListener("mouseout", (e) => {
          if (!e.relatedTarget || !e.relatedTarget.closest || !e.relatedTarget.closest(".cell")) tooltip.style.display = "none";
        });
        pick.addEventListener("change", () => { if (selected !== null) select(selected); });
        layerPick.addEventListener("change", () => showLayer(+layerPick.value));
        showLayer(data.first_layer);
        if (data.first_layer >= 0) {
          const best = data.focus[data.first_layer].indexOf(Math.max(...data.focus[data.first_layer]));
          pick.value = data.first_layer + "," + best;
        }

        function select(t) {
          selected = t;
          const [l, h] = pick.value.split(",").map(Number);
          for (const tok of strip.children) {
            const s = +tok.dataset.q;
            tok.classList.toggle("selected", s === t);
            const w = s <= t ? data.weights[l][h][t][s] : 0;
            tok.style.background = blue(w);
            tok.style.color = w > 0.55 ? "#fff" : "#222";
            tok.title = s <= t ? "attention from " + label(t) + ": " + w.toFixed(4) : "masked (after " + label(t) + ")";
          }
          for (const el of maps.querySelectorAll(".rowsel")) el.classList.remove("rowsel");
          for (const el of maps.querySelectorAll('.cell[data-q="' + t + '"], .rowlabel[data-q="' + t + '"]')) {
            el.classList.add("rowsel");
          }
        }
        window.attentionSelect = select;
      })();
      </script>
      </body>
      </html>
      """;
}
