#!/usr/bin/env python3
"""Same data, same start: the toolkit's least-squares fits against SciPy's least_squares (trf).

Grid (issue 23): the default and the second truth (simulations/models/{default,second}-*.yaml), every
parameterization (shared-linear, shared-nonlinear, non-shared), n in --sizes (10^3, 2*10^3, 10^4),
L = L* and L* + 1, --near near-truth and --random random starts (fixed seeds; each cell its own data
set). For each cell the Java entry point org.prefixmoe.bench.SameStartFits draws the data and the
starts (projected onto the box) and fits from each start with an optional method of issue 23 ("new":
`flat`, or the one --method names, e.g. `geodesic`) and the default `lm` method ("old"), back to back on one thread. This script then runs SciPy from the
same data and start with tight tolerances (ftol = xtol = gtol = 1e-15, max_nfev --max-nfev, bounds =
the toolkit's box, x_scale "jac" as the toolkit's diag(JtJ) damping), polishes EVERY toolkit end point
with the same SciPy call, and classifies each start:

  not-worse   toolkit objective <= scipy * (1 + 1e-9)
  worse       higher, and SciPy restarted from the toolkit's end point lowers it by more than 1e-9
              relative (the toolkit stopped before a local optimum), or the two end points are close
  different   higher, both converged, the end points far apart, and SciPy restarted from the
              toolkit's end point does not lower it: another local optimum (SciPy's is better)

and reports the polish gain (toolkit objective - polished) / toolkit objective for every fit.
Objectives are Sum||Y - f||^2/n. Estimates are compared up to a permutation of the atoms (max abs
difference of packed coordinates, threshold 1e-3). Times: toolkit thread CPU time, SciPy process CPU
time, one BLAS thread. The machine is shared: compare ratios measured in one run.

Usage (repository root, after `mvn -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt`):
    nice -n 10 python3 bench/same_start.py [--sizes 1000,2000,10000] [--near 3] [--random 3]
        [--truths default,second] [--atoms star,plus1] [--jobs 2] [--method flat] [--out bench/same-start-flat]
        [--seed 2301]
Writes OUT/same_start.csv (one row per start and cell) and prints the summary tables.
"""
import os

for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[v] = "1"  # one BLAS thread, set before numpy is imported

import argparse
import csv
import itertools
import json
import pathlib
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import yaml
from scipy.optimize import least_squares

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODELS = ROOT / "simulations" / "models"


def load_model(name):
    """A model file with its 'extends' chain resolved (later files override earlier ones)."""
    spec = yaml.safe_load((MODELS / name).read_text())
    if "extends" in spec:
        base = load_model(spec.pop("extends"))
        base.update(spec)
        spec = base
    return spec


class Model:
    """f_G and its Jacobian for one data set, vectorized over samples, atoms and coordinates."""

    def __init__(self, spec, X, L):
        self.p = spec["parameterization"]
        A, c = np.array(spec["A"]), np.array(spec["c"])
        H, e = np.array(spec["H"]), np.array(spec["e"])
        self.B = np.array(spec["B"])
        self.q = H.shape[1]
        self.r = self.B.shape[1]
        if self.p == "non-shared":
            self.m = self.r + self.q
        else:
            self.RK, self.RV = np.array(spec["R_K"]), np.array(spec["R_V"])
            self.m = self.RK.shape[1]
            self.tanh = self.p == "shared-nonlinear"
            if self.tanh and spec.get("activation", "tanh") != "tanh":
                raise SystemExit("only tanh is implemented here")
        self.L = L
        self.X = X
        n = X.shape[0]
        s = np.einsum("ni,jik,nk->nj", X, A, X) + c
        mx = s.max(1, keepdims=True)
        w = np.exp(s - mx)
        z = w.sum(1, keepdims=True)
        self.S0 = (mx + np.log(z)).ravel()
        self.m0 = ((w / z)[:, :, None] * (np.einsum("jak,nk->nja", H, X) + e)).sum(1)
        self.XB = X @ self.B  # n x r
        self.P = L * (self.m + 1)
        self.J = np.empty((n * self.q, self.P), order="F")  # preallocated, Fortran order

    def maps(self, theta):
        """keys (L x r), values (L x q), dkey (L x r x m), dvalue (L x q x m)."""
        L, r, q, m = self.L, self.r, self.q, self.m
        if self.p == "non-shared":
            k, v = theta[:, :r], theta[:, r:]
            dk = np.zeros((L, r, m))
            dv = np.zeros((L, q, m))
            dk[:, np.arange(r), np.arange(r)] = 1
            dv[:, np.arange(q), r + np.arange(q)] = 1
            return k, v, dk, dv
        uk, uv = theta @ self.RK.T, theta @ self.RV.T
        if self.tanh:
            k, v = np.tanh(uk), np.tanh(uv)
            dk = (1 - k ** 2)[:, :, None] * self.RK[None]
            dv = (1 - v ** 2)[:, :, None] * self.RV[None]
        else:
            k, v = uk, uv
            dk = np.broadcast_to(self.RK, (L, r, m))
            dv = np.broadcast_to(self.RV, (L, q, m))
        return k, v, dk, dv

    def forward(self, x):
        th = x.reshape(self.L, self.m + 1)
        theta, b = th[:, :self.m], th[:, self.m]
        k, v, dk, dv = self.maps(theta)
        s = self.XB @ k.T + b  # n x L
        mx = np.maximum(self.S0, s.max(1))
        w0 = np.exp(self.S0 - mx)
        w = np.exp(s - mx[:, None])
        z = w0 + w.sum(1)
        pi = w / z[:, None]
        f = (w0 / z)[:, None] * self.m0 + pi @ v
        return f, pi, v, dk, dv

    def residuals(self, x, Y):
        return (self.forward(x)[0] - Y).ravel()

    def jacobian(self, x, Y):
        f, pi, v, dk, dv = self.forward(x)
        n, q, m = f.shape[0], self.q, self.m
        ds = pi[:, None, :] * (v.T[None, :, :] - f[:, :, None])  # n x q x L: df_a/ds_l
        J = self.J
        for l in range(self.L):
            g = self.XB @ dk[l]  # n x m: ds_l/dtheta
            dsl = ds[:, :, l]
            base = l * (m + 1)
            for j in range(m):
                col = J[:, base + j].reshape(n, q)  # a view: F-ordered column, C-reshaped rows (i, a)
                np.multiply(dsl, g[:, j:j + 1], out=col)
                col += pi[:, l:l + 1] * dv[l][None, :, j]
            J[:, base + m] = dsl.ravel()
        return J


def pack(atoms, biases):
    return np.column_stack([np.array(atoms), np.array(biases)]).ravel()


def distance(x1, x2, L):
    """Max abs difference of packed estimates, minimized over permutations of the atoms."""
    a, b = x1.reshape(L, -1), x2.reshape(L, -1)
    return min(np.abs(a[list(p)] - b).max() for p in itertools.permutations(range(L)))


def run_java(model_file, n, seed, near, rand, L, out, method):
    cp = (ROOT / "target" / "cp.txt").read_text().strip()
    # SAME_START_CLASSES: a copy of target/classes and target/test-classes, so that a rebuild during
    # a long run does not change or break the fits.
    classes = os.environ.get("SAME_START_CLASSES", f"{ROOT}/target/classes:{ROOT}/target/test-classes") + ":" + cp
    subprocess.run(["java", "--add-modules", "jdk.incubator.vector", "-cp", classes,
                    "org.prefixmoe.bench.SameStartFits", str(MODELS / model_file), str(n), str(seed),
                    str(near), str(rand), str(L), str(out), method], check=True, stderr=subprocess.DEVNULL)


def scipy_fit(mdl, x0, Y, lo, hi, max_nfev):
    t0 = time.process_time()
    sp = least_squares(mdl.residuals, np.clip(x0, lo, hi), jac=mdl.jacobian, bounds=(lo, hi), method="trf",
                       ftol=1e-15, xtol=1e-15, gtol=1e-15, x_scale="jac", max_nfev=max_nfev, args=(Y,))
    return sp, time.process_time() - t0


def run_cell(cell):
    """One data set: Java fits from every start, SciPy from every start and from every end point."""
    truth, p, n, L_kind, seed, near, rand, max_nfev, method = cell
    nt = method + "_"
    name = f"{truth}-{p}.yaml"
    spec = load_model(name)
    L = len(spec["atoms"]) + (1 if L_kind == "plus1" else 0)
    with tempfile.TemporaryDirectory() as tmp:
        run_java(name, n, seed, near, rand, L, tmp, method)
        data = np.loadtxt(pathlib.Path(tmp) / "data.csv", delimiter=",", skiprows=1)
        starts = json.loads((pathlib.Path(tmp) / "starts.json").read_text())
        fits = json.loads((pathlib.Path(tmp) / "toolkit.json").read_text())
    D = len(spec["A"][0])
    X, Y = data[:, :D], data[:, D:]
    mdl = Model(spec, X, L)
    lo = np.tile([spec["box"]["atom"][0]] * mdl.m + [spec["box"]["bias"][0]], L)
    hi = np.tile([spec["box"]["atom"][1]] * mdl.m + [spec["box"]["bias"][1]], L)
    tk = {(f["start"], f["rule"]): f for f in fits}
    rows = []
    for s in starts:
        x0 = pack(s["atoms"], s["biases"])
        sp, secs = scipy_fit(mdl, x0, Y, lo, hi, max_nfev)
        s_obj = 2 * sp.cost / n
        new, old = tk[(s["start"], "new")], tk[(s["start"], "old")]
        row = {"truth": truth, "parameterization": p, "n": n, "L": L, "L_kind": L_kind, "seed": seed,
               "start": s["start"], "type": s["type"],
               nt + "objective": new["objective"], nt + "iterations": new["iterations"],
               nt + "evaluations": new["evaluations"], nt + "stop": new["stop"], nt + "converged": new["converged"],
               nt + "cpu_ms": new["cpu_ms"],
               "lm_objective": old["objective"], "lm_iterations": old["iterations"],
               "lm_evaluations": old["evaluations"], "lm_stop": old["stop"], "lm_converged": old["converged"],
               "lm_cpu_ms": old["cpu_ms"],
               "scipy_objective": s_obj, "scipy_nfev": sp.nfev, "scipy_status": sp.status,
               "scipy_cpu_ms": secs * 1e3}
        for tag, f in ((nt, new), ("lm_", old)):
            xf = pack(f["atoms"], f["biases"])
            pol, _ = scipy_fit(mdl, xf, Y, lo, hi, max_nfev)
            polished = 2 * pol.cost / n
            far = distance(xf, sp.x, L)
            if f["objective"] <= s_obj * (1 + 1e-9):
                verdict = "not-worse"
            else:
                stuck = polished >= f["objective"] * (1 - 1e-9)
                verdict = "different" if stuck and far > 1e-3 and f["converged"] and sp.status > 0 else "worse"
            row[tag + "polished_objective"] = polished
            row[tag + "polish_gain"] = (f["objective"] - polished) / f["objective"]
            row[tag + "polish_nfev"] = pol.nfev
            row[tag + "relative_excess"] = (f["objective"] - s_obj) / s_obj
            row[tag + "distance"] = far
            row[tag + "verdict"] = verdict
        rows.append(row)
    print(f"{truth} {p} n={n} L={L}: {method} " + " ".join(r[nt + "verdict"][0] for r in rows)
          + " | lm " + " ".join(r["lm_verdict"][0] for r in rows), flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,2000,10000")
    ap.add_argument("--near", type=int, default=3)
    ap.add_argument("--random", type=int, default=3)
    ap.add_argument("--truths", default="default,second")
    ap.add_argument("--atoms", default="star,plus1")
    ap.add_argument("--only", default="shared-linear,shared-nonlinear,non-shared")
    ap.add_argument("--max-nfev", type=int, default=20000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--method", default="flat", help="the toolkit's method compared with lm (cap 500): a label such as"
                    " flat or trf-pair-w (run with a cap of 500), or 'default' (the default options, trf-pair-w with a"
                    " cap of 1,000)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "same-start-flat"))
    ap.add_argument("--seed", type=int, default=2301, help="seed of the first cell (one per cell in grid order)")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cells = []
    seed = args.seed  # 2301: the first runs of issue 23; later runs take fresh seeds
    for truth in args.truths.split(","):
        for p in args.only.split(","):
            for n in (int(v) for v in args.sizes.split(",")):
                for L_kind in args.atoms.split(","):
                    cells.append((truth, p, n, L_kind, seed, args.near, args.random, args.max_nfev, args.method))
                    seed += 1
    # Largest cells first, so the two workers finish together.
    order = sorted(range(len(cells)), key=lambda i: -cells[i][2])
    rows = []
    with ProcessPoolExecutor(args.jobs) as pool:
        for r in pool.map(run_cell, [cells[i] for i in order]):
            rows.extend(r)
    with open(out / "same_start.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    summarize(rows)


def summarize(rows):
    new = next(k[:-len("verdict")] for k in rows[0] if k.endswith("_verdict") and k != "lm_verdict")
    def line(sel, label):
        out = [label, str(len(sel))]
        for tag in (new, "lm_"):
            c = {v: sum(r[tag + "verdict"] == v for r in sel) for v in ("not-worse", "worse", "different")}
            gain = max(float(r[tag + "polish_gain"]) for r in sel)
            big = sum(float(r[tag + "polish_gain"]) > 1e-9 for r in sel)
            nc = sum(str(r[tag + "converged"]) in ("False", "false") for r in sel)
            out.append(f"{c['not-worse']} / {c['worse']} / {c['different']}")
            out.append(f"{big} (max {gain:.1e})")
            out.append(str(nc))
        return out

    m = new[:-1]
    print(f"\n| cell | starts | {m}: not worse / worse / different | {m}: polish gain > 1e-9 | {m}: not converged"
          " | lm: not worse / worse / different | lm: polish gain > 1e-9 | lm: not converged |")
    print("|---|---|---|---|---|---|---|---|")
    keys = dict.fromkeys((r["truth"], r["parameterization"], r["L_kind"]) for r in rows)
    for k in keys:
        sel = [r for r in rows if (r["truth"], r["parameterization"], r["L_kind"]) == k]
        print("| " + " | ".join(line(sel, f"{k[0]} {k[1]} L = {'L*' if k[2] == 'star' else 'L*+1'}")) + " |")
    print("| " + " | ".join(line(rows, "**all**")) + " |")
    for tag in (new, "lm_"):
        ms = np.array([float(r[tag + "cpu_ms"]) for r in rows])
        it = np.array([int(r[tag + "iterations"]) for r in rows])
        ev = np.array([int(r[tag + "evaluations"]) for r in rows])
        print(f"{tag[:-1]}: median {np.median(ms):.1f} ms, total {ms.sum() / 1e3:.1f} s, iterations median {np.median(it):.0f}"
              f" (max {it.max()}), evaluations median {np.median(ev):.0f} (mean {ev.mean():.0f}, max {ev.max()})")
    sms = np.array([float(r["scipy_cpu_ms"]) for r in rows])
    print(f"scipy: median {np.median(sms):.1f} ms, total {sms.sum() / 1e3:.1f} s")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--summary":
        with open(sys.argv[2]) as fh:
            rs = list(csv.DictReader(fh))
        summarize(rs)
    else:
        main()
