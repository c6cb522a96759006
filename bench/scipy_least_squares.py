#!/usr/bin/env python3
"""Reference timing: the over-specified shared-linear least-squares fit of the default truth
with SciPy's least_squares (vectorized NumPy model, analytic Jacobian, box bounds), the tool a
user would otherwise reach for. Compare with `bin/prefixmoe bench` (same problem: L* = 2, L = 3,
near-truth starts of sd 0.5 n^-0.1, atom box [-3, 3], bias box [-10, 10]).

Usage: python3 bench/scipy_least_squares.py [path/to/default-shared-linear.yaml] [n] [replicates]  (needs PyYAML)
Needs numpy and scipy (Debian: apt-get install python3-scipy). BLAS runs on one thread (set
below, before numpy is imported) for a one-core comparison. The Jacobian is filled column by
column into one preallocated Fortran-ordered array (what least_squares' trf works on).
bench/same_start.py compares final objectives from the same data and starts.
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_v] = "1"

import json
import sys
import time

import numpy as np
from scipy.optimize import least_squares

import os  # noqa: E402
import yaml  # noqa: E402
def read_model(path):
    """A toolkit model file with its `extends` base merged in (the base's fields first)."""
    with open(path) as fh:
        doc = yaml.safe_load(fh)
    if "extends" in doc:
        base = read_model(os.path.join(os.path.dirname(os.path.abspath(path)), doc.pop("extends")))
        base.update(doc)
        doc = base
    return doc


# the toolkit's model file of the default shared-linear truth (default-experts.yaml with its atoms, biases)
truth = read_model(sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "simulations", "models", "default-shared-linear.yaml"))
truth.setdefault("p_star", truth.get("atoms"))
truth.setdefault("b_star", truth.get("biases"))
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
reps = int(sys.argv[3]) if len(sys.argv) > 3 else 20
A, c, H, e = (np.array(truth[k]) for k in ("A", "c", "H", "e"))
B, RK, RV = (np.array(truth[k]) for k in ("B", "R_K", "R_V"))
pstar, bstar, sigma = np.array(truth["p_star"]), np.array(truth["b_star"]), truth["sigma"]
D, q, m, L = 4, 2, 2, 3
BRK = B @ RK  # gating slope derivative, the same for every atom of a linear map


def pretrained(X):
    s = np.einsum("ni,jik,nk->nj", X, A, X) + c
    mx = s.max(1, keepdims=True)
    w = np.exp(s - mx)
    z = w.sum(1, keepdims=True)
    h = np.einsum("jak,nk->nja", H, X) + e
    return (mx + np.log(z)).ravel(), ((w / z)[:, :, None] * h).sum(1)


def model(x, X, S0, m0):
    th = x.reshape(-1, m + 1)
    p, b = th[:, :m], th[:, m]
    val = p @ RV.T
    s = X @ (p @ RK.T @ B.T).T + b
    mx = np.maximum(S0, s.max(1))
    w0 = np.exp(S0 - mx)
    w = np.exp(s - mx[:, None])
    z = w0 + w.sum(1)
    pi = w / z[:, None]
    f = (w0 / z)[:, None] * m0 + pi @ val
    return f, pi, val


def residuals(x, X, Y, S0, m0):
    return (model(x, X, S0, m0)[0] - Y).ravel()


_J = {}


def jacobian(x, X, Y, S0, m0):
    f, pi, val = model(x, X, S0, m0)
    ds = pi[:, None, :] * (val.T[None, :, :] - f[:, :, None])  # n x q x L
    g = X @ BRK  # n x m
    n, nl = X.shape[0], pi.shape[1]
    J = _J.get(n)
    if J is None:
        J = _J[n] = np.empty((n * q, nl * (m + 1)), order="F")  # preallocated once per n
    for l in range(nl):
        for j in range(m):
            col = J[:, l * (m + 1) + j].reshape(n, q)  # a view of one contiguous column, rows (i, a)
            np.multiply(ds[:, :, l], g[:, j:j + 1], out=col)
            col += pi[:, l:l + 1] * RV[None, :, j]
        J[:, l * (m + 1) + m] = ds[:, :, l].ravel()
    return J


rng = np.random.default_rng(1)
truth_x = np.column_stack([pstar, bstar]).ravel()
lo = np.tile([-3.0] * m + [-10.0], L)
hi = np.tile([3.0] * m + [10.0], L)
for ftol, xtol in ((1e-10, 1e-9), (1e-8, 1e-8)):
    times, nfev = [], []
    for k in range(reps):
        X = rng.uniform(-1, 1, (n, D))
        S0, m0 = pretrained(X)
        Y = model(truth_x, X, S0, m0)[0] + sigma * rng.standard_normal((n, q))
        cells = np.concatenate([rng.permutation(2), rng.integers(0, 2, L - 2)])
        counts = np.bincount(cells, minlength=2)
        x0 = np.column_stack([pstar[cells] + 0.5 * n ** -0.1 * rng.standard_normal((L, m)),
                              bstar[cells] - np.log(counts[cells])]).ravel()
        x0 = np.clip(x0, lo, hi)
        t0 = time.process_time()
        fit = least_squares(residuals, x0, jac=jacobian, bounds=(lo, hi), method="trf",
                            ftol=ftol, xtol=xtol, gtol=1e-12, args=(X, Y, S0, m0))
        times.append(time.process_time() - t0)
        nfev.append(fit.nfev)
    t = np.array(times) * 1e3
    print(f"scipy least_squares (trf), n = {n}, ftol {ftol:g}, xtol {xtol:g}: median {np.median(t):.1f} ms "
          f"(quartiles {np.percentile(t, 25):.1f}-{np.percentile(t, 75):.1f} ms), median {np.median(nfev):.0f} "
          f"evaluations, {reps} fits")
