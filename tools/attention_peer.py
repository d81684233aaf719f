#!/usr/bin/python3
"""PyTorch peer of AttentionBenchmark: TransformerEncoderLayer(128, 1, 128, 0.5, gelu), train mode,
input (nbit, batch, 128) requiring grad, forward + backward(seed). Prints "nbit ms ms ms ..." (one
time per timed call).  Usage: attention_peer.py NBIT [BATCH=1024] [THREADS=2] [CALLS=5]"""
import sys
import time

import torch
import torch.nn as nn

nbit = int(sys.argv[1])
batch = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
calls = int(sys.argv[4]) if len(sys.argv) > 4 else 5
torch.set_num_threads(threads)
torch.manual_seed(2021)
layer = nn.TransformerEncoderLayer(128, 1, 128, 0.5, activation="gelu").train()
x = torch.randn(nbit, batch, 128, requires_grad=True)
seed = torch.rand(nbit, batch, 128) * 2 - 1


def step():
    layer.zero_grad()
    x.grad = None
    layer(x).backward(seed)


t_end = time.perf_counter() + 2
while time.perf_counter() < t_end:  # 2 s warm-up
    step()
times = []
for _ in range(calls):
    t0 = time.perf_counter()
    step()
    times.append((time.perf_counter() - t0) * 1e3)
print(nbit, " ".join("%.2f" % t for t in times))
