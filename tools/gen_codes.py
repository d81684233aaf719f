#!/usr/bin/python3
"""Random +-1 int8 codes (and optional 0/1 labels) as .npy, for the retrieval peer benchmarks.

usage: /usr/bin/python3 tools/gen_codes.py OUTDIR N_DB N_Q NBIT [CLASSES] [SEED]
writes OUTDIR/db.npy, OUTDIR/q.npy (and OUTDIR/ldb.npy, OUTDIR/lq.npy when CLASSES > 0)
"""
import sys, os
import numpy as np

out, n, nq, nbit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
classes = int(sys.argv[5]) if len(sys.argv) > 5 else 0
seed = int(sys.argv[6]) if len(sys.argv) > 6 else 2021
rng = np.random.default_rng(seed)
os.makedirs(out, exist_ok=True)
if classes > 0:
    # labelled codes: each class has a centre code; items copy their first label's centre with 20% bit flips,
    # so mAP is well above chance (like trained codes), and labels are multi-hot with co-occurrence
    centres = rng.integers(0, 2, size=(classes, nbit), dtype=np.int8) * 2 - 1
    def make(m):
        lab = (rng.random((m, classes)) < 1.5 / classes).astype(np.float32)
        first = rng.integers(0, classes, size=m)
        lab[np.arange(m), first] = 1
        flips = np.where(rng.random((m, nbit)) < 0.2, -1, 1).astype(np.int8)
        return (centres[first] * flips).astype(np.int8), lab
    db, ldb = make(n)
    q, lq = make(nq)
    np.save(os.path.join(out, "ldb.npy"), ldb)
    np.save(os.path.join(out, "lq.npy"), lq)
else:
    db = (rng.integers(0, 2, size=(n, nbit), dtype=np.int8) * 2 - 1).astype(np.int8)
    q = (rng.integers(0, 2, size=(nq, nbit), dtype=np.int8) * 2 - 1).astype(np.int8)
np.save(os.path.join(out, "db.npy"), db)
np.save(os.path.join(out, "q.npy"), q)
