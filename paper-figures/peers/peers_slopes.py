# Slopes of the published MoE studies' own stored loss arrays (CRPE-SGaME results_SGaME/, CRPE-GMoE
# results_GLLiM/): log-log OLS of the mean, median and 10% trimmed mean over replicates against log n, with
# 95% t intervals, and how heavy the tail of the losses is. Our code; it reads the peers' .npy files from
# checkouts of github.com/Trung-TinNGUYEN/CRPE-SGaME and CRPE-GMoE:
#   python3 peers_slopes.py PATH/TO/CRPE-SGaME PATH/TO/CRPE-GMoE > peers_slopes.out
import sys
import numpy as np
from scipy import stats
S=sys.argv[1].rstrip('/')+'/results_SGaME/'
G=sys.argv[2].rstrip('/')+'/results_GLLiM/'
def fit(ns, y):
    x=np.log(ns); Y=np.log(y)
    r=stats.linregress(x,Y); t=stats.t.ppf(0.975,len(x)-2)
    return r.slope, r.slope-t*r.stderr, r.slope+t*r.stderr, r.intercept
def summarize(name, ns, D):
    out=[]
    for lab,agg in [('mean',lambda D:D.mean(1)),('median',lambda D:np.median(D,1)),('trim10',lambda D:stats.trim_mean(D,0.1,axis=1))]:
        s,lo,hi,ic=fit(ns,agg(D)); out.append(f'{lab}: {s:+.4f} [{lo:+.4f},{hi:+.4f}] (intercept {ic:+.3f})')
    # pooled all replicates (log loss) OLS
    s,lo,hi,ic=fit(np.repeat(ns,D.shape[1]),D.ravel()); out.append(f'pooled-log(all reps): {s:+.4f} [{lo:+.4f},{hi:+.4f}]')
    print(f'| {name} | '+' | '.join(out)+' |')
def heavy(D):
    v=np.sort(D.ravel())[::-1]; c=np.cumsum(v)/v.sum()
    k98=int(np.searchsorted(c,0.98)+1)
    return k98, v.size, c[49], c[9], v[:5]
print('## SGaME')
ns2=np.concatenate([np.linspace(100,900,5),np.linspace(1000,100000,195)])
ns34=np.linspace(10000,100000,200)
files={2:('result_model1_K2_ns_min100_ns_max100000_n_num200_rep40_ntries1_loss.npy',ns2),
       3:('result_model1_K3_ns_min10000_ns_max100000_n_num200_rep40_ntries5_loss.npy',ns34),
       4:('result_model1_K4_ns_min10000_ns_max100000_n_num200_rep40_ntries5_loss.npy',ns34)}
for K,(f,ns) in files.items():
    D=np.load(S+f); nsi=np.array([int(v) for v in ns])
    print(K, f, D.shape, 'min',D.min(),'max',D.max(), 'nonfinite',(~np.isfinite(D)).sum())
    summarize(f'SGaME k={K} (n as int)', nsi, D)
    k98,N,c50,c10,top=heavy(D); print(f'  heavy tail: {k98} of {N} largest losses carry 98% of total; top-50 share={c50:.4f}; top-10 share={c10:.4f}; top5={top}')
    # by n: fraction of mean at each n driven by max
    print('  median over n of (max/sum) per n:', np.median(D.max(1)/D.sum(1)))
print('## GMoE')
nsg=np.concatenate([np.linspace(100,500,5),np.linspace(500,100000,95)])
nsgi=np.array([int(v) for v in nsg])
for m in [1,2,3,4]:
    for K in [4,5]:
        D=np.load(G+f'result_model{m}_K{K}_n100000_rep20_loss.npy')
        summarize(f'GMoE truth{m} k={K}', nsgi, D)
        k98,N,c50,c10,top=heavy(D); print(f'  heavy: {k98}/{N} carry 98%; top-10 share={c10:.3f}; max={D.max():.4g} min={D.min():.4g}')
