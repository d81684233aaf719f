#!/usr/bin/python3
"""Peer for the serve benchmark: FAISS's per-query latency on the same codes (search by code).

usage: /usr/bin/python3 tools/faiss_query_latency.py INDEX.faiss QUERIES THREADS K
Loads a `bsth export --format faiss` file, then searches QUERIES random codes of its width one at a
time (k = K), the way a service answers one request; prints p50 and p99 of the search call.
"""
import sys, time
import numpy as np
import faiss

path, nq, threads, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
faiss.omp_set_num_threads(threads)
index = faiss.read_index_binary(path)
rng = np.random.default_rng(7)
q = rng.integers(0, 256, size=(nq, index.d // 8), dtype=np.uint8)
lat = []
for i in range(nq):
    t0 = time.perf_counter()
    index.search(q[i:i + 1], k)
    lat.append(time.perf_counter() - t0)
lat = np.sort(np.array(lat))
print("faiss %s IndexBinaryFlat, %d codes x %d bits, %d threads, one query per call, k %d: p50 %.2f ms, p99 %.2f ms, %.1f queries/s"
      % (faiss.__version__, index.ntotal, index.d, threads, k, lat[len(lat) // 2] * 1e3, lat[int(len(lat) * 0.99)] * 1e3, len(lat) / lat.sum()))
