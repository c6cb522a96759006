from load import *
p=published(); o=ours(); n=p['n'][:,0]
ks=['a2','b2','nu2','a1','b1','nu1']
big=n>=40000
c={k: np.sqrt(np.mean(((o[k][big]-TRUE[k])**2)*p['n'][big])) for k in ks}
def zz(d): return np.stack([((d[k]-TRUE[k]))*np.sqrt(p['n'])/c[k] for k in ks])  # (6,200,40)
zp=zz(p); zo=zz(o)
m=(n>=2020)&(n<=9164)
for nm,z in [('pub',zp),('ours',zo)]:
    s=(z[:,m,:]**2).mean(0).ravel()
    print(nm, 'per-fit mean z^2 quantiles', np.round(np.quantile(s,[.1,.25,.5,.75,.9,.99]),2))
    for k,kk in enumerate(ks):
        zk=z[k,m,:].ravel()
        print('  ',kk,'sd %.2f  kurtosis %.2f  quantiles'%(zk.std(), np.mean(zk**4)/np.mean(zk**2)**2), np.round(np.quantile(zk,[.01,.1,.25,.5,.75,.9,.99]),2))
# correlation across params within pub fits
zp_m=zp[:,m,:].reshape(6,-1)
print(np.round(np.corrcoef(zp_m),2))
zo_m=zo[:,m,:].reshape(6,-1)
print(np.round(np.corrcoef(zo_m),2))
