#!/usr/bin/python3
"""Peer: the straightforward numpy mAP@All (stable sort per query), as most hashing repositories write it.

usage: /usr/bin/python3 tools/numpy_map.py Q.npy DB.npy LQ.npy LDB.npy REPS
prints "numpy map_all M eval_seconds S" per repetition (evaluation only, after loading)
"""
import sys, time
import numpy as np

q, db, lq, ldb = (np.load(p) for p in sys.argv[1:5])
reps = int(sys.argv[5])

def map_all(qB, rB, qL, rL):
    nbit = qB.shape[1]
    qB = qB.astype(np.float32)
    rB = rB.astype(np.float32)
    aps = []
    for i in range(qB.shape[0]):
        gnd = (qL[i] @ rL.T > 0).astype(np.float32)
        tsum = gnd.sum()
        if tsum == 0:
            continue
        hamm = 0.5 * (nbit - qB[i] @ rB.T)
        ind = np.argsort(hamm, kind="stable")
        gnd = gnd[ind]
        count = np.arange(1, int(tsum) + 1, dtype=np.float64)
        tindex = np.asarray(np.where(gnd == 1)[0], dtype=np.float64) + 1.0
        aps.append(np.mean(count / tindex))
    return float(np.mean(aps)) if aps else 0.0

for _ in range(reps):
    t0 = time.perf_counter()
    m = map_all(q, db, lq, ldb)
    print("numpy map_all %.6f eval_seconds %.4f" % (m, time.perf_counter() - t0), flush=True)
