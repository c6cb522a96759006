from mix import *
print('| sizes (index) | n | pub n/n_eff | ours n/n_eff | pub n_eff |')
print('|---|---|---|---|---|')
groups=[(0,1),(1,3),(3,5),(5,8),(8,11),(11,14),(14,17),(17,21),(21,23),(23,26),(26,30),(30,40),(40,60),(60,80),(80,120),(120,200)]
for a,b in groups:
    sp=(zp[:,a:b,:]**2).mean(axis=(0,2)); so=(zo[:,a:b,:]**2).mean(axis=(0,2))
    print(f'| {a}-{b-1} | {n[a]}-{n[b-1]} | {sp.mean():.2f} | {so.mean():.2f} | {int(np.mean(n[a:b]/sp))} |')
print('\npublished (n_num150, ntries5) file, same truth, for comparison:')
