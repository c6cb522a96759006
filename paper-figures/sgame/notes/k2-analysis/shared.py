from load import *
p=published(); o=ours(); n=p['n'][:,0]
ks=['a2','b2','nu2','a1','b1','nu1']
for nm,d in [('pub',p),('ours',o)]:
    for lo,hi in [(300,10200),(10000,30000),(30000,100000)]:
        m=(n>=lo)&(n<=hi)
        out=[]
        for k in ks:
            e=d[k][m]-TRUE[k]          # (sizes,40)
            within=e.var(axis=1,ddof=1).mean()
            between=(e.mean(axis=1)**2).mean()*40   # ~within if no shared per-size component and no bias
            out.append(f'{k}:{between/within:.2f}')
        print(nm,lo,hi,'40*mean(rep-mean^2)/within-var:',' '.join(out))
# lag-1 correlation between consecutive replicates within a size
for nm,d in [('pub',p),('ours',o)]:
    m=(n>=300)&(n<=10200)
    for k in ['a2','a1']:
        e=(d[k][m]-TRUE[k]); e=e/e.std(axis=1,keepdims=True)
        print(nm,k,'lag-1 corr across replicates %.3f'%np.mean(e[:,1:]*e[:,:-1]), ' corr with next size same rep %.3f'%np.mean(e[1:]*e[:-1]))
