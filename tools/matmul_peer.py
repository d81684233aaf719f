"""OpenBLAS peer for tools/bench_matmul.sh: times numpy's float32 matmul (Debian numpy -> libblas.so.3
-> OpenBLAS) at one shape MxKxN and prints one line: corename threads gflops-per-rep...

TRANS (NN, NT, TN or TT) says which operands are stored transposed, as in MatmulBenchmark: A stored
(K,M) for T, B stored (N,K) for T; numpy hands the transposed views to sgemm as transposition flags.

Usage: OPENBLAS_NUM_THREADS=T /usr/bin/python3 tools/matmul_peer.py MxKxN REPS [TRANS=NN]
"""
import ctypes, os, sys, time
import numpy as np

m, k, n = (int(v) for v in sys.argv[1].split("x"))
reps = int(sys.argv[2])
trans = sys.argv[3] if len(sys.argv) > 3 else "NN"
core = "unknown"
try:
    lib = ctypes.CDLL("libblas.so.3")
    lib.openblas_get_corename.restype = ctypes.c_char_p
    core = lib.openblas_get_corename().decode() + "/" + str(lib.openblas_get_num_threads())
except (OSError, AttributeError):
    pass
rng = np.random.default_rng(42)
a = rng.uniform(-1, 1, (k, m) if trans[0] == "T" else (m, k)).astype(np.float32)
b = rng.uniform(-1, 1, (n, k) if trans[1] == "T" else (k, n)).astype(np.float32)
a = a.T if trans[0] == "T" else a
b = b.T if trans[1] == "T" else b
c = np.empty((m, n), np.float32)
np.matmul(a, b, out=c)
g = []
t_end = time.perf_counter() + 1.0  # warm-up second
while time.perf_counter() < t_end:
    np.matmul(a, b, out=c)
for _ in range(reps):
    t = time.perf_counter()
    np.matmul(a, b, out=c)
    g.append(2.0 * m * n * k / (time.perf_counter() - t) / 1e9)
print(core, " ".join("%.1f" % x for x in g))
