from load import *
p=published(); o=ours(); n=p['n'][:,0]
bins=[(100,100),(300,500),(700,2020),(2530,5080),(5590,10200),(10000,30000),(30000,60000),(60000,100000)]
for k in ['a2','b2','nu2','a1','b1','nu1','beta1','beta0']:
    print(f'\n{k} (true {TRUE[k]}): signed error mean, median, SD (x sqrt(n))')
    for lo,hi in bins:
        m=(n>=lo)&(n<=hi); s=np.sqrt(p['n'][m]).ravel()
        line=f'{lo}-{hi}: '
        for nm,d in [('pub',p),('ours',o)]:
            e=(d[k][m].ravel()-TRUE[k])
            line+=f'{nm}: mean {np.mean(e):+.4f} med {np.median(e):+.4f} sd {np.std(e):.4f} sqrt(n)*sd {np.std(e*s):.2f} | '
        print(line)
