#!/usr/bin/python3
"""Peer: FAISS IndexBinaryFlat exact Hamming k-NN on the same .npy codes as `bsth search`.

usage: /usr/bin/python3 tools/faiss_search.py DB.npy Q.npy K THREADS REPS [OUT_DIST.npy]
prints one line per repetition: "faiss search_seconds S" (search call only, after add)
"""
import sys, time
import numpy as np
import faiss

db_path, q_path, k, threads, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
faiss.omp_set_num_threads(threads)
db = np.load(db_path)
q = np.load(q_path)
nbit = db.shape[1]
assert nbit % 8 == 0, "FAISS binary indexes need nbit to be a multiple of 8"
pack = lambda c: np.packbits(c > 0, axis=1, bitorder="little")
index = faiss.IndexBinaryFlat(nbit)
index.add(pack(db))
qp = pack(q)
for _ in range(reps):
    t0 = time.perf_counter()
    D, I = index.search(qp, k)
    print("faiss search_seconds %.4f" % (time.perf_counter() - t0), flush=True)
if len(sys.argv) > 6:
    np.save(sys.argv[6], D.astype(np.int32))
