from load import *
p=published(); o=ours(); n=p['n'][:,0]
ks=['a2','b2','nu2','a1','b1','nu1']
big=n>=40000
c={k: np.sqrt(np.mean(((o[k][big]-TRUE[k])**2)*p['n'][big])) for k in ks}  # asymptotic sd*sqrt(n) from ours
def infl(d):
    z=np.stack([((d[k]-TRUE[k])**2)*p['n']/c[k]**2 for k in ks])  # (6,200,40)
    return z.mean(axis=(0,2))   # ~ n/n_eff
ip=infl(p); io=infl(o)
np.save('infl.npy',np.stack([n,ip,io]))
for i in list(range(0,30))+list(range(30,200,10)):
    print(i,n[i],'pub n/neff %.2f  ours %.2f  -> pub n_eff ~ %d'%(ip[i],io[i],n[i]/ip[i]))
