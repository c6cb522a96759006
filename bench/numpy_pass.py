#!/usr/bin/env python3
"""The fused least-squares pass in NumPy: f_G, the analytic Jacobian, JᵀJ and Jᵀr on the default
truth's model, written as a NumPy user would write it well, to compare with the toolkit's pass
(`bin/prefixmoe bench --pass-only`, or `bench/pass_ratio.sh` for both side by side).

Fair to NumPy: vectorized over samples, the Jacobian preallocated in Fortran order (each column
contiguous) and filled in place, JᵀJ by one BLAS call (`J.T @ J`, which NumPy sends to syrk),
the pretrained part computed once outside the timing (as the toolkit does), one BLAS thread
(set before NumPy is imported), glibc's malloc told not to return the big temporaries to the OS
between passes (MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_, set by re-executing itself), and
malloc_trim between repeats. Times are process CPU time per sample, median over repeats.

Needs numpy and PyYAML. Usage: python3 bench/numpy_pass.py [--n N] [--repeats R] [--truth simulations/models/default-shared-linear.yaml]
                                   [--parameterization shared-linear,non-shared] [--check]
Prints one line per parameterization: `numpy-pass PARAM n=N P=P ns_per_sample=T`.
"""
import os
import sys

if os.environ.get("PREFIXMOE_NUMPY_PASS_ENV") != "1":
    env = dict(os.environ, PREFIXMOE_NUMPY_PASS_ENV="1", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1", MALLOC_MMAP_THRESHOLD_=str(1 << 30), MALLOC_TRIM_THRESHOLD_=str(1 << 31))
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import argparse  # noqa: E402
import ctypes  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import yaml  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, default=100_000)
ap.add_argument("--repeats", type=int, default=15)
ap.add_argument("--truth", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "simulations",
                                                 "models", "default-shared-linear.yaml"))
ap.add_argument("--parameterization", default="shared-linear,non-shared")
ap.add_argument("--check", action="store_true", help="check the Jacobian against central differences")
args = ap.parse_args()

def read_model(path):
    """A toolkit model file with its `extends` base merged in (the base's fields first)."""
    with open(path) as fh:
        doc = yaml.safe_load(fh)
    if "extends" in doc:
        base = read_model(os.path.join(os.path.dirname(os.path.abspath(path)), doc.pop("extends")))
        base.update(doc)
        doc = base
    return doc


truth = read_model(args.truth)   # the toolkit's model file of the default truth (shared-linear atoms)
A, c, H, e = (np.array(truth[k], dtype=float) for k in ("A", "c", "H", "e"))
B, RK, RV = (np.array(truth[k], dtype=float) for k in ("B", "R_K", "R_V"))
pstar, bstar = np.array(truth["atoms"], dtype=float), np.array(truth["biases"], dtype=float)
D, q, r = B.shape[0], H.shape[1], B.shape[1]
L = 3
try:
    libc = ctypes.CDLL("libc.so.6")
except OSError:
    libc = None


def pretrained(X):
    s = np.einsum("ni,jik,nk->nj", X, A, X) + c
    mx = s.max(1, keepdims=True)
    w = np.exp(s - mx)
    z = w.sum(1, keepdims=True)
    h = np.einsum("jak,nk->nja", H, X) + e
    return (mx + np.log(z)).ravel(), ((w / z)[:, :, None] * h).sum(1)


class Pass:
    """f_G, J, JᵀJ and Jᵀr for L atoms; `maps(theta)` gives per atom key, value, dkey, dvalue.

    Samples run along the last, contiguous axis of every array (inputs as D x n, gates L x n,
    f and residuals q x n), so that each Jacobian column J[a n:(a+1) n, k] is filled by 1-D
    in-place operations on contiguous memory."""

    def __init__(self, X, Y, S0, m0, p, maps):
        n = X.shape[0]
        self.n, self.p, self.maps = n, p, maps
        self.XT = np.ascontiguousarray(X.T)
        self.YT = np.ascontiguousarray(Y.T)
        self.m0T = np.ascontiguousarray(m0.T)
        self.S0 = S0
        self.stride = p + 1
        P = L * self.stride
        self.J = np.empty((n * q, P), order="F")
        self.res = np.empty((q, n))
        self.rv = self.res.reshape(-1)                        # row a n + i, as J's rows
        self.s = np.empty((L, n))
        self.f = np.empty((q, n))
        self.w0 = np.empty(n)
        self.mx = np.empty(n)
        self.z = np.empty(n)
        self.ds = np.empty(n)
        self.sl = np.empty((p, n))
        self.tmp = np.empty(n)

    def run(self, theta):
        XT, p, st, n = self.XT, self.p, self.stride, self.n
        th = theta.reshape(L, st)
        keys, vals, dkeys, dvals = self.maps(th[:, :p])
        kappa = keys @ B.T                                    # L x D
        s = np.matmul(kappa, XT, out=self.s)
        s += th[:, p, None]
        mx = np.max(s, axis=0, out=self.mx)
        np.maximum(mx, self.S0, out=mx)
        w0 = np.subtract(self.S0, mx, out=self.w0)
        np.exp(w0, out=w0)
        s -= mx
        pi = np.exp(s, out=s)
        z = np.sum(pi, axis=0, out=self.z)
        z += w0
        pi /= z
        w0 /= z                                               # pretrained gate π0
        f = np.matmul(vals.T, pi, out=self.f)
        f += w0 * self.m0T
        np.subtract(f, self.YT, out=self.res)
        J, ds, tmp = self.J, self.ds, self.tmp
        for l in range(L):
            o = l * st
            sl = np.matmul((B @ dkeys[l]).T, XT, out=self.sl)  # ∂s_l/∂θ, p x n
            for a in range(q):
                np.subtract(vals[l, a], f[a], out=ds)
                ds *= pi[l]                                    # ∂f_a/∂s_l
                rows = slice(a * n, (a + 1) * n)
                for k in range(p):
                    col = J[rows, o + k]
                    np.multiply(ds, sl[k], out=col)
                    if dvals[l, a, k] != 0:
                        np.multiply(pi[l], dvals[l, a, k], out=tmp)
                        col += tmp
                J[rows, o + p] = ds
        jtj = J.T @ J
        jtr = J.T @ self.rv
        return float(self.rv @ self.rv), jtj, jtr


def shared_linear(ps):
    n_atoms, m = ps.shape
    return ps @ RK.T, ps @ RV.T, np.broadcast_to(RK, (n_atoms,) + RK.shape), np.broadcast_to(RV, (n_atoms,) + RV.shape)


def non_shared(ps):
    n_atoms = ps.shape[0]
    dk = np.zeros((n_atoms, r, r + q))
    dk[:, :, :r] = np.eye(r)
    dv = np.zeros((n_atoms, q, r + q))
    dv[:, :, r:] = np.eye(q)
    return ps[:, :r], ps[:, r:], dk, dv


def start(parameterization):
    if parameterization == "shared-linear":
        atoms = pstar
    else:
        atoms = np.column_stack([pstar @ RK.T, pstar @ RV.T])
    cells = [0, 1, 0]
    rng = np.random.default_rng(2)
    th = np.column_stack([atoms[cells] + 0.05 * rng.standard_normal((L, atoms.shape[1])),
                          bstar[cells] - np.log([2, 1, 2])])
    return th.ravel()


rng = np.random.default_rng(1)
X = rng.uniform(-1, 1, (args.n, D))
S0, m0 = pretrained(X)
Y = m0 + 0.1 * rng.standard_normal((args.n, q))
for name in args.parameterization.split(","):
    maps, p = {"shared-linear": (shared_linear, RK.shape[1]), "non-shared": (non_shared, r + q)}[name]
    ps = Pass(X, Y, S0, m0, p, maps)
    theta = start(name)
    if args.check:
        small = Pass(X[:50], Y[:50], S0[:50], m0[:50], p, maps)
        small.run(theta)
        J = small.J.copy()
        h = 1e-6
        for k in range(theta.size):
            tp, tm = theta.copy(), theta.copy()
            tp[k] += h
            tm[k] -= h
            small.run(tp)
            rp = small.rv.copy()
            small.run(tm)
            fd = (rp - small.rv) / (2 * h)
            assert np.allclose(J[:, k], fd, rtol=1e-5, atol=1e-7), (name, k)
    for _ in range(3):
        ps.run(theta)
    times = []
    for _ in range(args.repeats):
        if libc is not None:
            libc.malloc_trim(0)
        t0 = time.process_time()
        ps.run(theta)
        times.append((time.process_time() - t0) / args.n * 1e9)
    print(f"numpy-pass {name} n={args.n} P={theta.size} ns_per_sample={np.median(times):.1f}", flush=True)
