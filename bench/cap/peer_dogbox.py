#!/usr/bin/env python3
"""SciPy's dogbox (an active-set rectangular trust region) against its trf on the exported cap tasks
(docs/solver-flat-sets.md, "Does an active-set iteration reach optima on the box faster?"). Descriptive.

For each task folder that org.prefixmoe.bench.PeerExport wrote (see bench/cap/README.md), both methods from the
toolkit's start with x_scale="jac", ftol = xtol = gtol = 1e-15, max_nfev 20,000 and the toolkit's box; per method the
end objective (sum ||Y - f||^2 / n), iterations (njev), residual evaluations (nfev), status, the evaluations to come
within 1e-9 (relative) of its own end and of the lower of the two polished objectives in toolkit.json (empty if
never), and the coordinates on a bound at its end.

Usage (repository root): python3 bench/cap/peer_dogbox.py OUTDIR [--jobs 2] [--out bench/cap/dogbox]
"""
import os

for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[v] = "1"

import argparse
import csv
import json
import pathlib
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from scipy.optimize import least_squares

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from same_start import Model  # noqa: E402

TOL = 1e-9


def run_task(folder):
    folder = pathlib.Path(folder)
    st = json.loads((folder / "start.json").read_text())
    tk = json.loads((folder / "toolkit.json").read_text())
    spec = st["model"]
    data = np.loadtxt(folder / "data.csv", delimiter=",", skiprows=1)
    D = len(spec["A"][0])
    X, Y = data[:, :D], data[:, D:]
    n = X.shape[0]
    mdl = Model(spec, X, st["L"])
    x0 = np.array(st["start"], dtype=float)
    lo, hi = np.array(st["lower"], dtype=float), np.array(st["upper"], dtype=float)
    lower = min(f["polished_objective"] for f in tk["fits"])
    row = {"task": folder.name, "n": n, "lower_polished": lower}
    for method in ("dogbox", "trf"):
        trace = []

        def fun(x):
            r = mdl.residuals(x, Y)
            trace.append(float(r @ r) / n)
            return r

        sp = least_squares(fun, x0, jac=lambda x: mdl.jacobian(x, Y), bounds=(lo, hi), method=method, ftol=1e-15,
                           xtol=1e-15, gtol=1e-15, x_scale="jac", max_nfev=20000)
        t = np.array(trace)
        end = float(t.min())
        reach = np.nonzero(t <= lower * (1 + TOL))[0]
        row.update({
            f"{method}_objective": end, f"{method}_vs_lower": (end - lower) / lower, f"{method}_njev": sp.njev,
            f"{method}_nfev": sp.nfev, f"{method}_status": sp.status,
            f"{method}_evals_within_1e-9": int(np.argmax(t <= end * (1 + TOL))) + 1,
            f"{method}_evals_to_lower": int(reach[0]) + 1 if reach.size else "",
            f"{method}_on_bounds": ",".join(f"{c}{'lo' if a < 0 else 'hi'}" for c, a in enumerate(sp.active_mask)
                                            if a) or "-",
        })
    print(f"{folder.name}: dogbox {row['dogbox_njev']} it {row['dogbox_vs_lower']:.1e}, trf {row['trf_njev']} it"
          f" {row['trf_vs_lower']:.1e}", flush=True)
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", default=str(pathlib.Path(__file__).resolve().parent / "dogbox"))
    args = ap.parse_args()
    folders = sorted((p for p in pathlib.Path(args.outdir).iterdir() if (p / "start.json").exists()),
                     key=lambda p: (int(p.name.split("-")[-2]), p.name))
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(run_task, [str(f) for f in folders]))
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "results.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
