from mix import *
m=(n>=2020)&(n<=9164)
s=(zp[:,m,:]**2).mean(0)   # sizes x 40
print('pub inflation by replicate block (n 2020-9164):',[round(s[:,a:a+10].mean(),2) for a in range(0,40,10)])
s=(zo[:,m,:]**2).mean(0); print('ours:',[round(s[:,a:a+10].mean(),2) for a in range(0,40,10)])
