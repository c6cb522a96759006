#!/usr/bin/env python3
"""Where SciPy ends from the starts of trf-pair-c's fits at the cap (docs/solver-flat-sets.md, "Where
`trf-pair-c`'s fits at the cap end, and where SciPy ends from their starts"). Descriptive.

Reads the task folders that org.prefixmoe.bench.PeerExport wrote (data.csv, start.json, toolkit.json: the data,
start and box `simulate` uses for the task, and the toolkit's trf-pair-c and lm-pair end points with their lm
polish) and fits each task with SciPy's least_squares(method="trf", x_scale="jac", ftol = xtol = gtol = 1e-15,
max_nfev 20,000, bounds = the toolkit's box) from the toolkit's start, with the model code of bench/same_start.py
(Model: residuals and Jacobian of the shared-linear, shared-nonlinear and non-shared parameterizations; packed
vector = per atom its coordinates then its bias). Objectives are sum ||Y - f||^2 / n, the toolkit's `objective`.

Per task it records
  start_check   |SciPy's objective at the toolkit's start - the toolkit's| / the toolkit's (should be ~1e-12 or less)
  end_check     the same, largest over the toolkit's four end points (two ends, two polished ends)
  scipy end     objective, nfev (residual evaluations), njev, status, first-order optimality (SciPy's scaled
                projected gradient, inf-norm), CPU seconds, the evaluations needed to come within 1e-9 relative of
                its own end (objective recorded after every residual evaluation) and to within 1e-9 of the lower
                of the two polished objectives (empty if never)
  class         at-trf-pair-c-optimum / at-lm-pair-optimum: within 1e-9 relative of that method's polished
                objective; same: the two polished objectives agree within 1e-9 and SciPy is within 1e-9 of them;
                elsewhere-lower / elsewhere-higher: within 1e-9 of neither, below / not below the lower polished one
and the distance of SciPy's end point to each polished end point (max abs difference of packed coordinates,
minimized over permutations of the atoms).

Usage (repository root; the export first, see bench/cap/README.md):
    nice -n 10 python3 bench/cap/peer_scipy.py OUTDIR [--jobs 2] [--max-nfev 20000] [--out bench/cap/scipy]
Writes OUT/results.csv (one row per task, in the order of OUTDIR's task folders by n and name) and prints a table.
"""
import os

for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[v] = "1"  # one BLAS thread, set before numpy is imported

import argparse
import csv
import json
import pathlib
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from scipy.optimize import least_squares

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from same_start import Model, distance  # noqa: E402  (the model code of the existing SciPy comparison)

TOL = 1e-9
METHODS = ("trf-pair-c", "lm-pair")


def objective(mdl, x, Y):
    r = mdl.residuals(np.asarray(x, dtype=float), Y)
    return float(r @ r) / Y.shape[0]


def near(a, b):
    """a within TOL relative of b."""
    return abs(a - b) <= TOL * abs(b)


def classify(s, pa, pb):
    """SciPy's end objective s against trf-pair-c's (pa) and lm-pair's (pb) polished objectives."""
    if near(pa, pb) or near(pb, pa):
        if near(s, pa) or near(s, pb):
            return "same"
    else:
        a, b = near(s, pa), near(s, pb)
        if a and b:
            return "at-trf-pair-c-optimum" if abs(s - pa) <= abs(s - pb) else "at-lm-pair-optimum"
        if a:
            return "at-trf-pair-c-optimum"
        if b:
            return "at-lm-pair-optimum"
    return "elsewhere-lower" if s < min(pa, pb) else "elsewhere-higher"


def run_task(args):
    folder, max_nfev = args
    folder = pathlib.Path(folder)
    st = json.loads((folder / "start.json").read_text())
    tk = json.loads((folder / "toolkit.json").read_text())
    spec = st["model"]
    if spec["parameterization"] != st["parameterization"]:
        raise SystemExit(f"{folder}: parameterization mismatch")
    data = np.loadtxt(folder / "data.csv", delimiter=",", skiprows=1)
    D = len(spec["A"][0])
    X, Y = data[:, :D], data[:, D:]
    n = X.shape[0]
    if n != st["n"]:
        raise SystemExit(f"{folder}: {n} rows, start.json says n = {st['n']}")
    L = st["L"]
    mdl = Model(spec, X, L)
    x0 = np.array(st["start"], dtype=float)
    lo, hi = np.array(st["lower"], dtype=float), np.array(st["upper"], dtype=float)
    if x0.size != mdl.P or lo.size != mdl.P:
        raise SystemExit(f"{folder}: vector length {x0.size}, the model packs {mdl.P}")

    start_obj = objective(mdl, x0, Y)
    start_check = abs(start_obj - st["start_objective"]) / st["start_objective"]
    fits = {f["method"]: f for f in tk["fits"]}
    end_check = 0.0
    for m in METHODS:
        for key, obj in (("x", "objective"), ("polished_x", "polished_objective")):
            v = objective(mdl, fits[m][key], Y)
            end_check = max(end_check, abs(v - fits[m][obj]) / fits[m][obj])

    trace = []

    def fun(x):
        r = mdl.residuals(x, Y)
        trace.append(float(r @ r) / n)
        return r

    t0 = time.process_time()
    sp = least_squares(fun, x0, jac=lambda x: mdl.jacobian(x, Y), bounds=(lo, hi), method="trf", ftol=1e-15,
                       xtol=1e-15, gtol=1e-15, x_scale="jac", max_nfev=max_nfev)
    secs = time.process_time() - t0
    s_obj = objective(mdl, sp.x, Y)  # = 2 * cost / n up to rounding
    trace = np.array(trace)
    within = int(np.argmax(trace <= s_obj * (1 + TOL))) + 1  # 1-based residual evaluation
    pa, pb = fits["trf-pair-c"]["polished_objective"], fits["lm-pair"]["polished_objective"]
    lower = min(pa, pb)
    reach_lower = np.nonzero(trace <= lower * (1 + TOL))[0]
    row = {
        "task": folder.name, "study": st["study"], "n": n, "replicate": st["replicate"], "L": L,
        "start_objective": st["start_objective"], "start_check": start_check, "end_check": end_check,
    }
    for m in METHODS:
        f = fits[m]
        row[m + "_objective"] = f["objective"]
        row[m + "_iterations"] = f["iterations"]
        row[m + "_evaluations"] = f["evaluations"]
        row[m + "_stop"] = f["stop"]
        row[m + "_polished"] = f["polished_objective"]
        row[m + "_polish_iterations"] = f["polish_iterations"]
        row[m + "_polish_stop"] = f["polish_stop"]
    row.update({
        "scipy_objective": s_obj, "scipy_cost_objective": 2 * sp.cost / n, "scipy_nfev": sp.nfev,
        "scipy_njev": sp.njev, "scipy_status": sp.status, "scipy_optimality": sp.optimality, "scipy_cpu_s": round(secs, 2),
        "scipy_evals_within_1e-9": within,
        "scipy_evals_to_lower_polished": int(reach_lower[0]) + 1 if reach_lower.size else "",
        "scipy_class": classify(s_obj, pa, pb),
        "scipy_vs_trf-pair-c_polished": (s_obj - pa) / pa,
        "scipy_vs_lm-pair_polished": (s_obj - pb) / pb,
        "distance_trf-pair-c_polished": distance(sp.x, np.array(fits["trf-pair-c"]["polished_x"]), L),
        "distance_lm-pair_polished": distance(sp.x, np.array(fits["lm-pair"]["polished_x"]), L),
        "scipy_on_bounds": ",".join(f"{c}{'lo' if a < 0 else 'hi'}" for c, a in enumerate(sp.active_mask) if a)
        or "-",
        "scipy_x": " ".join(repr(float(v)) for v in sp.x),
    })
    print(f"{folder.name}: {row['scipy_class']} (nfev {sp.nfev}, status {sp.status}, {secs:.0f} s)", flush=True)
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir", help="the folder PeerExport wrote")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--max-nfev", type=int, default=20000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "cap" / "scipy"))
    args = ap.parse_args()
    folders = [p for p in pathlib.Path(args.outdir).iterdir() if (p / "start.json").exists()]
    folders.sort(key=lambda p: (int(p.name.split("-")[-2]), p.name))
    # Largest tasks first, so that the workers finish together; rows are written in the sorted order.
    order = sorted(range(len(folders)), key=lambda i: -int(folders[i].name.split("-")[-2]))
    rows = [None] * len(folders)
    with ProcessPoolExecutor(args.jobs) as pool:
        for i, r in zip(order, pool.map(run_task, [(str(folders[i]), args.max_nfev) for i in order])):
            rows[i] = r
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "results.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    table(rows)


def table(rows):
    print("\n| task | trf-pair-c polished | lm-pair polished | SciPy end | SciPy class | SciPy nfev (status)"
          " | evals to within 1e-9 | start check |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['task']} | {float(r['trf-pair-c_polished']):.12e} | {float(r['lm-pair_polished']):.12e}"
              f" | {float(r['scipy_objective']):.12e} | {r['scipy_class']} | {r['scipy_nfev']} ({r['scipy_status']})"
              f" | {r['scipy_evals_within_1e-9']} | {float(r['start_check']):.1e} |")
    counts = {}
    for r in rows:
        counts[r["scipy_class"]] = counts.get(r["scipy_class"], 0) + 1
    print("\n" + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    print(f"start check max {max(float(r['start_check']) for r in rows):.1e},"
          f" end check max {max(float(r['end_check']) for r in rows):.1e}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--table":
        with open(sys.argv[2]) as fh:
            table(list(csv.DictReader(fh)))
    else:
        main()
