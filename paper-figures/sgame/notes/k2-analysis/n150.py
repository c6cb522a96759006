import numpy as np
from load import *
R='/work/notes/peers/CRPE-SGaME/results_SGaME/result_model1_K2_ns_min100_ns_max100000_n_num150_rep40_ntries5_'
L=np.load(R+'loss.npy'); ns=np.concatenate([np.linspace(100,900,5),np.linspace(1000,100000,145)]).astype(int)
def slope(n,y):
    x=np.log(n); Y=np.log(y); A=np.column_stack([np.ones_like(x),x]); c,res,_,_=np.linalg.lstsq(A,Y,rcond=None)
    r=Y-A@c; s2=r@r/(len(x)-2); se=np.sqrt(s2*np.linalg.inv(A.T@A)[1,1]); return c[1],se
b,se=slope(ns,L.mean(1)); print('n150/ntries5 mean-loss slope %.3f [%.3f, %.3f]'%(b,b-1.97*se,b+1.97*se))
p=published(); b,se=slope(p['n'][:,0],p['loss'].mean(1)); print('main pub slope %.3f [%.3f,%.3f]'%(b,b-1.97*se,b+1.97*se))
o=ours(); b,se=slope(o['n'][:,0],o['loss'].mean(1)); print('ours slope %.3f'%b)
m=p['n'][:,0]>=30000; b,se=slope(p['n'][m,0],p['loss'][m].mean(1)); print('main pub slope n>=30000: %.3f [%.3f,%.3f]'%(b,b-1.97*se,b+1.97*se))
for lo,hi in [(1000,2100),(2300,5100),(5500,10300),(10300,30000)]:
    m1=(ns>=lo)&(ns<=hi); m2=(p['n'][:,0]>=lo)&(p['n'][:,0]<=hi)
    print(f'n {lo}-{hi}: n150/ntries5 mean loss {L[m1].mean():.4f} ({m1.sum()} sizes, mean n {ns[m1].mean():.0f}); main pub {p["loss"][m2].mean():.4f}; ours {o["loss"][m2].mean():.4f} ({m2.sum()} sizes, mean n {p["n"][m2,0].mean():.0f})')
print('ours iterations quantiles by n<=10200:', np.quantile(o['iterations'][o['n']<=10200],[0,.5,1]), 'n>10200', np.quantile(o['iterations'][o['n']>10200],[0,.5,1]))
