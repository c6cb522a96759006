#!/usr/bin/env python3
"""Slopes, verdicts and outcomes of every least-squares paper figure under two solvers, side by side.

Run from the repository root:

    python3 paper-figures/compare_solvers.py OLD_DIR OLD_LABEL NEW_DIR NEW_LABEL

reads NAME/rates.csv and NAME/outcomes.csv (and the coverage and select-L tables) from both folders and writes
OLD_DIR/compare.md. The folders are `paper-figures/previous-solver-lm` (`lm`, the default before issue 23),
`paper-figures/previous-solver-trf-pair-w` (`trf-pair-w`, the default until its last step) and `paper-figures`
(the committed rows, the current default)."""
import csv
import os
import sys

FIGS = ["over-specified", "exact-specified", "prompt-mlp", "second-truth", "second-truth-large-n",
        "second-truth-large-n4", "second-truth-followup"]
TABLES = ["coverage/coverage.csv", "coverage/coverage.md", "select-L/picks.csv", "select-L/summary.csv",
          "select-L/noisy/picks.csv", "select-L/noisy/summary.csv"]


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


def main(old_dir, old, new_dir, new):
    arrow = "%s → %s" % (old, new)
    lines = ["# Least-squares paper figures: `%s` against `%s`" % (old, new), "",
             "Written by (repository root)", "",
             "    python3 paper-figures/compare_solvers.py %s %s %s %s" % (old_dir, old, new_dir, new), "",
             "from the old files in `%s/` and the refitted ones in `%s/` (same seeds, grids and data sets; only the"
             % (old_dir, new_dir),
             "solver differs). Slopes of the mean and the median loss against log n; verdicts as the figure's",
             "`rates.csv` gives them.",
             "", "| figure | study | loss | mean slope %s | median slope %s | verdict %s |" % (arrow, arrow, arrow),
             "|---|---|---|---|---|---|"]
    changed = []
    for fig in FIGS:
        before = {(r["study"], r["loss"]): r for r in rows(os.path.join(old_dir, fig, "rates.csv"))}
        for r in rows(os.path.join(new_dir, fig, "rates.csv")):
            key = (r["study"], r["loss"])
            if key[1] not in ("d1", "d2", "regression"):
                continue
            o = before.get(key)
            ov = o["verdict"] if o else "—"
            # the category only: the interval quoted in a "cannot tell" moves with every refit
            mark = "" if ov.split(" (")[0] == r["verdict"].split(" (")[0] else " **(changed)**"
            if mark:
                changed.append((fig,) + key + (ov, r["verdict"]))
            lines.append("| %s | %s | %s | %s → %s | %s → %s | %s → %s%s |" % (
                fig, key[0], key[1], f(o["slope"]) if o else "—", f(r["slope"]),
                f(o["median_slope"]) if o else "—", f(r["median_slope"]), ov, r["verdict"], mark))
    lines += ["", "## Fits at the iteration cap, failed, and converged but not certified (all sizes)", "",
              "| figure | study | fits | at the cap %s | failed %s | not certified %s |" % (arrow, arrow, arrow),
              "|---|---|---|---|---|---|"]
    for fig in FIGS:
        o = outcomes(os.path.join(old_dir, fig, "outcomes.csv"))
        n = outcomes(os.path.join(new_dir, fig, "outcomes.csv"))
        for s in n:
            a = o.get(s, [0, 0, 0, 0])
            lines.append("| %s | %s | %d | %d → %d | %d → %d | %d → %d |" % (fig, s, n[s][0], a[1], n[s][1], a[2],
                                                                         n[s][2], a[3], n[s][3]))
    lines += ["", "## Coverage and the choice of L: file by file", "", "| file | %s |" % arrow, "|---|---|"]
    for name in TABLES:
        with open(os.path.join(old_dir, name)) as a, open(os.path.join(new_dir, name)) as b:
            x, y = a.read().splitlines(), b.read().splitlines()
        differ = sum(1 for i in range(max(len(x), len(y))) if i >= len(x) or i >= len(y) or x[i] != y[i])
        lines.append("| `%s` | %s |" % (name, "identical" if differ == 0 else "%d of %d lines differ" % (differ, len(y))))
    lines += ["", "Verdicts that changed: %d" % len(changed)]
    for c in changed:
        lines.append("- %s, %s, %s: %s → %s" % c)
    with open(os.path.join(old_dir, "compare.md"), "w") as out:
        out.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
