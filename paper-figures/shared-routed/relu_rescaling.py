#!/usr/bin/env python3
"""Post-hoc check (decided after seeing the Theorem 1 rows, no new fits): the normalized loss of the ReLU
settings with the ReLU rescaling removed.

A ReLU expert k2 ReLU(k1 x + k0) equals (c k2) ReLU((k1 x + k0) / c) for every c > 0, so its parameters are not
identified; EM does not move along that direction, and the parameter errors there are the start's. Written as
(g, t, s) = (k2 |k1|, k0 / |k1|, sign k1), i.e. g ReLU(s x + t), the expert is determined by its function.
This script recomputes the loss_normalized column of results.csv(.gz) on (g, t, nu) instead of (k1, k0, k2, nu)
(same cells rule, same exponents: 1 alone, 2 in shared cells; the sign only in the cell distance) and fits the
exponent a of its mean and median against log(n)/n over three ranges of n.

  python3 relu_rescaling.py shared-routed-th1 softmax
  python3 relu_rescaling.py shared-routed-th3 normalized-sigmoid
  python3 relu_rescaling.py shared-routed-th1 softmax --check   # the plain parameters: reproduces loss_normalized
"""
import collections, csv, gzip, io, math, os, statistics, sys


def canon(e):
    k1, k0, k2 = e
    a = abs(k1)
    return [k2 * a, k0 / a if a > 0 else 0.0, 1.0 if k1 >= 0 else -1.0]


def parse(block):
    out = []
    for comp in block.split("|"):
        g, e, nu = comp.split(";")
        out.append(([float(v) for v in g.split()], [float(v) for v in e.split()], float(nu)))
    return out


def loss(fitted, truth, weight, with_beta1, plain):
    fw = [weight(g) for g, _, _ in fitted]
    tw = [weight(g) for g, _, _ in truth]
    fw = [w / sum(fw) for w in fw]
    tw = [w / sum(tw) for w in tw]

    def blocks(a):
        g, e, nu = a
        c = canon(e)
        b = [[e[0]], [e[1]], [e[2]], [nu]] if plain else [[c[0]], [c[1]], [nu]]
        return ([[g[0]]] + b if with_beta1 else b), (0.0 if plain else c[2])

    tb = [blocks(a) for a in truth]
    cells = []
    for a in fitted:
        ab, s = blocks(a)
        cells.append(min(range(len(tb)), key=lambda j: sum(math.dist(x, y) for x, y in zip(ab, tb[j][0]))
                         + 10 * abs(s - tb[j][1])))
    size = collections.Counter(cells)
    total, mass = 0.0, [0.0] * len(truth)
    for a, j, w in zip(fitted, cells, fw):
        ab, _ = blocks(a)
        e = 2 if size[j] > 1 else 1
        total += w * sum(math.dist(x, y) ** e for x, y in zip(ab, tb[j][0]))
        mass[j] += w
    return total + sum(abs(m - t) for m, t in zip(mass, tw))


def slope(xs, ys):
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main():
    name, gate = sys.argv[1], sys.argv[2]
    check = "--check" in sys.argv
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, name, "results.csv")
    text = open(path).read() if os.path.exists(path) else gzip.open(path + ".gz", "rt").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    shared_truth = [([1.0], [6, 0, -8], 0.25)]
    if gate == "softmax":
        routed_truth = [([0, -1.0], [-12, 0, 4], 0.4), ([0, 0.0], [12, 0, 4], 0.4)]
        weight = lambda g: math.exp(g[1])
    else:
        routed_truth = [([0, -0.5], [-12, 0, 4], 0.4), ([0, 0.5], [12, 0, 4], 0.4)]
        weight = lambda g: 1 / (1 + math.exp(-g[1]))
    by = collections.defaultdict(lambda: collections.defaultdict(list))
    worst = 0.0
    for r in rows:
        if r["status"] != "ok":
            continue
        sh, ro = r["estimate"].split(" || ")
        v = (loss(parse(sh), shared_truth, lambda g: g[0], False, check)
             + loss(parse(ro), routed_truth, weight, True, check))
        if check:
            worst = max(worst, abs(v - float(r["loss_normalized"])) / max(1e-300, abs(float(r["loss_normalized"]))))
        by[r["study"]][int(r["n"])].append(v)
    if check:
        print(f"{name}: largest relative difference from loss_normalized over {len(rows)} rows: {worst:.2e}")
        return
    for study, at in sorted(by.items()):
        ns = sorted(at)
        parts = []
        for lo in (100, 1000, 5000):
            sel = [n for n in ns if n >= lo]
            if len(sel) < 3:
                continue
            x = [math.log(math.log(n) / n) for n in sel]
            for centre, f in (("mean", statistics.mean), ("median", statistics.median)):
                parts.append(f"n >= {lo} {centre} a = {slope(x, [math.log(f(at[n])) for n in sel]):.3f}")
        print(f"{name} {study}: " + "; ".join(parts))


if __name__ == "__main__":
    main()
