from load import *
import glob
o=ours(); n=o['n'][:,0]; big=n>=40000
ks=['a2','b2','nu2','a1','b1','nu1']
c={k: np.sqrt(np.mean(((o[k][big]-TRUE[k])**2)*o['n'][big])) for k in ks}
print('asymptotic sqrt(n)*rmse from ours:',{k:round(v,3) for k,v in c.items()})
def load(pref):
    beta=np.load(pref+'beta.npy'); A=np.load(pref+'A.npy'); S=np.load(pref+'Sigma.npy')
    return dict(a2=A[:,:,1,1],b2=A[:,:,0,1],nu2=S[:,:,0,1],a1=A[:,:,1,0],b1=A[:,:,0,0],nu1=S[:,:,0,0])
def neff(d):
    # per index: n_eff = 1/mean_k( mse_k / c_k^2 )
    r=np.stack([np.mean((d[k]-TRUE[k])**2,axis=1)/c[k]**2 for k in ks]).mean(0)
    return 1/r
R='/work/notes/peers/CRPE-SGaME/results_SGaME/result_model1_K2_'
res={}
for tag in ['ns_min100_ns_max100000_n_num200_rep40_ntries1_','n100000_rep40_ntries1_','ns_min100_ns_max100000_n_num150_rep40_ntries5_','ns_min100_ns_max100000_n_num100_rep20_ntries1_','n100000_rep20_ntries1_','n100000_rep20_','n100000_rep10_ntries10_']:
    d=load(R+tag); ne=neff(d); res[tag]=ne
    print(tag, d['a2'].shape, 'n_eff idx0..29:', np.round(ne[:30]).astype(int).tolist(), '... last:', int(ne[-1]))
a=np.load(R+'ns_min100_ns_max100000_n_num200_rep40_ntries1_A.npy'); b=np.load(R+'n100000_rep40_ntries1_A.npy'); print('main == n100000_rep40?', np.array_equal(a,b))
print()
ns150=np.concatenate([np.linspace(100,900,5),np.linspace(1000,100000,145)]).astype(int)
ne=res['ns_min100_ns_max100000_n_num150_rep40_ntries5_']
r=ns150/ne
for a,b in [(0,5),(5,10),(10,15),(15,20),(20,30),(30,50),(50,80),(80,150)]:
    print('n150 file idx',a,b-1,'n',ns150[a],ns150[b-1],'mean n/n_eff %.2f'%r[a:b].mean())
ns200=n; r2=ns200/res['ns_min100_ns_max100000_n_num200_rep40_ntries1_']
for lo,hi in [(100,100),(300,900),(1000,2020),(2530,5080),(5590,10200),(10000,20000),(20000,40000),(40000,100000)]:
    m=(ns200>=lo)&(ns200<=hi); m2=(ns150>=lo)&(ns150<=hi)
    print(f'n in [{lo},{hi}]: main file (ntries1) n/n_eff {r2[m].mean():.2f} ({m.sum()} sizes); n150 file (ntries5) {r[m2].mean() if m2.any() else float("nan"):.2f} ({m2.sum()} sizes)')
