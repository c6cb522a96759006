import csv, sys, collections
def load(p):
    return {(r['method'], r['images_per_class'], r['seed']): r for r in csv.DictReader(open(p)) if r['config']=='f4675016'}
old = load('paper-figures/djl/rev1-2026-12-03/runs.csv'); new = load(sys.argv[1])
by = collections.defaultdict(list); same = 0
for k, r in sorted(new.items()):
    o = old[k]
    assert o['lr']==r['lr'] and o['head_lr']==r['head_lr'], k
    da = float(r['test_accuracy'])-float(o['test_accuracy']); dl = float(r['final_loss'])-float(o['final_loss'])
    eq = r['test_accuracy']==o['test_accuracy'] and r['final_loss']==o['final_loss']
    same += eq
    by[(k[0],k[1])].append(da)
    print(f"{k[0]:14s} {k[1]:>3s} seed {k[2]:>3s}: acc {o['test_accuracy']} -> {r['test_accuracy']} ({100*da:+.2f} pts) loss {o['final_loss']} -> {r['final_loss']} {'same' if eq else 'DIFFERENT'}")
print(f"identical {same}/{len(new)}")
for k, v in by.items(): print(k, f"mean diff {100*sum(v)/len(v):+.3f} pts, max |diff| {100*max(abs(x) for x in v):.2f}")
