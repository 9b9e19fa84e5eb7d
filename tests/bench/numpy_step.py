#!/usr/bin/env python3
"""The papers' training step as a plain NumPy loop: the yardstick scripts/bench.sh compares the core with.

Query model on the papers' random scene (n = 6 sequences, T = 8 unit-norm tokens, d = 10, unit v,
random labels, z_i = the first token), logistic loss, normalized mirror descent with p = 3 and
eta = 0.1, W(0) ~ N(0, 1): the same maths as core/model.cpp and core/optimizer.cpp (docs/theory.md
§2-4), written the way a researcher would in NumPy (vectorized over sequences, no Python loop inside
a step). Prints one line: steps per second (best of three timed runs).

    python3 tests/bench/numpy_step.py [--steps N] [--n N --T T --d D]
"""
import argparse
import time

import numpy as np


def make_scene(rng, n, T, d):
    def unit(*shape):
        x = rng.standard_normal(shape)
        return x / np.linalg.norm(x, axis=-1, keepdims=True)

    X = unit(n, T, d)
    v = unit(d)
    y = rng.choice([-1.0, 1.0], size=n)
    return X, v, y


def train(X, v, y, W, steps, p=3.0, lr=0.1):
    n = X.shape[0]
    Z = X[:, 0, :]                      # z_i: the first token
    H = X @ v                           # h_it = v^T x_it, fixed (v is not trained)
    q = p / (p - 1.0)
    u = np.sign(W) * np.abs(W) ** (p - 1.0)  # the dual variable, the optimizer's state
    for _ in range(steps):
        keys = Z @ W.T                                   # W z_i
        a = np.einsum('ntd,nd->nt', X, keys)             # a_it = x_it^T W z_i
        a -= a.max(axis=1, keepdims=True)
        s = np.exp(a)
        s /= s.sum(axis=1, keepdims=True)
        f = (s * H).sum(axis=1)
        margin = y * f
        dl = -1.0 / (1.0 + np.exp(margin))               # l'(u) of the logistic loss
        dA = s * (H - f[:, None])                        # df_i / da_it
        coef = (dl * y / n)[:, None] * dA                # (n, T)
        G = np.einsum('nt,ntd,ne->de', coef, X, Z)       # sum_i sum_t coef_it x_it z_i^T
        gq = np.sum(np.abs(G) ** q) ** (1.0 / q)
        if gq > 0:
            u = u - lr * G / gq
        W = np.sign(u) * np.abs(u) ** (1.0 / (p - 1.0))
    return W


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=20000)
    ap.add_argument('--n', type=int, default=6)
    ap.add_argument('--T', type=int, default=8)
    ap.add_argument('--d', type=int, default=10)
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    X, v, y = make_scene(rng, args.n, args.T, args.d)
    W0 = rng.standard_normal((args.d, args.d))
    best = float('inf')
    for _ in range(3):
        t0 = time.perf_counter()
        W = train(X, v, y, W0.copy(), args.steps)
        best = min(best, time.perf_counter() - t0)
    assert np.all(np.isfinite(W))
    print(f"{args.steps / best:.1f}")


if __name__ == '__main__':
    main()
