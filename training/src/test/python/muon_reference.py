#!/usr/bin/env python3
"""Muon's update in NumPy, written from Keller Jordan's muon.py (SingleDeviceMuon), for MuonReferenceTest.

It shares no code with the Java side and works in PyTorch's layout: nn.Linear stores a weight
[out, in], minitransformer stores it [in, out], so every matrix is transposed on the way in and
back on the way out; the shape scale max(1, rows/cols)**0.5 is muon.py's, on [out, in].

    python3 muon_reference.py DIR     reads DIR/muon_steps.json, writes DIR/muon_reference.json

muon_steps.json: {"momentum": beta, "weight_decay": wd, "parameters": {name: [[...]] [in, out]},
                  "steps": [{"lr": eta, "gradients": {name: [[...]]}}, ...]}
muon_reference.json: {"parameters": {name: final [in, out]}, "momentum": {name: buffer [in, out]},
                      "updates": [{name: the orthogonalized, shape-scaled update [in, out]}, ...],
                      "singular_values": [{name: [...]}, ...] of each step's orthogonalized update}
Everything in float64.
"""
import json
import sys

import numpy as np


def zeropower_via_newtonschulz5(G, steps=5):
    """Newton-Schulz iteration with the quintic coefficients: about U V^T for G = U S V^T."""
    assert G.ndim == 2
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.astype(np.float64)
    if G.shape[0] > G.shape[1]:
        X = X.T
    X = X / (np.linalg.norm(X) + 1e-7)  # Frobenius norm: spectral norm at most 1
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    if G.shape[0] > G.shape[1]:
        X = X.T
    return X


def muon_update(grad, momentum, beta):
    """One step's update; momentum is updated in place (muon.py's muon_update with nesterov=True)."""
    momentum += (1 - beta) * (grad - momentum)  # momentum.lerp_(grad, 1 - beta)
    update = grad + beta * (momentum - grad)  # grad.lerp_(momentum, beta)
    orthogonal = zeropower_via_newtonschulz5(update)
    return orthogonal * max(1, grad.shape[0] / grad.shape[1]) ** 0.5, orthogonal


def main(directory):
    with open(f"{directory}/muon_steps.json") as f:
        spec = json.load(f)
    beta = spec["momentum"]
    wd = spec["weight_decay"]
    # to PyTorch's [out, in]
    params = {n: np.array(w, dtype=np.float64).T.copy() for n, w in spec["parameters"].items()}
    buffers = {n: np.zeros_like(p) for n, p in params.items()}
    updates, singular_values = [], []
    for step in spec["steps"]:
        lr = step["lr"]
        step_updates, step_singular = {}, {}
        for name, p in params.items():
            grad = np.array(step["gradients"][name], dtype=np.float64).T
            update, orthogonal = muon_update(grad, buffers[name], beta)
            p *= 1 - lr * wd  # p.mul_(1 - lr * weight_decay)
            p -= lr * update  # p.add_(update, alpha=-lr)
            step_updates[name] = update.T.tolist()
            step_singular[name] = np.linalg.svd(orthogonal, compute_uv=False).tolist()
        updates.append(step_updates)
        singular_values.append(step_singular)
    result = {
        "parameters": {n: p.T.tolist() for n, p in params.items()},
        "momentum": {n: m.T.tolist() for n, m in buffers.items()},
        "updates": updates,
        "singular_values": singular_values,
    }
    with open(f"{directory}/muon_reference.json", "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main(sys.argv[1])
