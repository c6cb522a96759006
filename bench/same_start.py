#!/usr/bin/env python3
"""Same data, same start: the toolkit's least-squares fit against SciPy's least_squares (trf).

For each default truth (shared-linear, shared-nonlinear, non-shared; simulations/models/default-*.yaml),
L = 3 fitted atoms, n = 10^4 samples, 10 near-truth and 10 random starts (fixed seeds), the Java entry
point org.prefixmoe.bench.SameStartFits draws the data and the starts (projected onto the box) and fits
from each start with the current stop rule ("new") and the rule before issue 8 ("old"), back to back on
one thread. This script then runs SciPy from the same data and start with tight tolerances
(ftol = xtol = gtol = 1e-15, max_nfev 20000, bounds = the toolkit's box, x_scale "jac" as the
toolkit's diag(JᵀJ) damping) and classifies each start:

  not-worse   toolkit objective <= scipy * (1 + 1e-9)
  worse       higher, and SciPy restarted from the toolkit's end point lowers it by more than 1e-9
              relative (the toolkit stopped before a local optimum), or the two end points are close
  different   higher, both converged, the end points far apart, and SciPy restarted from the
              toolkit's end point does not lower it: another local optimum (SciPy's is better)

Objectives are Σ||Y − f||²/n. Estimates are compared up to a permutation of the atoms (max abs
difference of packed coordinates, threshold 1e-3). Times: toolkit thread CPU time, SciPy process CPU
time, one BLAS thread. The machine is shared: compare ratios measured in one run.

Usage (repository root, after `mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt`):
    python3 bench/same_start.py [--n 10000] [--near 10] [--random 10] [--out bench/same-start]
Writes OUT/same_start.csv (one row per start and parameterization) and prints the summary table.
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


def run_java(model_file, n, seed, near, rand, L, out):
    cp = (ROOT / "target" / "cp.txt").read_text().strip()
    classes = f"{ROOT}/target/classes:{ROOT}/target/test-classes:{cp}"
    subprocess.run(["java", "--add-modules", "jdk.incubator.vector", "-cp", classes,
                    "org.prefixmoe.bench.SameStartFits", str(MODELS / model_file), str(n), str(seed),
                    str(near), str(rand), str(L), str(out)], check=True, stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--near", type=int, default=10)
    ap.add_argument("--random", type=int, default=10)
    ap.add_argument("-L", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "same-start"))
    ap.add_argument("--only", default="shared-linear,shared-nonlinear,non-shared")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for seed, p in enumerate(args.only.split(","), start=801):
        spec = load_model(f"default-{p}.yaml")
        with tempfile.TemporaryDirectory() as tmp:
            run_java(f"default-{p}.yaml", args.n, seed, args.near, args.random, args.L, tmp)
            data = np.loadtxt(pathlib.Path(tmp) / "data.csv", delimiter=",", skiprows=1)
            starts = json.loads((pathlib.Path(tmp) / "starts.json").read_text())
            fits = json.loads((pathlib.Path(tmp) / "toolkit.json").read_text())
        D = len(spec["A"][0])
        X, Y = data[:, :D], data[:, D:]
        n = X.shape[0]
        mdl = Model(spec, X, args.L)
        lo = np.tile([spec["box"]["atom"][0]] * mdl.m + [spec["box"]["bias"][0]], args.L)
        hi = np.tile([spec["box"]["atom"][1]] * mdl.m + [spec["box"]["bias"][1]], args.L)
        tk = {(f["start"], f["rule"]): f for f in fits}
        for s in starts:
            x0 = np.clip(pack(s["atoms"], s["biases"]), lo, hi)
            t0 = time.process_time()
            sp = least_squares(mdl.residuals, x0, jac=mdl.jacobian, bounds=(lo, hi), method="trf",
                               ftol=1e-15, xtol=1e-15, gtol=1e-15, x_scale="jac", max_nfev=20000,
                               args=(Y,))
            secs = time.process_time() - t0
            s_obj = 2 * sp.cost / n
            new, old = tk[(s["start"], "new")], tk[(s["start"], "old")]
            # The toolkit's objective recomputed by the NumPy model: both sides measure the same thing.
            x_new = pack(new["atoms"], new["biases"])
            t_obj = float(np.sum(mdl.residuals(x_new, Y) ** 2) / n)
            row = {"parameterization": p, "start": s["start"], "type": s["type"], "n": n,
                   "toolkit_objective": new["objective"], "toolkit_objective_numpy": t_obj,
                   "toolkit_iterations": new["iterations"], "toolkit_evaluations": new["evaluations"],
                   "toolkit_stop": new["stop"], "toolkit_converged": new["converged"],
                   "toolkit_cpu_ms": new["cpu_ms"],
                   "old_rule_objective": old["objective"], "old_rule_iterations": old["iterations"],
                   "old_rule_evaluations": old["evaluations"], "old_rule_stop": old["stop"],
                   "old_rule_cpu_ms": old["cpu_ms"],
                   "scipy_objective": s_obj, "scipy_nfev": sp.nfev, "scipy_njev": sp.njev,
                   "scipy_status": sp.status, "scipy_cpu_ms": secs * 1e3}
            for tag, f in (("", new), ("old_rule_", old)):
                xf = pack(f["atoms"], f["biases"])
                rel = (f["objective"] - s_obj) / s_obj
                far = distance(xf, sp.x, args.L)
                polished = np.nan
                if f["objective"] <= s_obj * (1 + 1e-9):
                    verdict = "not-worse"
                else:
                    # Is the toolkit's end point a local optimum? SciPy, tight, from there.
                    pol = least_squares(mdl.residuals, np.clip(xf, lo, hi), jac=mdl.jacobian, bounds=(lo, hi),
                                        method="trf", ftol=1e-15, xtol=1e-15, gtol=1e-15, x_scale="jac",
                                        max_nfev=20000, args=(Y,))
                    polished = 2 * pol.cost / n
                    stuck = polished >= f["objective"] * (1 - 1e-9)
                    verdict = "different" if stuck and far > 1e-3 and f["converged"] and sp.status > 0 else "worse"
                row[tag + "polished_objective"] = polished
                row[tag + "relative_excess"] = rel
                row[tag + "distance"] = far
                row[tag + "verdict"] = verdict
            rows.append(row)
            print(f"{p:17s} {s['type']:10s} {s['start']:2d}  toolkit {new['objective']:.12g} ({new['iterations']} it, "
                  f"{new['stop']})  old {old['objective']:.12g}  scipy {s_obj:.12g} ({sp.nfev} ev, status {sp.status})"
                  f"  -> {row['verdict']} / old {row['old_rule_verdict']}", flush=True)
    with open(out / "same_start.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    summarize(rows)


def summarize(rows):
    print("\n| parameterization | starts | rule | not worse | worse | different optimum (SciPy better) |"
          " at the 500 cap | median toolkit ms | median SciPy ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for p in dict.fromkeys(r["parameterization"] for r in rows):
        for t in ("near-truth", "random"):
            sel = [r for r in rows if r["parameterization"] == p and r["type"] == t]
            for tag, name in (("", "new"), ("old_rule_", "old")):
                c = {v: sum(r[tag + "verdict"] == v for r in sel) for v in ("not-worse", "worse", "different")}
                cap = sum((r["toolkit_stop"] if tag == "" else r["old_rule_stop"]) == "max-iterations" for r in sel)
                ms = np.median([r["toolkit_cpu_ms" if tag == "" else "old_rule_cpu_ms"] for r in sel])
                sms = np.median([r["scipy_cpu_ms"] for r in sel])
                print(f"| {p} | {t} ({len(sel)}) | {name} | {c['not-worse']} | {c['worse']} | {c['different']} | {cap} "
                      f"| {ms:.0f} | {sms:.0f} |")
    new = np.array([r["toolkit_cpu_ms"] for r in rows])
    old = np.array([r["old_rule_cpu_ms"] for r in rows])
    print(f"\nfit time, all {len(rows)} starts: median new rule {np.median(new):.1f} ms, old rule {np.median(old):.1f} ms, "
          f"median per-start ratio new/old {np.median(new / old):.3f}; total {new.sum() / 1e3:.1f} s vs {old.sum() / 1e3:.1f} s")
    it_new = np.array([r["toolkit_iterations"] for r in rows])
    it_old = np.array([r["old_rule_iterations"] for r in rows])
    print(f"iterations: median new {np.median(it_new):.0f}, old {np.median(it_old):.0f}; "
          f"new rule at the cap in {sum(r['toolkit_stop'] == 'max-iterations' for r in rows)} of {len(rows)}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--summary":
        with open(sys.argv[2]) as fh:
            rs = list(csv.DictReader(fh))
        for r in rs:
            for k in ("toolkit_cpu_ms", "old_rule_cpu_ms", "scipy_cpu_ms"):
                r[k] = float(r[k])
            for k in ("toolkit_iterations", "old_rule_iterations"):
                r[k] = int(r[k])
        summarize(rs)
    else:
        main()
