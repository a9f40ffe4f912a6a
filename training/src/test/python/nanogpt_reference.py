"""A NumPy reference for minitransformer's training step: nanoGPT's model and train.py, written out.

The block options are here too, each with its hand-written backward pass: rotary positions (Hugging
Face's rotate_half pairing) or none, RMSNorm, SwiGLU and ReLU^2 MLPs, grouped-query attention
(Hugging Face's repeat_kv), QK-norm (nanochat) and the logit soft-cap, read from model_config.json.

Forward pass, a hand-written backward pass, clipping by global norm (torch.nn.utils.clip_grad_norm_),
AdamW as torch.optim.AdamW with decay on every parameter of rank >= 2 (nanoGPT's configure_optimizers),
all in float32. It shares no code with the Java side: it reads an exported model (model.npz and
model_config.json, see checkpoints/README.md) and a steps file, trains, and writes what it saw.

    python3 nanogpt_reference.py DIR

DIR/model.npz, DIR/model_config.json: the initial weights (the program's export format).
DIR/steps.json: {"batches": [[x, y], ...] (x, y: B x T token ids), "lrs": [...], "beta1", "beta2",
                 "weight_decay", "grad_clip", "eps", "gelu": "tanh" | "erf"}.
Writes DIR/reference.json: {"losses": [...], "grad_norms": [...]} and DIR/reference_final.npz (the
weights after the last step, same names).

`selfcheck` as DIR checks the backward pass against central differences in float64 instead.
"""
import json
import math
import sys

import numpy as np


class Model:
    """nanoGPT's GPT over a dict of arrays named as in the export ("h0.attn.W_Q", [in, out] layout)."""

    def __init__(self, P, cfg, gelu="tanh"):
        self.P, self.cfg, self.gelu_kind = P, cfg, gelu
        self.L, self.nh, self.C = cfg["n_layer"], cfg["n_head"], cfg["n_embd"]
        self.eps = cfg.get("norm_eps", 1e-5)
        self.pe = cfg["positional_encoding"]
        self.rms = cfg.get("norm", "layernorm") == "rmsnorm"
        self.mlp = cfg.get("mlp", "gelu")
        self.nkv = cfg.get("n_kv_head", self.nh)
        self.qk_norm = cfg.get("qk_norm", False)
        self.cap = cfg.get("logit_softcap", 0.0)
        self.theta = cfg.get("rope_theta", 10000.0)

    def bias(self, name):
        return self.P.get(name)

    def positions(self, T):
        if self.pe in ("rope", "none"):
            return np.zeros((T, self.C), self.P["wte"].dtype)
        if self.pe == "learned":
            return self.P["wpe"][:T]
        C = self.C
        t, j = np.arange(T)[:, None], np.arange(C // 2)[None, :]
        angle = t / 10000.0 ** (2 * j / C)
        pe = np.zeros((T, C))
        pe[:, 0::2], pe[:, 1::2] = np.sin(angle), np.cos(angle)
        return (0.02 * math.sqrt(2) * pe).astype(self.P["wte"].dtype)

    def linear(self, x, w, b):
        y = x @ self.P[w]
        return y if self.bias(b) is None else y + self.P[b]

    def rope_tables(self, T, hs):
        """cos and sin of t * theta^(-2i/hs), repeated over the two halves: (T, hs), float32 as the program's."""
        i = np.arange(hs // 2)
        angle = np.arange(T)[:, None] * self.theta ** (-2.0 * i / hs)[None, :]
        angle = np.concatenate([angle, angle], -1)
        dt = self.P["wte"].dtype
        return np.cos(angle).astype(dt), np.sin(angle).astype(dt)

    @staticmethod
    def rotate_half(z):
        """Hugging Face's rotate_half: concat(-z[hs/2:], z[:hs/2]) over the last axis."""
        h = z.shape[-1] // 2
        return np.concatenate([-z[..., h:], z[..., :h]], -1)

    def rope(self, z, tables):
        cos, sin = tables
        return z * cos + self.rotate_half(z) * sin

    def rope_back(self, dy, tables):
        # rotate_half is R with R^T = -R: dz = dy cos + R^T (dy sin) = dy cos - rotate_half(dy sin)
        cos, sin = tables
        return dy * cos - self.rotate_half(dy * sin)

    def rms_heads(self, z):
        """QK-norm: z / sqrt(mean(z^2) + eps) over the head's components, no gain."""
        r = 1.0 / np.sqrt((z * z).mean(-1, keepdims=True) + self.eps)
        return z * r, (z * r, r)

    @staticmethod
    def rms_heads_back(dy, cache):
        zn, r = cache
        return r * (dy - zn * (dy * zn).mean(-1, keepdims=True))

    def norm(self, x, prefix):
        return self.rmsnorm(x, prefix) if self.rms else self.ln(x, prefix)

    def norm_back(self, dy, cache, G):
        return self.rmsnorm_back(dy, cache, G) if self.rms else self.ln_back(dy, cache, G)

    def rmsnorm(self, x, prefix):
        rstd = 1.0 / np.sqrt((x * x).mean(-1, keepdims=True) + self.eps)
        xhat = x * rstd
        return xhat * self.P[prefix + ".gamma"], (xhat, rstd, prefix)

    def rmsnorm_back(self, dy, cache, G):
        xhat, rstd, prefix = cache
        flat = lambda a: a.reshape(-1, a.shape[-1])
        G[prefix + ".gamma"] = (flat(dy) * flat(xhat)).sum(0)
        dxhat = dy * self.P[prefix + ".gamma"]
        return rstd * (dxhat - xhat * (dxhat * xhat).mean(-1, keepdims=True))

    def ffn(self, h, m):
        """The MLP: gelu or relu2 (W_fc, W_proj), or swiglu (W_gate, W_up, W_down)."""
        if self.mlp == "swiglu":
            g = self.linear(h, m + "W_gate", m + "b_gate")
            u = self.linear(h, m + "W_up", m + "b_up")
            sg = 1.0 / (1.0 + np.exp(-g))
            a = g * sg * u
            return self.linear(a, m + "W_down", m + "b_down"), (h, g, u, sg, a)
        f = self.linear(h, m + "W_fc", m + "b_fc")
        a = np.maximum(f, 0) ** 2 if self.mlp == "relu2" else self.gelu(f)
        return self.linear(a, m + "W_proj", m + "b_proj"), (h, f, a)

    def ffn_back(self, dy, cache, m, G):
        if self.mlp == "swiglu":
            h, g, u, sg, a = cache
            da = self.linear_back(a, dy, m + "W_down", m + "b_down", G)
            dg = da * u * sg * (1 + g * (1 - sg))  # d silu(g) = sigma(g) (1 + g (1 - sigma(g)))
            du = da * g * sg
            return (self.linear_back(h, dg, m + "W_gate", m + "b_gate", G)
                    + self.linear_back(h, du, m + "W_up", m + "b_up", G))
        h, f, a = cache
        da = self.linear_back(a, dy, m + "W_proj", m + "b_proj", G)
        df = da * (2 * np.maximum(f, 0) if self.mlp == "relu2" else self.gelu_grad(f))
        return self.linear_back(h, df, m + "W_fc", m + "b_fc", G)

    def ln(self, x, prefix):
        mu = x.mean(-1, keepdims=True)
        xc = x - mu
        rstd = 1.0 / np.sqrt((xc * xc).mean(-1, keepdims=True) + self.eps)
        xhat = xc * rstd
        y = xhat * self.P[prefix + ".gamma"]
        if self.bias(prefix + ".beta") is not None:
            y = y + self.P[prefix + ".beta"]
        return y, (xhat, rstd, prefix)

    def ln_back(self, dy, cache, G):
        xhat, rstd, prefix = cache
        flat = lambda a: a.reshape(-1, a.shape[-1])
        G[prefix + ".gamma"] = (flat(dy) * flat(xhat)).sum(0)
        if self.bias(prefix + ".beta") is not None:
            G[prefix + ".beta"] = flat(dy).sum(0)
        dxhat = dy * self.P[prefix + ".gamma"]
        return rstd * (dxhat - dxhat.mean(-1, keepdims=True) - xhat * (dxhat * xhat).mean(-1, keepdims=True))

    def gelu(self, f):
        if self.gelu_kind == "erf":
            from scipy.special import erf
            return 0.5 * f * (1 + erf(f / math.sqrt(2)))
        c = math.sqrt(2 / math.pi)
        return 0.5 * f * (1 + np.tanh(c * (f + 0.044715 * f ** 3)))

    def gelu_grad(self, f):
        if self.gelu_kind == "erf":
            from scipy.special import erf
            return 0.5 * (1 + erf(f / math.sqrt(2))) + f * np.exp(-0.5 * f * f) / math.sqrt(2 * math.pi)
        c = math.sqrt(2 / math.pi)
        t = np.tanh(c * (f + 0.044715 * f ** 3))
        return 0.5 * (1 + t) + 0.5 * f * (1 - t * t) * c * (1 + 3 * 0.044715 * f * f)

    def linear_back(self, x, dy, w, b, G):
        """Gradients of y = x @ W + b for W and b; returns dx."""
        N = dy.size // dy.shape[-1]
        G[w] = x.reshape(N, -1).T @ dy.reshape(N, -1)
        if self.bias(b) is not None:
            G[b] = dy.reshape(N, -1).sum(0)
        return dy @ self.P[w].T

    def loss_and_grads(self, idx, tgt, need_grad=True):
        P, nh, nkv, C = self.P, self.nh, self.nkv, self.C
        B, T = idx.shape
        hs = C // nh
        r = nh // nkv  # query heads per key/value head
        scale = 1.0 / math.sqrt(hs)
        mask = np.triu(np.full((T, T), -np.inf, dtype=P["wte"].dtype), 1)
        heads = lambda z, n: z.reshape(B, T, n, hs).transpose(0, 2, 1, 3)  # (B, n, T, hs)
        unheads = lambda z: z.transpose(0, 2, 1, 3).reshape(B, T, -1)  # (B, T, n*hs)
        tables = self.rope_tables(T, hs) if self.pe == "rope" else None
        x = P["wte"][idx] + self.positions(T)  # (B, T, C)
        caches = []
        for i in range(self.L):
            a, m = f"h{i}.attn.", f"h{i}.mlp."
            h1, c1 = self.norm(x, f"h{i}.ln_1")
            q = heads(self.linear(h1, a + "W_Q", a + "b_Q"), nh)  # (B, nh, T, hs)
            k = heads(self.linear(h1, a + "W_K", a + "b_K"), nkv)  # (B, nkv, T, hs)
            v = heads(self.linear(h1, a + "W_V", a + "b_V"), nkv)
            if tables is not None:
                q, k = self.rope(q, tables), self.rope(k, tables)
            cq = ck = None
            if self.qk_norm:
                (q, cq), (k, ck) = self.rms_heads(q), self.rms_heads(k)
            kr, vr = np.repeat(k, r, axis=1), np.repeat(v, r, axis=1)  # repeat_kv: (B, nh, T, hs)
            s = (q @ kr.transpose(0, 1, 3, 2)) * scale + mask
            att = np.exp(s - s.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            yh = unheads(att @ vr)
            x = x + self.linear(yh, a + "W_O", a + "b_O")
            h2, c2 = self.norm(x, f"h{i}.ln_2")
            out, cm = self.ffn(h2, m)
            x = x + out
            caches.append((h1, c1, q, kr, vr, cq, ck, att, yh, c2, cm))
        hf, cf = self.norm(x, "ln_f")
        tied = self.cfg["tie_embeddings"]
        raw = hf @ (P["wte"].T if tied else P["lm_head.W"])  # (B, T, V)
        logits = self.cap * np.tanh(raw / self.cap) if self.cap else raw
        z = logits - logits.max(-1, keepdims=True)
        ez = np.exp(z)
        se = ez.sum(-1, keepdims=True)
        logp = z - np.log(se)
        loss = -np.take_along_axis(logp, tgt[..., None], -1).mean()
        if not need_grad:
            return float(loss), None
        N = B * T
        G = {}
        dlogits = ez / se
        np.put_along_axis(dlogits, tgt[..., None], np.take_along_axis(dlogits, tgt[..., None], -1) - 1, -1)
        dlogits /= N
        if self.cap:
            dlogits = dlogits * (1 - (logits / self.cap) ** 2)  # d cap*tanh(raw/cap) = 1 - tanh^2
        if tied:
            G["wte"] = dlogits.reshape(N, -1).T @ hf.reshape(N, C)
            dhf = dlogits @ P["wte"]
        else:
            G["wte"] = np.zeros_like(P["wte"])
            G["lm_head.W"] = hf.reshape(N, C).T @ dlogits.reshape(N, -1)
            dhf = dlogits @ P["lm_head.W"].T
        dx = self.norm_back(dhf, cf, G)
        for i in reversed(range(self.L)):
            a, m = f"h{i}.attn.", f"h{i}.mlp."
            h1, c1, q, kr, vr, cq, ck, att, yh, c2, cm = caches[i]
            dx = dx + self.norm_back(self.ffn_back(dx, cm, m, G), c2, G)
            dyh = heads(self.linear_back(yh, dx, a + "W_O", a + "b_O", G), nh)
            datt = dyh @ vr.transpose(0, 1, 3, 2)
            dvr = att.transpose(0, 1, 3, 2) @ dyh
            ds = att * (datt - (datt * att).sum(-1, keepdims=True)) * scale
            dq, dkr = ds @ kr, ds.transpose(0, 1, 3, 2) @ q
            dk = dkr.reshape(B, nkv, r, T, hs).sum(2)  # the r query heads of a group share k and v
            dv = dvr.reshape(B, nkv, r, T, hs).sum(2)
            if self.qk_norm:
                dq, dk = self.rms_heads_back(dq, cq), self.rms_heads_back(dk, ck)
            if tables is not None:
                dq, dk = self.rope_back(dq, tables), self.rope_back(dk, tables)
            dh1 = 0
            for n, dz in zip("QKV", (dq, dk, dv)):
                dh1 = dh1 + self.linear_back(h1, unheads(dz), a + "W_" + n, a + "b_" + n, G)
            dx = dx + self.norm_back(dh1, c1, G)
        if "wpe" in P:
            G["wpe"] = np.zeros_like(P["wpe"])
            G["wpe"][:T] = dx.sum(0)
        np.add.at(G["wte"], idx.reshape(-1), dx.reshape(N, C))
        return float(loss), G


def clip_grad_norm(G, max_norm):
    """torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1."""
    norm = math.sqrt(sum(float((g.astype(np.float64) ** 2).sum()) for g in G.values()))
    if max_norm > 0:
        coef = max_norm / (norm + 1e-6)
        if coef < 1:
            for g in G.values():
                g *= np.float32(coef)
    return norm


class AdamW:
    """torch.optim.AdamW (amsgrad off): p *= 1 - lr*wd, then Adam with bias corrections."""

    def __init__(self, P, beta1, beta2, weight_decay, eps):
        self.b1, self.b2, self.wd, self.eps, self.t = beta1, beta2, weight_decay, eps, 0
        self.m = {n: np.zeros_like(p) for n, p in P.items()}
        self.v = {n: np.zeros_like(p) for n, p in P.items()}

    def step(self, P, G, lr):
        self.t += 1
        bc1, bc2 = 1 - self.b1 ** self.t, 1 - self.b2 ** self.t
        for n, p in P.items():
            g = G[n]
            if p.ndim >= 2 and self.wd:
                p *= np.float32(1 - lr * self.wd)
            self.m[n] = self.b1 * self.m[n] + (1 - self.b1) * g
            self.v[n] = self.b2 * self.v[n] + (1 - self.b2) * g * g
            p -= (lr / bc1) * self.m[n] / (np.sqrt(self.v[n]) / math.sqrt(bc2) + self.eps)


def train(d):
    cfg = json.load(open(f"{d}/model_config.json"))
    steps = json.load(open(f"{d}/steps.json"))
    with np.load(f"{d}/model.npz") as z:
        P = {n: z[n].astype(np.float32) for n in z.files}
    model = Model(P, cfg, steps.get("gelu", "tanh"))
    opt = AdamW(P, steps["beta1"], steps["beta2"], steps["weight_decay"], steps["eps"])
    losses, norms = [], []
    for (x, y), lr in zip(steps["batches"], steps["lrs"]):
        loss, G = model.loss_and_grads(np.array(x), np.array(y))
        norms.append(clip_grad_norm(G, steps["grad_clip"]))
        opt.step(P, G, lr)
        losses.append(loss)
    json.dump({"losses": losses, "grad_norms": norms}, open(f"{d}/reference.json", "w"))
    np.savez(f"{d}/reference_final.npz", **P)


def selfcheck():
    """The hand-written backward pass against central differences, float64, every parameter kind."""
    rng = np.random.default_rng(0)
    C, V, T, L = 8, 11, 5, 2
    worst = 0.0
    try:
        import scipy.special  # noqa: F401  (nanoGPT's exact GELU needs erf)
        exact = "erf"
    except ImportError:
        exact = "tanh"
    gpt2 = {"positional_encoding": "learned", "n_head": 2}
    for bias, tied, opts, gelu in (
            (False, True, gpt2, "tanh"),
            (True, False, dict(gpt2, positional_encoding="sinusoidal"), exact),
            (True, False, {"positional_encoding": "rope", "rope_theta": 100.0, "n_head": 4, "n_kv_head": 2,
                           "norm": "rmsnorm", "norm_eps": 1e-6, "mlp": "swiglu", "mlp_hidden": 12,
                           "qk_norm": True, "logit_softcap": 2.0}, "tanh"),
            (False, True, {"positional_encoding": "none", "n_head": 4, "n_kv_head": 1, "mlp": "relu2",
                           "mlp_hidden": 16, "norm_eps": 1e-3}, "tanh")):
        nh, nkv = opts["n_head"], opts.get("n_kv_head", opts["n_head"])
        kv = C // nh * nkv
        rms = opts.get("norm") == "rmsnorm"
        H = opts.get("mlp_hidden", 4 * C)
        P = {"wte": rng.normal(0, .3, (V, C)), "ln_f.gamma": 1 + rng.normal(0, .1, C)}
        if opts["positional_encoding"] == "learned":
            P["wpe"] = rng.normal(0, .3, (T, C))
        if not tied:
            P["lm_head.W"] = rng.normal(0, .3, (C, V))
        shapes = {"attn.W_Q": (C, C), "attn.W_K": (C, kv), "attn.W_V": (C, kv), "attn.W_O": (C, C)}
        if opts.get("mlp") == "swiglu":
            shapes.update({"mlp.W_gate": (C, H), "mlp.W_up": (C, H), "mlp.W_down": (H, C)})
        else:
            shapes.update({"mlp.W_fc": (C, H), "mlp.W_proj": (H, C)})
        for i in range(L):
            for n, s in shapes.items():
                P[f"h{i}.{n}"] = rng.normal(0, .3, s)
                if bias:
                    P[f"h{i}.{n.replace('W_', 'b_')}"] = rng.normal(0, .1, s[1])
            for n in ("ln_1", "ln_2"):
                P[f"h{i}.{n}.gamma"] = 1 + rng.normal(0, .1, C)
                if bias and not rms:
                    P[f"h{i}.{n}.beta"] = rng.normal(0, .1, C)
        if bias and not rms:
            P["ln_f.beta"] = rng.normal(0, .1, C)
        cfg = dict(opts, n_layer=L, n_embd=C, tie_embeddings=tied)
        model = Model(P, cfg, gelu)
        idx, tgt = rng.integers(0, V, (3, T)), rng.integers(0, V, (3, T))
        _, G = model.loss_and_grads(idx, tgt)
        assert set(G) == set(P), set(P) ^ set(G)
        for n, p in P.items():
            for j in rng.choice(p.size, min(p.size, 6), replace=False):
                old, h = p.flat[j], 1e-6
                p.flat[j] = old + h
                lp = model.loss_and_grads(idx, tgt, False)[0]
                p.flat[j] = old - h
                lm = model.loss_and_grads(idx, tgt, False)[0]
                p.flat[j] = old
                num = (lp - lm) / (2 * h)
                # The floor 1e-5 sits far above the central difference's round-off (eps * |L| / h, about
                # 2e-10) and far below real gradients (1e-3 to 1): an exactly-zero gradient, such as the key
                # bias's (it shifts every score of a row alike), must not read as a relative error of 2e-10 / 1e-8.
                worst = max(worst, abs(num - G[n].flat[j]) / max(1e-5, abs(num) + abs(G[n].flat[j])))
    print(json.dumps({"worst_relative_error": worst}))


if __name__ == "__main__":
    if sys.argv[1] == "selfcheck":
        selfcheck()
    else:
        train(sys.argv[1])
