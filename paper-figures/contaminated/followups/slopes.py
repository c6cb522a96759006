#!/usr/bin/env python3
"""Per-parameter slopes of the contaminated follow-ups (and the committed (b) runs for comparison).

For each results.csv(.gz) given: slope of log(mean error) on log n (OLS over the sizes that have
every replicate), 95% bootstrap interval (2000 resamples of replicates within each n, seed 1),
for the plain errors c_beta1, c_beta0 (tau), c_eta, c_nu, the loss, and |exp(tau_hat) - exp(tau*)|
(tau* = 1 in every scenario here). Also the mean errors at n = 1000 and n = 100000 and EM iterations.
Usage: slopes.py [--median] RESULTS... (prints a markdown table; --median: the per-n median instead
of the mean, a supplementary centre not declared in PLAN.md). Only the study 'k1' is read.
"""
import csv, gzip, math, random, sys
from collections import defaultdict

COLS = ["c_beta1", "c_beta0", "exp_tau", "c_eta", "c_nu", "loss"]

def rows(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rt") as f:
        for r in csv.DictReader(f):
            if r["study"] == "k1" and r["status"] == "ok":
                tau = float(r["estimate"].split(";")[0].split()[-1])
                r["exp_tau"] = abs(math.exp(min(tau, 700.0)) - math.e)  # exp(700) caps a diverged gate
                yield r

def slope(ns, ys):
    lx = [math.log(n) for n in ns]; ly = [math.log(y) for y in ys]
    mx = sum(lx) / len(lx); my = sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)

def centre(v, med):
    if not med:
        return sum(v) / len(v)
    v = sorted(v); k = len(v)
    return v[k // 2] if k % 2 else 0.5 * (v[k // 2 - 1] + v[k // 2])

def main(paths):
    med = paths[:1] == ['--median']
    paths = paths[1:] if med else paths
    print("| run | sizes x reps | " + " | ".join(COLS) + " | EM iterations median (max) |")
    print("|---" * (len(COLS) + 3) + "|")
    for p in paths:
        by = defaultdict(list); its = []
        for r in rows(p):
            by[int(r["n"])].append({c: float(r[c]) for c in COLS if c != "exp_tau"} | {"exp_tau": r["exp_tau"]})
            its.append(int(r["iterations"]))
        reps = max(len(v) for v in by.values())
        ns = sorted(n for n, v in by.items() if len(v) == reps)
        rng = random.Random(1)
        cells = []
        for c in COLS:
            ys = [centre([x[c] for x in by[n]], med) for n in ns]
            s = slope(ns, ys)
            boots = []
            for _ in range(2000):
                yb = []
                for n in ns:
                    v = by[n]
                    yb.append(centre([v[rng.randrange(reps)][c] for _ in range(reps)], med))
                boots.append(slope(ns, yb))
            boots.sort()
            cells.append(f"{s:.3f} [{boots[49]:.3f}, {boots[1949]:.3f}]<br>{ys[0]:.2g} → {ys[-1]:.2g}")
        its.sort()
        name = p.split("/")[-2]
        print(f"| {name} | {len(ns)} x {reps} | " + " | ".join(cells) + f" | {its[len(its)//2]} ({its[-1]}) |")

if __name__ == "__main__":
    main(sys.argv[1:])
