from load import *
def decomp(d):
    w=np.exp(d['beta0'])
    c=dict(beta1=w*abs(d['beta1']-25), a=w*abs(d['a1']+20)+abs(d['a2']-20), b=w*abs(d['b1']-15)+abs(d['b2']+5),
           nu=w*abs(d['nu1']-.09)+abs(d['nu2']-.16), wt=abs(w-np.exp(-8)))
    c['total']=sum(c[k] for k in ['beta1','a','b','nu','wt'])
    return c
p=published(); o=ours(); cp=decomp(p); co=decomp(o)
print('recompute check pub', np.max(abs(cp['total']-p['loss'])), 'ours', np.max(abs(co['total']-o['loss'])))
print('ours c_a check', np.max(abs(co['a']-o['c_a'])), np.max(abs(co['b']-o['c_b'])))
bins=[(100,100),(300,300),(500,500),(700,900),(1000,2020),(2530,5080),(5590,10200),(10000,30000),(30000,60000),(60000,100000)]
n=p['n'][:,0]
def rows(bins):
    for lo,hi in bins:
        m=(n>=lo)&(n<=hi)
        if m.sum()==0: continue
        yield lo,hi,m
print('\nMean loss and per-block contributions (mean over sizes in bin x 40 reps)')
print('| n bin | #sizes | src | loss mean | loss median | c_a | c_b | c_nu | c_beta1 | weight term |')
print('|---|---|---|---|---|---|---|---|---|---|')
for lo,hi,m in rows(bins):
    for nm,c in [('pub',cp),('ours',co)]:
        f=lambda x: x[m].ravel()
        print(f'| {lo}-{hi} | {m.sum()} | {nm} | {f(c["total"]).mean():.4f} | {np.median(f(c["total"])):.4f} | {f(c["a"]).mean():.4f} | {f(c["b"]).mean():.4f} | {f(c["nu"]).mean():.4f} | {f(c["beta1"]).mean():.2e} | {f(c["wt"]).mean():.2e} |')
