from load import *
p=published(); o=ours(); n=p['n'][:,0]
ks=['a2','b2','nu2','a1','b1','nu1']
big=n>=40000
c={k: np.sqrt(np.mean(((o[k][big]-TRUE[k])**2)*o['n'][big])) for k in ks}
def zz(d): return np.stack([((d[k]-TRUE[k]))*np.sqrt(p['n'])/c[k] for k in ks])
zp=zz(p); zo=zz(o)
print('| n range | src | per-fit mean z^2: q10 | q25 | q50 | q75 | q90 | q99 | kurtosis (pooled z) |')
print('|---|---|---|---|---|---|---|---|---|')
for lo,hi in [(100,100),(300,900),(1000,2020),(2530,5080),(5590,9164),(9675,14000),(14000,30000),(30000,100000)]:
    m=(n>=lo)&(n<=hi)
    for nm,z in [('pub',zp),('ours',zo)]:
        s=(z[:,m,:]**2).mean(0).ravel(); zk=z[:,m,:].ravel()
        q=np.quantile(s,[.1,.25,.5,.75,.9,.99])
        print(f'| {lo}-{hi} | {nm} | '+' | '.join(f'{v:.2f}' for v in q)+f' | {np.mean(zk**4)/np.mean(zk**2)**2:.2f} |')
