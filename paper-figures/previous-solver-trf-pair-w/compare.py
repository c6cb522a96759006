#!/usr/bin/env python3
"""Old (trf-pair-w) against refitted (trf-pair-m) slopes, verdicts and outcomes of every
least-squares paper figure: run from the repository root, writes paper-figures/previous-solver-trf-pair-w/compare.md."""
import csv
import os

FIGS = ["over-specified", "exact-specified", "prompt-mlp", "second-truth", "second-truth-large-n",
        "second-truth-large-n4", "second-truth-followup"]
OLD = "paper-figures/previous-solver-trf-pair-w"


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def outcomes(path):
    out = {}
    for r in rows(path):
        o = out.setdefault(r["study"], [0, 0, 0, 0])
        o[0] += int(r["fits"])
        o[1] += int(r["at_cap"])
        o[2] += int(r["failed"])
        o[3] += int(r.get("not_certified") or 0)
    return out


def f(x):
    return "" if x in ("", None) else "%.3f" % float(x)


lines = ["# Least-squares paper figures: `trf-pair-w` (the default from the first switch of issue 23) against `trf-pair-m` (its last)",
         "",
         "Written by `python3 paper-figures/previous-solver-trf-pair-w/compare.py` from the old files kept in this folder and",
         "the refitted ones in `paper-figures/NAME/` (same seeds, grids and data sets; only the solver differs).",
         "Slopes of the mean and the median loss against log n; verdicts as the figure's `rates.csv` gives them.",
         "", "| figure | study | loss | mean slope trf-pair-w → trf-pair-m | median slope trf-pair-w → trf-pair-m | verdict trf-pair-w → trf-pair-m |",
         "|---|---|---|---|---|---|"]
changed = []
for fig in FIGS:
    old = {(r["study"], r["loss"]): r for r in rows(os.path.join(OLD, fig, "rates.csv"))}
    new = {(r["study"], r["loss"]): r for r in rows(os.path.join("paper-figures", fig, "rates.csv"))}
    for key in new:
        if key[1] not in ("d1", "d2", "regression"):
            continue
        o, n = old.get(key), new[key]
        ov = o["verdict"] if o else "—"
        # the category only: the interval quoted in a "cannot tell" moves with every refit
        mark = "" if ov.split(" (")[0] == n["verdict"].split(" (")[0] else " **(changed)**"
        if mark:
            changed.append((fig,) + key + (ov, n["verdict"]))
        lines.append("| %s | %s | %s | %s → %s | %s → %s | %s → %s%s |" % (
            fig, key[0], key[1], f(o["slope"]) if o else "—", f(n["slope"]),
            f(o["median_slope"]) if o else "—", f(n["median_slope"]), ov, n["verdict"], mark))
lines += ["", "## Fits at the iteration cap, failed, and converged but not certified (all sizes)", "",
          "| figure | study | fits | at the cap trf-pair-w → trf-pair-m | failed trf-pair-w → trf-pair-m | not certified trf-pair-w → trf-pair-m |",
          "|---|---|---|---|---|---|"]
for fig in FIGS:
    o = outcomes(os.path.join(OLD, fig, "outcomes.csv"))
    n = outcomes(os.path.join("paper-figures", fig, "outcomes.csv"))
    for s in n:
        a = o.get(s, [0, 0, 0, 0])
        lines.append("| %s | %s | %d | %d → %d | %d → %d | %d → %d |" % (fig, s, n[s][0], a[1], n[s][1], a[2], n[s][2],
                                                                     a[3], n[s][3]))
lines += ["", "## Coverage and the choice of L: file by file", "",
          "| file | old → new |", "|---|---|"]
for name in ["coverage/coverage.csv", "coverage/coverage.md", "select-L/picks.csv", "select-L/summary.csv",
             "select-L/noisy/picks.csv", "select-L/noisy/summary.csv"]:
    with open(os.path.join(OLD, name)) as a, open(os.path.join("paper-figures", name)) as b:
        x, y = a.read().splitlines(), b.read().splitlines()
    differ = sum(1 for i in range(max(len(x), len(y))) if i >= len(x) or i >= len(y) or x[i] != y[i])
    lines.append("| `%s` | %s |" % (name, "identical" if differ == 0 else "%d of %d lines differ" % (differ, len(y))))
lines += ["", "Verdicts that changed: %d" % len(changed)]
for c in changed:
    lines.append("- %s, %s, %s: %s → %s" % c)
with open(os.path.join(OLD, "compare.md"), "w") as out:
    out.write("\n".join(lines) + "\n")
print("\n".join(lines))
