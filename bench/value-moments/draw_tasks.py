"""Draws the fresh cap tasks of the value-moment coordinates' stage 1 (docs/solver-flat-sets.md): 20 of
trf-pair-c's fits at the cap in the whole-workload run (bench/whole-workload-ends.csv.gz), non-shared, n <= 20,000,
not among bench/cap/tasks.txt (nor among the files given as arguments), sampled with random.Random(SEED). Prints
`study n replicate` lines.

    python3 bench/value-moments/draw_tasks.py 13 > bench/value-moments/tasks.txt
    python3 bench/value-moments/draw_tasks.py 14 bench/value-moments/tasks.txt > bench/value-moments/tasks-b.txt
"""
import csv, gzip, random, sys

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 13

used = set()
for path in ["bench/cap/tasks.txt"] + sys.argv[2:]:
    for line in open(path):
        if line.strip() and not line.startswith("#"):
            s, n, r = line.split()[:3]
            used.add((s, int(n), int(r)))
rows = []
with gzip.open("bench/whole-workload-ends.csv.gz", "rt") as f:
    for row in csv.DictReader(f):
        key = (row["study"], int(row["n"]), int(row["replicate"]))
        if (row["trf_pair_c_stop_reason"] == "max-iterations" and row["study"] == "non-shared"
                and key[1] <= 20000 and key not in used):
            rows.append(key)
print("# 20 fresh trf-pair-c cap tasks (non-shared, n <= 2e4, not in %s), random.Random(%d), of %d"
      % (", ".join(["bench/cap/tasks.txt"] + sys.argv[2:]), seed, len(rows)))
for s, n, r in sorted(random.Random(seed).sample(rows, 20), key=lambda k: (k[1], k[2])):
    print(s, n, r)
