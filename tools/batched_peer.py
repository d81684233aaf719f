"""Peer for BatchedMatmulBenchmark: PyTorch 1.13 (Debian) torch.bmm at the attention shapes, ms per
call (median and best of 20 after a 1 s warm-up). NT multiplies by a transposed view, as our NT does.

Usage: /usr/bin/python3 tools/batched_peer.py THREADS [BxMxKxN ...]
"""
import statistics, sys, time
import torch

threads = int(sys.argv[1])
shapes = sys.argv[2:] or ["1024x16x128x16", "1024x64x128x64", "1024x128x128x128", "1024x64x64x128"]
torch.set_num_threads(threads)
g = torch.Generator().manual_seed(42)
for shape in shapes:
    b, m, k, n = (int(v) for v in shape.split("x"))
    a = torch.rand(b, m, k, generator=g) * 2 - 1
    for trans in ("NT", "NN"):
        bt = torch.rand(b, n, k, generator=g) * 2 - 1 if trans == "NT" else torch.rand(b, k, n, generator=g) * 2 - 1
        rhs = bt.transpose(1, 2) if trans == "NT" else bt
        out = torch.empty(b, m, n)
        end = time.perf_counter() + 1.0
        while time.perf_counter() < end:
            torch.bmm(a, rhs, out=out)
        ts = []
        for _ in range(20):
            t = time.perf_counter()
            torch.bmm(a, rhs, out=out)
            ts.append((time.perf_counter() - t) * 1e3)
        print(f"{shape} {trans} threads={threads} median {statistics.median(ts):.3f} ms best {min(ts):.3f} ms")
