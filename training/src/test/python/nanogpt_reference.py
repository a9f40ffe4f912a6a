"""A NumPy reference for minitransformer's training step: nanoGPT's model and train.py, written out.

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
        self.eps = cfg.get("layer_norm_eps", 1e-5)

    def bias(self, name):
        return self.P.get(name)

    def positions(self, T):
        if self.cfg["positional_encoding"] == "learned":
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
        P, nh, C = self.P, self.nh, self.C
        B, T = idx.shape
        hs = C // nh
        scale = 1.0 / math.sqrt(hs)
        mask = np.triu(np.full((T, T), -np.inf, dtype=P["wte"].dtype), 1)
        heads = lambda z: z.reshape(B, T, nh, hs).transpose(0, 2, 1, 3)  # (B, nh, T, hs)
        x = P["wte"][idx] + self.positions(T)  # (B, T, C)
        caches = []
        for i in range(self.L):
            a, m = f"h{i}.attn.", f"h{i}.mlp."
            h1, c1 = self.ln(x, f"h{i}.ln_1")
            q, k, v = (heads(self.linear(h1, a + "W_" + n, a + "b_" + n)) for n in "QKV")
            s = (q @ k.transpose(0, 1, 3, 2)) * scale + mask
            att = np.exp(s - s.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            yh = (att @ v).transpose(0, 2, 1, 3).reshape(B, T, C)
            x = x + self.linear(yh, a + "W_O", a + "b_O")
            h2, c2 = self.ln(x, f"h{i}.ln_2")
            f = self.linear(h2, m + "W_fc", m + "b_fc")
            gl = self.gelu(f)
            x = x + self.linear(gl, m + "W_proj", m + "b_proj")
            caches.append((h1, c1, q, k, v, att, yh, h2, c2, f, gl))
        hf, cf = self.ln(x, "ln_f")
        tied = self.cfg["tie_embeddings"]
        logits = hf @ (P["wte"].T if tied else P["lm_head.W"])  # (B, T, V)
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
        if tied:
            G["wte"] = dlogits.reshape(N, -1).T @ hf.reshape(N, C)
            dhf = dlogits @ P["wte"]
        else:
            G["wte"] = np.zeros_like(P["wte"])
            G["lm_head.W"] = hf.reshape(N, C).T @ dlogits.reshape(N, -1)
            dhf = dlogits @ P["lm_head.W"].T
        dx = self.ln_back(dhf, cf, G)
        for i in reversed(range(self.L)):
            a, m = f"h{i}.attn.", f"h{i}.mlp."
            h1, c1, q, k, v, att, yh, h2, c2, f, gl = caches[i]
            dgl = self.linear_back(gl, dx, m + "W_proj", m + "b_proj", G)
            dh2 = self.linear_back(h2, dgl * self.gelu_grad(f), m + "W_fc", m + "b_fc", G)
            dx = dx + self.ln_back(dh2, c2, G)
            dyh = heads(self.linear_back(yh, dx, a + "W_O", a + "b_O", G))
            datt = dyh @ v.transpose(0, 1, 3, 2)
            dv = att.transpose(0, 1, 3, 2) @ dyh
            ds = att * (datt - (datt * att).sum(-1, keepdims=True)) * scale
            dq, dk = ds @ k, ds.transpose(0, 1, 3, 2) @ q
            dh1 = 0
            for n, dz in zip("QKV", (dq, dk, dv)):
                dz = dz.transpose(0, 2, 1, 3).reshape(B, T, C)
                dh1 = dh1 + self.linear_back(h1, dz, a + "W_" + n, a + "b_" + n, G)
            dx = dx + self.ln_back(dh1, c1, G)
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
    C, V, T, L, nh = 8, 11, 5, 2, 2
    worst = 0.0
    try:
        import scipy.special  # noqa: F401  (nanoGPT's exact GELU needs erf)
        exact = "erf"
    except ImportError:
        exact = "tanh"
    for bias, tied, pos, gelu in ((False, True, "learned", "tanh"), (True, False, "sinusoidal", exact)):
        P = {"wte": rng.normal(0, .3, (V, C)), "ln_f.gamma": 1 + rng.normal(0, .1, C)}
        if pos == "learned":
            P["wpe"] = rng.normal(0, .3, (T, C))
        if not tied:
            P["lm_head.W"] = rng.normal(0, .3, (C, V))
        shapes = {"attn.W_Q": (C, C), "attn.W_K": (C, C), "attn.W_V": (C, C), "attn.W_O": (C, C),
                  "mlp.W_fc": (C, 4 * C), "mlp.W_proj": (4 * C, C)}
        for i in range(L):
            for n, s in shapes.items():
                P[f"h{i}.{n}"] = rng.normal(0, .3, s)
                if bias:
                    P[f"h{i}.{n.replace('W_', 'b_')}"] = rng.normal(0, .1, s[1])
            for n in ("ln_1", "ln_2"):
                P[f"h{i}.{n}.gamma"] = 1 + rng.normal(0, .1, C)
                if bias:
                    P[f"h{i}.{n}.beta"] = rng.normal(0, .1, C)
        if bias:
            P["ln_f.beta"] = rng.normal(0, .1, C)
        cfg = {"n_layer": L, "n_head": nh, "n_embd": C, "positional_encoding": pos, "tie_embeddings": tied}
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
