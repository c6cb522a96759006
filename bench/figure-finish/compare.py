#!/usr/bin/env python3
"""The committed over-specified least-squares figures (the default, trf-pair-w) against the same scenarios fitted with
trf-pair-f (trf-pair-w finished by trf at 1e-13; docs/solver-flat-sets.md) or, given its label, trf-pair-g: slopes, verdicts, outcomes and, row by
row, how much lower the finished fits end and how much D_1 moves. Run from the repository root after the runs
(bench/figure-finish/README.md); writes compare.md beside the runs."""
import csv
import gzip
import os
import statistics
import sys

FIGS = ["over-specified", "prompt-mlp", "second-truth", "second-truth-large-n", "second-truth-large-n4",
        "second-truth-followup"]
METHOD = sys.argv[1] if len(sys.argv) > 1 else "trf-pair-f"
HERE = "bench/figure-finish" if METHOD == "trf-pair-f" else "bench/figure-finish-" + METHOD[-1]


def rows(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", newline="") as f:
        return list(csv.DictReader(f))


def f3(x):
    return "" if x in ("", None) else "%.3f" % float(x)


def key(r):
    return r["study"], r["n"], r["replicate"]


lines = ["# Over-specified figures: the default (`trf-pair-w`, committed) against `%s` (crawls finished)" % METHOD, "",
         "Written by `python3 bench/figure-finish/compare.py %s` from `paper-figures/NAME/` and `%s/NAME/`" % (METHOD, HERE),
         "(same seeds, grids, data and starts; only the solver differs). Descriptive: nothing committed is replaced.", "",
         "| figure | study | loss | mean slope default → finished | median slope default → finished | verdict default → finished |",
         "|---|---|---|---|---|---|"]
changed = []
present = [fig for fig in FIGS if os.path.exists(os.path.join(HERE, fig, "rates.csv"))]
for fig in present:
    old = {(r["study"], r["loss"]): r for r in rows(os.path.join("paper-figures", fig, "rates.csv"))}
    new = {(r["study"], r["loss"]): r for r in rows(os.path.join(HERE, fig, "rates.csv"))}
    for k in old:
        if k[1] not in ("d1", "d2", "regression"):
            continue
        o, n = old[k], new.get(k)
        nv = n["verdict"] if n else "—"
        mark = "" if o["verdict"].split(" (")[0] == nv.split(" (")[0] else " **(changed)**"
        if mark:
            changed.append((fig,) + k + (o["verdict"], nv))
        lines.append("| %s | %s | %s | %s → %s | %s → %s | %s → %s%s |" % (
            fig, k[0], k[1], f3(o["slope"]), f3(n["slope"]) if n else "—", f3(o["median_slope"]),
            f3(n["median_slope"]) if n else "—", o["verdict"], nv, mark))
lines += ["", "## Row by row", "",
          "Fits: all rows. Lower: the finished fit ends more than 1e-9 (1e-6) lower, relative. `D_1` moved: median and "
          "largest |ΔD_1|/D_1 over the lower ones. At the cap, not converged and not certified (promise above 1e-9): "
          "default → finished.", "",
          "| figure | study | fits | lower > 1e-9 | lower > 1e-6 | higher | D_1 moved (median, max) | at the cap | not converged | not certified |",
          "|---|---|---|---|---|---|---|---|---|---|"]
for fig in present:
    old = {key(r): r for r in rows(os.path.join("paper-figures", fig, "results.csv"))}
    new = {key(r): r for r in rows(os.path.join(HERE, fig, "results.csv.gz"))}
    for study in sorted(set(k[0] for k in old)):
        ks = [k for k in old if k[0] == study and old[k]["status"] == "ok"]
        gain = {k: (float(old[k]["objective"]) - float(new[k]["objective"])) / float(old[k]["objective"]) for k in ks}
        lower = [k for k in ks if gain[k] > 1e-9]
        moved = [abs(float(new[k]["d1"]) - float(old[k]["d1"])) / float(old[k]["d1"]) for k in lower]

        def count(d, test):
            return sum(1 for k in ks if test(d[k]))

        def uncertified(r):
            v = r.get("gauss_newton_decrement") or ""
            return r["converged"].lower() == "true" and v != "" and float(v) > 1e-9

        lines.append("| %s | %s | %d | %d | %d | %d | %s | %d → %d | %d → %d | %d → %d |" % (
            fig, study, len(ks), len(lower), sum(1 for k in ks if gain[k] > 1e-6),
            sum(1 for k in ks if gain[k] < -1e-12),
            "%.2g, %.2g" % (statistics.median(moved), max(moved)) if moved else "—",
            count(old, lambda r: r["stop_reason"] == "max-iterations"),
            count(new, lambda r: r["stop_reason"] == "max-iterations"),
            count(old, lambda r: r["converged"].lower() != "true"), count(new, lambda r: r["converged"].lower() != "true"),
            count(old, uncertified), count(new, uncertified)))
lines += ["", "Verdicts that changed: %d" % len(changed)]
for c in changed:
    lines.append("- %s, %s, %s: %s → %s" % c)
with open(os.path.join(HERE, "compare.md"), "w") as out:
    out.write("\n".join(lines) + "\n")
print("\n".join(lines))
