import numpy as np, gzip, csv
P='/work/notes/peers/CRPE-SGaME/results_SGaME/result_model1_K2_ns_min100_ns_max100000_n_num200_rep40_ntries1_'
def published():
    beta=np.load(P+'beta.npy'); A=np.load(P+'A.npy'); S=np.load(P+'Sigma.npy'); L=np.load(P+'loss.npy')
    ns=np.concatenate([np.linspace(100,900,5),np.linspace(1000,100000,195)]).astype(int)
    # per fit arrays: b0, b1 (atom1), b1_, a1, nu1, b2, a2, nu2
    out=dict(n=np.repeat(ns,40).reshape(200,40), beta0=beta[:,:,0,0], beta1=beta[:,:,1,0],
             b1=A[:,:,0,0], a1=A[:,:,1,0], b2=A[:,:,0,1], a2=A[:,:,1,1], nu1=S[:,:,0,0], nu2=S[:,:,0,1], loss=L)
    return out
def ours():
    rows=[r for r in csv.DictReader(gzip.open('/work/main/paper-figures/sgame/sgame-exact/results.csv.gz','rt')) if r['study']=='k2']
    ns=sorted(set(int(r['n']) for r in rows)); idx={n:i for i,n in enumerate(ns)}
    keys=['beta0','beta1','b1','a1','b2','a2','nu1','nu2','loss','iterations','c_beta1','c_a','c_b','c_nu','e_beta1','e_a','e_b','e_nu','loglik']
    out={k:np.full((200,40),np.nan) for k in keys}; out['n']=np.repeat(ns,40).reshape(200,40)
    for r in rows:
        i=idx[int(r['n'])]; j=int(r['replicate'])-1
        c1,c2=r['estimate'].split('|')
        g,e,nu=c1.split(';'); b1_,b0=map(float,g.split()); a,b=map(float,e.split())
        out['beta0'][i,j]=b0; out['beta1'][i,j]=b1_; out['a1'][i,j]=a; out['b1'][i,j]=b; out['nu1'][i,j]=float(nu)
        g,e,nu=c2.split(';'); assert g.split()==['0.0','0.0'],g; a,b=map(float,e.split())
        out['a2'][i,j]=a; out['b2'][i,j]=b; out['nu2'][i,j]=float(nu)
        for k in ['loss','iterations','c_beta1','c_a','c_b','c_nu','e_beta1','e_a','e_b','e_nu']: out[k][i,j]=float(r[k])
        out['loglik'][i,j]=float(r['log_likelihood'])
    return out
TRUE=dict(beta0=-8,beta1=25,b1=15,a1=-20,nu1=0.09,b2=-5,a2=20,nu2=0.16)
