"""Hugging Face's Llama in NumPy: writes a tiny random Llama in exactly the layout of a LlamaForCausalLM
downloaded from the Hugging Face hub (SmolLM2's and TinyLlama's: config.json and model.safetensors with its
tensor names, nn.Linear weights stored [out, in]), and computes its logits with the forward pass of
transformers' modeling_llama.py. It shares no code with the Java side, nor with hf_gpt2_reference.py: its own
safetensors reader and writer, its own forward pass.

    python3 hf_llama_reference.py make DIR VARIANT   write DIR/config.json, DIR/model.safetensors, DIR/ids.json,
                                                     then the logits as `forward`
    python3 hf_llama_reference.py forward DIR        read DIR/config.json, DIR/model.safetensors and DIR/ids.json
                                                     and write DIR/reference_logits.json ([B][T][V], float64)

VARIANT (both: 2 layers, hidden 64, 4 query heads and 2 key/value heads of 16, intermediate 176, 300 tokens,
32 positions):
  tied     tie_word_embeddings true, no lm_head.weight (as SmolLM2), rope_theta 10000, rms_norm_eps 1e-6
  untied   tie_word_embeddings false with its own lm_head.weight (as TinyLlama), rope_theta 500000,
           rms_norm_eps 1e-5, and the rotary_emb.inv_freq buffers older conversions saved

The forward pass (modeling_llama.py; nn.Linear: y = x @ W.T, no biases):
    h = embed_tokens[ids]
    for each layer: h = h + o_proj(attn(input_layernorm(h)));  h = h + down_proj(silu(gate_proj(x)) * up_proj(x))
                    with x = post_attention_layernorm(h)
    logits = norm(h) @ lm_head.T                 (lm_head = embed_tokens when tied)
LlamaRMSNorm: weight * (x * rsqrt(mean(x^2) + eps)), computed in float32 or wider.
Attention: q, k, v = q_proj(x), k_proj(x), v_proj(x) viewed as (B, T, heads, head_dim) and transposed to
(B, heads, T, head_dim); rotary embedding on q and k with rotate_half (component i paired with i + head_dim/2):
    inv_freq = 1 / theta^(arange(0, d, 2) / d),  freqs = t * inv_freq,  emb = cat(freqs, freqs)
    q' = q * cos(emb) + rotate_half(q) * sin(emb),  rotate_half(x) = cat(-x[..., d/2:], x[..., :d/2])
then repeat_kv (key/value head j serves query heads j*r .. j*r + r - 1, r = heads / kv_heads), scores
q k^T / sqrt(head_dim), the causal mask, softmax over the keys in float32 or wider, att v, heads merged.
The computation here is in float64 on the float32 weights: the exact result that Hugging Face's float32 run
approximates.
"""
import json
import struct
import sys

import numpy as np

SHAPE = {"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 2,
         "intermediate_size": 176, "vocab_size": 300, "max_position_embeddings": 32}


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
            raise ValueError(f"{name}: dtype {info['dtype']}")
        out[name] = a.reshape(info["shape"])
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        b = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def random_llama(cfg, rng, std=0.1):
    L, C, V, I = cfg["num_hidden_layers"], cfg["hidden_size"], cfg["vocab_size"], cfg["intermediate_size"]
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    d = C // nh
    g = lambda *shape: rng.normal(0.0, std, shape).astype(np.float32)
    W = {"model.embed_tokens.weight": g(V, C) * 2, "model.norm.weight": 1 + g(C)}
    for i in range(L):
        p = f"model.layers.{i}."
        W.update({
            p + "input_layernorm.weight": 1 + g(C),
            p + "self_attn.q_proj.weight": g(nh * d, C), p + "self_attn.k_proj.weight": g(nkv * d, C),
            p + "self_attn.v_proj.weight": g(nkv * d, C), p + "self_attn.o_proj.weight": g(C, nh * d),
            p + "post_attention_layernorm.weight": 1 + g(C),
            p + "mlp.gate_proj.weight": g(I, C), p + "mlp.up_proj.weight": g(I, C), p + "mlp.down_proj.weight": g(C, I),
        })
    if not cfg["tie_word_embeddings"]:
        W["lm_head.weight"] = g(V, C) * 2
    return W


def forward(W, cfg, ids):
    W = {k[len("model."):] if k.startswith("model.") else k: v.astype(np.float64) for k, v in W.items()}
    C, nh, L = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"]
    nkv = cfg.get("num_key_value_heads") or nh
    d = C // nh
    r = nh // nkv
    eps = cfg.get("rms_norm_eps", 1e-6)
    theta = cfg.get("rope_theta", 10000.0)
    assert cfg.get("hidden_act", "silu") == "silu" and cfg.get("rope_scaling") is None

    def rms_norm(x, name):                                                 # LlamaRMSNorm
        variance = (x * x).mean(-1, keepdims=True)
        return W[name + ".weight"] * (x / np.sqrt(variance + eps))

    def linear(x, name):                                                   # nn.Linear without bias
        return x @ W[name + ".weight"].T

    def rotate_half(x):
        return np.concatenate([-x[..., d // 2:], x[..., :d // 2]], axis=-1)

    B, T = ids.shape
    inv_freq = 1.0 / theta ** (np.arange(0, d, 2, dtype=np.float64) / d)   # (d/2)
    freqs = np.arange(T, dtype=np.float64)[:, None] * inv_freq[None, :]   # (T, d/2)
    emb = np.concatenate([freqs, freqs], axis=-1)                          # (T, d)
    cos, sin = np.cos(emb), np.sin(emb)
    causal = np.tril(np.ones((T, T), dtype=bool))

    h = W["embed_tokens.weight"][ids]                                      # (B, T, C)
    for i in range(L):
        p = f"layers.{i}."
        x = rms_norm(h, p + "input_layernorm")
        q = linear(x, p + "self_attn.q_proj").reshape(B, T, nh, d).transpose(0, 2, 1, 3)   # (B, nh, T, d)
        k = linear(x, p + "self_attn.k_proj").reshape(B, T, nkv, d).transpose(0, 2, 1, 3)  # (B, nkv, T, d)
        v = linear(x, p + "self_attn.v_proj").reshape(B, T, nkv, d).transpose(0, 2, 1, 3)  # (B, nkv, T, d)
        q = q * cos + rotate_half(q) * sin                                 # apply_rotary_pos_emb
        k = k * cos + rotate_half(k) * sin
        k = np.repeat(k, r, axis=1)                                        # repeat_kv: (B, nh, T, d)
        v = np.repeat(v, r, axis=1)
        w = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d)                       # (B, nh, T, T)
        w = np.where(causal, w, -np.inf)
        w = np.exp(w - w.max(-1, keepdims=True))
        w /= w.sum(-1, keepdims=True)
        a = (w @ v).transpose(0, 2, 1, 3).reshape(B, T, nh * d)            # heads merged
        h = h + linear(a, p + "self_attn.o_proj")
        x = rms_norm(h, p + "post_attention_layernorm")
        g = linear(x, p + "mlp.gate_proj")
        h = h + linear(g / (1.0 + np.exp(-g)) * linear(x, p + "mlp.up_proj"), p + "mlp.down_proj")
    h = rms_norm(h, "norm")
    head = W["embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else W["lm_head.weight"]
    return h @ head.T                                                      # (B, T, V)


def run_forward(d):
    cfg = json.load(open(f"{d}/config.json"))
    W = read_safetensors(f"{d}/model.safetensors")
    ids = np.array(json.load(open(f"{d}/ids.json")), dtype=np.int64)
    json.dump(forward(W, cfg, ids).tolist(), open(f"{d}/reference_logits.json", "w"))


def make(d, variant):
    tied = variant == "tied"
    rng = np.random.default_rng({"tied": 11, "untied": 12}[variant])
    cfg = dict(SHAPE, architectures=["LlamaForCausalLM"], model_type="llama", hidden_act="silu",
               attention_bias=False, attention_dropout=0.0, mlp_bias=False, rope_scaling=None,
               rope_theta=10000.0 if tied else 500000.0, rms_norm_eps=1e-6 if tied else 1e-5,
               tie_word_embeddings=tied, bos_token_id=0, eos_token_id=0, initializer_range=0.02,
               pretraining_tp=1, torch_dtype="float32", use_cache=True, rope_interleaved=False)
    W = random_llama(cfg, rng)
    if not tied:
        d_head = cfg["hidden_size"] // cfg["num_attention_heads"]
        for i in range(cfg["num_hidden_layers"]):
            W[f"model.layers.{i}.self_attn.rotary_emb.inv_freq"] = (
                1.0 / cfg["rope_theta"] ** (np.arange(0, d_head, 2) / d_head)).astype(np.float32)
    json.dump(cfg, open(f"{d}/config.json", "w"), indent=2)
    write_safetensors(f"{d}/model.safetensors", W)
    ids = rng.integers(0, cfg["vocab_size"], size=(2, 16))
    json.dump(ids.tolist(), open(f"{d}/ids.json", "w"))
    run_forward(d)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "forward":
        run_forward(sys.argv[2])
    else:
        raise SystemExit(__doc__)
