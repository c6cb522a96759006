"""SGaME over-specified loss with normalized gating weights (our code; reads the peers' stored arrays only).

Needs a checkout of github.com/Trung-TinNGUYEN/CRPE-SGaME (its results_SGaME/ folder):
    python3 sgame_normalized.py [PATH_TO_CRPE-SGaME]      (default /work/notes/peers/CRPE-SGaME)

For the figure results k = 2, 3, 4 (200 sample sizes x 40 replicates each) it computes
  1. the published loss (reimplementation of discrepancies.py::loss_SGaME_exact, notes A.4), with atom
     weights w_i = exp(beta0_i), w*_j = exp(beta0*_j), and checks it against the stored *_loss.npy;
  2. the same loss with normalized weights w_i = softmax(beta0)_i (reference atom beta0 = 0) and
     w*_j = softmax(beta0*)_j, used both in the atom sum and in the weight term.
Voronoi cells: argmin_j of D_ij = |dbeta1| + |db| + |da| + |dnu| (beta0 not used). Atom term T_i = D_ij in
single-atom cells; in cells of size m >= 2: |dbeta1|^r + |db|^r + |da|^(r/2) + |dnu|^(r/2), r = rbar[m],
rbar = [0,1,4,6]; for k = 2 (exact fit, as published) atoms in cells of size >= 2 contribute 0.
Loss = sum_i w_i T_i + sum_j |sum_{i in V_j} w_i - w*_j|.
Outputs: log-log OLS slopes (log per-n statistic vs log int(n), 95% t interval) of the mean, median and
10% trimmed mean of both losses; per-cell-configuration median slopes of the normalized loss; the k = 3
top-50 share of the normalized-loss sum; per-n statistics to sgame_normalized_per_n.csv. Results go to
sgame_normalized.md (a '## Interpretation' section already in that file is kept).
"""
import os
import sys
import numpy as np
from scipy import stats

ROOT = sys.argv[1] if len(sys.argv) > 1 else '/work/notes/peers/CRPE-SGaME'
OUT = os.path.dirname(os.path.abspath(__file__))
RBAR = np.array([0, 1, 4, 6])
# Truth (models.py, model 1): rows beta0, beta1 / b, a; variances nu* = sd^2.
BETA_T = np.array([[-8.0, 0.0], [25.0, 0.0]])
A_T = np.array([[15.0, -5.0], [-20.0, 20.0]])
NU_T = np.array([0.3, 0.4]) ** 2
NS2 = np.concatenate([np.linspace(100, 900, 5), np.linspace(1000, 100000, 195)])
NS34 = np.linspace(10000, 100000, 200)
FILES = {2: ('result_model1_K2_ns_min100_ns_max100000_n_num200_rep40_ntries1', NS2),
         3: ('result_model1_K3_ns_min10000_ns_max100000_n_num200_rep40_ntries5', NS34),
         4: ('result_model1_K4_ns_min10000_ns_max100000_n_num200_rep40_ntries5', NS34)}


def load(stem):
    p = os.path.join(ROOT, 'results_SGaME', stem)
    beta = np.load(p + '_beta.npy')                                   # (N, R, 2, k-1)
    beta = np.concatenate([beta, np.zeros(beta.shape[:3] + (1,))], -1)  # reference atom k: (0, 0)
    return beta, np.load(p + '_A.npy'), np.load(p + '_Sigma.npy')[:, :, 0, :], np.load(p + '_loss.npy')


def losses(beta, A, nu):
    """Published and normalized losses for arrays of fits; also returns the cell sizes (N, R, 2)."""
    k = beta.shape[-1]
    d = [np.abs(beta[..., 1, :, None] - BETA_T[1]), np.abs(A[..., 0, :, None] - A_T[0]),
         np.abs(A[..., 1, :, None] - A_T[1]), np.abs(nu[..., :, None] - NU_T)]   # each (N, R, k, 2)
    D = d[0] + d[1] + d[2] + d[3]
    assert not np.any(D[..., 0] == D[..., 1]), 'exact tie in Voronoi assignment'
    vor = D.argmin(-1)                                                # (N, R, k)
    counts = np.stack([(vor == j).sum(-1) for j in range(2)], -1)    # (N, R, 2)
    assert counts.min() > 0, 'empty cell: published indexing counts[vor[i]] would be wrong'
    m = np.take_along_axis(counts, vor, -1)                           # size of atom i's cell
    sel = lambda x: np.take_along_axis(x, vor[..., None], -1)[..., 0]
    dd = [sel(x) for x in d]
    r = RBAR[m]
    T_multi = dd[0] ** r + dd[1] ** r + dd[2] ** (r / 2.0) + dd[3] ** (r / 2.0)
    T = np.where(m == 1, sel(D), 0.0 if k == 2 else T_multi)
    out = {}
    for name, w, ws in [('published', np.exp(beta[..., 0, :]), np.exp(BETA_T[0])),
                        ('normalized', None, np.exp(BETA_T[0]) / np.exp(BETA_T[0]).sum())]:
        if w is None:
            e = np.exp(beta[..., 0, :])
            w = e / e.sum(-1, keepdims=True)
        L = np.zeros(beta.shape[:2])
        for i in range(k):                                            # same summation order as published
            L = L + w[..., i] * T[..., i]
        for j in range(2):
            L = L + np.abs(np.where(vor == j, w, 0.0).sum(-1) - ws[j])
        out[name] = L
    return out, counts


def slope(n, y):
    r = stats.linregress(np.log(n), np.log(y))
    t = stats.t.ppf(0.975, len(n) - 2)
    return r.slope, r.slope - t * r.stderr, r.slope + t * r.stderr


fmt = lambda s: f'{s[0]:+.3f} [{s[1]:+.3f}, {s[2]:+.3f}]'
STATS = {'mean': lambda L: L.mean(1), 'median': lambda L: np.median(L, 1),
         'trimmed': lambda L: stats.trim_mean(L, 0.1, axis=1)}
rows, csv, cfg_rows, notes = [], [], [], []
for k, (stem, ns) in FILES.items():
    beta, A, nu, stored = load(stem)
    n = np.array([int(v) for v in ns])
    L, counts = losses(beta, A, nu)
    diff = np.abs(L['published'] - stored)
    notes.append(f'k={k}: published loss recomputed, max |diff| = {diff.max():.2e}, '
                 f'max rel diff = {(diff / np.abs(stored)).max():.2e}; '
                 f'fits with a cell of size >= 2: {(counts.max(-1) >= 2).sum()} of {stored.size}; max rel diff '
                 f'normalized vs published = {(np.abs(L["normalized"] - stored) / stored).max():.2e}')
    per = {f'{s}_{ln}': f(L[ln]) for ln in ('published', 'normalized') for s, f in STATS.items()}
    rows.append((k, {key: slope(n, v) for key, v in per.items()}))
    for i in range(len(n)):
        csv.append([k, n[i], L['published'].shape[1]] + [per[f'{s}_{ln}'][i] for ln in ('published', 'normalized')
                                                         for s in STATS])
    for c in sorted({tuple(int(v) for v in x) for x in counts.reshape(-1, 2)}):
        mask = (counts[..., 0] == c[0]) & (counts[..., 1] == c[1])
        ok = mask.sum(1) > 0
        med = np.array([np.median(L['normalized'][i][mask[i]]) for i in np.where(ok)[0]])
        cfg_rows.append((k, c, mask.sum(), ok.sum(), np.median(L['normalized'][mask]),
                         slope(n[ok], med) if ok.sum() > 10 else None))
    if k == 3:
        v = np.sort(L['normalized'].ravel())[::-1]
        notes.append(f'k=3 normalized loss: top-50 fits carry {100 * v[:50].sum() / v.sum():.2f}% of the total '
                     f'sum {v.sum():.4g} (largest {v[0]:.4g}, 50th {v[49]:.4g}; median {np.median(v):.3g})')
    print(notes[-1] if k != 3 else notes[-2] + '\n' + notes[-1])

with open(os.path.join(OUT, 'sgame_normalized_per_n.csv'), 'w') as f:
    f.write('k,n,count,mean_published,median_published,trimmed_published,'
            'mean_normalized,median_normalized,trimmed_normalized\n')
    for r in csv:
        f.write(','.join(str(x) for x in r[:3]) + ',' + ','.join(f'{x:.10g}' for x in r[3:]) + '\n')

md = ['# SGaME loss with normalized gating weights (`sgame_normalized.py`)', '',
      'Log-log OLS slope (log per-n statistic over 40 replicates vs log int(n); 200 sizes; 95% t interval, df = 198).',
      '', '| k | loss | mean | median | 10% trimmed mean |', '|---|---|---|---|---|']
for k, s in rows:
    for ln in ('published', 'normalized'):
        md.append(f'| {k} | {ln} | ' + ' | '.join(fmt(s[f'{st}_{ln}']) for st in STATS) + ' |')
md += ['', 'Normalized loss split by cell configuration (|V_1| for beta0* = -8, |V_2| for the reference atom); '
       'slope of the per-n median over the sizes with >= 1 replicate in that configuration.', '',
       '| k | cells | N fits | n used | median normalized loss | slope of per-n median |', '|---|---|---|---|---|---|']
for k, c, N, nok, med, s in cfg_rows:
    md.append(f'| {k} | {c} | {N} | {nok} | {med:.3g} | {fmt(s) if s else "n/a"} |')
md += ['', 'Checks and notes:', ''] + [f'- {x}' for x in notes]
mdpath = os.path.join(OUT, 'sgame_normalized.md')
keep = open(mdpath).read() if os.path.exists(mdpath) else ''
keep = keep.partition('## Interpretation')  # keep a hand-written interpretation, if any
with open(mdpath, 'w') as f:
    f.write('\n'.join(md) + '\n' + ('\n' + keep[1] + keep[2] if keep[1] else ''))
print('\n'.join(md))
