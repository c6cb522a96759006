"""Draws the second truth of paper-figures/second-truth (issue 8 item 6) from a fixed seed and
prints its diagnostics. The rule, fixed before any fit was run:
  D = 6 inputs, N = 3 pretrained experts, a scalar response (q = 1) and keys of dimension r = 3
  (q != r), shared atoms p in R^3 (m = 3), L* = 3 true prompts, sigma = 0.1, X ~ uniform[-1,1]^6,
  atom box [-3, 3]; entries rounded to one decimal.
  Accept the first draw in which (a) R_K has smallest singular value >= 0.8 and condition
  number <= 2 (the default truth's R_K: 0.94, 1.15), and the tanh map's key Jacobian
  diag(1 - tanh^2(R_K p*)) R_K has smallest singular value >= 0.3 at every true atom (the default
  tanh truth: 0.31 and 0.39); (b) each true prompt's mean gate weight
  E[pi_l(X)] is at least 0.08 under both the shared-linear and the tanh maps (each prompt is
  visible in the data); (c) the true keys are at least 0.8 apart and every true value has
  |value| >= 0.3 (the non-shared truth is identifiable); (d) every true atom lies well inside the
  box (|p| <= 1.5).
Usage: python3 simulations/models/design/second_truth.py   (prints YAML fragments)"""
import numpy as np

D, N, r, q, m, L = 6, 3, 3, 1, 3, 3
rng = np.random.default_rng(2026_1129)
X = np.random.default_rng(1).uniform(-1, 1, (200_000, D))


def gate_weights(A, c, B, keys, b):
    pre = np.stack([np.einsum('ni,ij,nj->n', X, A[j], X) + c[j] for j in range(N)], 1)
    pro = X @ (B @ keys.T) + b
    s = np.concatenate([pre, pro], 1)
    s -= s.max(1, keepdims=True)
    w = np.exp(s)
    w /= w.sum(1, keepdims=True)
    return w[:, N:].mean(0)


for trial in range(100_000):
    A = np.round(rng.normal(0, 0.3, (N, D, D)), 1)
    A = np.round((A + A.transpose(0, 2, 1)) / 2, 2)
    c = np.zeros(N)
    H = np.round(rng.uniform(-1, 1, (N, q, D)), 1)
    e = np.round(rng.uniform(-0.5, 0.5, (N, q)), 1)
    B = np.round(rng.uniform(-1, 1, (D, r)), 1)
    RK = np.round(rng.uniform(-1, 1, (r, m)), 1)
    RV = np.round(rng.uniform(-1, 1, (q, m)), 1)
    P = np.round(rng.uniform(-1.5, 1.5, (L, m)), 1)
    sv = np.linalg.svd(RK)[1]
    if sv[-1] < 0.8 or sv[0] / sv[-1] > 2:
        continue
    keys, vals = P @ RK.T, P @ RV.T
    if min(np.linalg.svd(np.diag(1 - np.tanh(k) ** 2) @ RK)[1][-1] for k in keys) < 0.3:
        continue
    if min(np.linalg.norm(keys[i] - keys[j]) for i in range(L) for j in range(i + 1, L)) < 0.8:
        continue
    if np.abs(vals).min() < 0.3 or np.abs(np.tanh(vals)).min() < 0.3:
        continue
    if np.linalg.matrix_rank(B) < r:
        continue
    wl = gate_weights(A, c, B, keys, np.zeros(L))
    wt = gate_weights(A, c, B, np.tanh(keys), np.zeros(L))
    if wl.min() < 0.08 or wt.min() < 0.08:
        continue
    tanh_sv = [np.linalg.svd(np.diag(1 - np.tanh(k) ** 2) @ RK)[1][-1] for k in keys]
    print(f"# trial {trial}: R_K singular values {sv.round(3)}, tanh key-Jacobian smallest singular values"
          f" {np.round(tanh_sv, 3)}, mean prompt weights linear {wl.round(3)},"
          f" tanh {wt.round(3)}")
    fmt = lambda a: np.array2string(np.asarray(a), separator=', ', max_line_width=10**6).replace('\n', '')
    print("A:")
    for j in range(N):
        print("  - " + fmt(A[j]))
    print("c: " + fmt(c))
    print("H:")
    for j in range(N):
        print("  - " + fmt(H[j]))
    print("e:")
    for j in range(N):
        print("  - " + fmt(e[j]))
    print("B: " + fmt(B))
    print("R_K: " + fmt(RK))
    print("R_V: " + fmt(RV))
    print("shared atoms: " + fmt(P))
    print("non-shared atoms (key, value): " + str(np.hstack([keys, vals]).round(12).tolist()))
    break
