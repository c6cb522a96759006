#!/usr/bin/env bash
# The fused least-squares pass (f_G, Jacobian, JᵀJ, Jᵀr) of the toolkit against NumPy + BLAS on
# the same model and size (default truth, L = 3, n = 10^5, one thread each), side by side: each
# round runs the toolkit (bin/prefixmoe bench --pass-only: vector and scalar kernels, and EM's
# E-step pass) and bench/numpy_pass.py back to back, and the ratios NumPy / toolkit are taken
# within a round; the medians over rounds are printed. Ratios from one round are robust to a
# shared machine's load in a way that absolute times are not.
#   bench/pass_ratio.sh [rounds]      (default 5; needs python3 with numpy and PyYAML)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-5}"
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for r in $(seq 1 "$ROUNDS"); do
  for p in shared-linear non-shared; do
    bin/prefixmoe bench --pass-only -m "simulations/models/default-$p.yaml" | sed "s/^/round=$r /" >> "$OUT"
  done
  python3 bench/numpy_pass.py --n 100000 | sed "s/^/round=$r /" >> "$OUT"
done
python3 - "$OUT" <<'PY'
import re, statistics, sys, collections
t = collections.defaultdict(dict)   # (round, param) -> {what: ns}
for line in open(sys.argv[1]):
    m = re.match(r"round=(\d+) (\S+) (\S+) .*?(?:kernel=(\S+) )?ns_per_sample=([\d.]+)", line)
    if m:
        rnd, what, param, kernel, ns = m.groups()
        t[(rnd, param)][what + ("-" + kernel.lower() if kernel else "")] = float(ns)
print("ns per sample (median over rounds) and NumPy / toolkit ratio (median of per-round ratios)")
for param in ("shared-linear", "non-shared"):
    rows = [v for (r, p), v in t.items() if p == param]
    med = lambda k: statistics.median(v[k] for v in rows)
    line = f"{param:14s} numpy {med('numpy-pass'):6.1f}"
    for k in ("java-pass-vector", "java-pass-scalar"):
        if all(k in v for v in rows):
            ratio = statistics.median(v["numpy-pass"] / v[k] for v in rows)
            line += f" | {k[10:]} {med(k):6.1f} (x{ratio:.2f})"
    for k in ("java-em-pass-vector", "java-em-pass-scalar"):
        if all(k in v for v in rows):
            line += f" | EM E-step {k[13:]} {med(k):6.1f}"
    print(line + f"   [{len(rows)} rounds]")
PY
