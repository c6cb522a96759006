#!/usr/bin/env python3
"""Redraw a prefixmoe rate figure from summary.csv with pandas and matplotlib: the mean loss
against n on log-log axes, one line per study, 95% t error bars, and the fitted slope of each
study from rates.csv (when it lies beside summary.csv) in the legend.

    python3 examples/plot_summary.py plots/main/summary.csv --loss d1 -o main-d1.png
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("summary", help="summary.csv written by prefixmoe summarize or simulate")
    ap.add_argument("--loss", default="d1", help="d1, d2, regression, single, multi or multi_weighted (default d1)")
    ap.add_argument("-o", "--output", help="figure file (default: beside summary.csv, NAME-LOSS.png)")
    a = ap.parse_args()

    s = pd.read_csv(a.summary)
    s = s[(s["loss"] == a.loss) & (s["mean"] > 0)]
    if s.empty:
        sys.exit(f"{a.summary}: no rows with loss {a.loss}")
    slopes = {}
    rates = os.path.join(os.path.dirname(a.summary), "rates.csv")
    if os.path.exists(rates):
        r = pd.read_csv(rates)
        slopes = r[r["loss"] == a.loss].set_index("study")["slope"].to_dict()

    fig, ax = plt.subplots(figsize=(6, 4.5))
    for study, g in s.groupby("study", sort=True):
        g = g.sort_values("n")
        half = g["ci_half_width"].fillna(0) if "ci_half_width" in g else 0 * g["mean"]
        low = half.clip(upper=0.95 * g["mean"])  # a log axis cannot show a lower end at or below 0
        label = study if study not in slopes else f"{study} (slope {slopes[study]:.2f})"
        ax.errorbar(g["n"], g["mean"], yerr=[low, half], marker="o", capsize=3, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("n")
    ax.set_ylabel(f"mean {a.loss}")
    ax.legend()
    fig.tight_layout()
    out = a.output or os.path.splitext(a.summary)[0] + f"-{a.loss}.png"
    fig.savefig(out, dpi=144)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
