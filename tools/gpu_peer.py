#!/usr/bin/env python3
"""PyTorch peers for the GPU check (native-cuda/gpu-check.sh runs this when torch sees a GPU).

Times, on the same GPU and shapes as io.bsth.cli.GpuCheck:
  sgemm   2048^3 float32 torch.matmul (cuBLAS), best of 5 after a warm-up;
  search  Hamming top-k of Q queries against N 64-bit codes: XOR, popcount via a 256-entry byte table,
          torch.topk over the distances (no (distance, index) tie order: a timing peer, not a result peer).
Usage: gpu_peer.py [N [Q [K]]]   (defaults 1000000 1000 100)
"""
import sys
import time

import torch


def best(fn, reps=5):
    fn()
    torch.cuda.synchronize()
    out = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        out = min(out, time.perf_counter() - t0)
    return out


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    nq = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    k = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    dev = torch.device("cuda")
    print(f"[torch] {torch.__version__} on {torch.cuda.get_device_name(0)}")

    m = 2048
    a = torch.rand(m, m, device=dev)
    b = torch.rand(m, m, device=dev)
    s = best(lambda: a @ b)
    print(f"[torch sgemm] {m}^3: {s:.5f} s = {2 * m ** 3 / s / 1e9:.0f} GFLOP/s")

    g = torch.Generator(device="cpu").manual_seed(11)
    db = torch.randint(0, 256, (n, 8), dtype=torch.uint8, generator=g).to(dev)
    q = torch.randint(0, 256, (nq, 8), dtype=torch.uint8, generator=g).to(dev)
    table = torch.tensor([bin(i).count("1") for i in range(256)], dtype=torch.uint8, device=dev)

    def search():
        out = []
        for start in range(0, nq, 50):  # 50 queries at a time keep the (50, N, 8) temporary at 400 MB
            x = torch.bitwise_xor(q[start:start + 50, None, :], db[None, :, :])
            d = table[x.long()].sum(dim=2, dtype=torch.int32)
            out.append(torch.topk(d, k, dim=1, largest=False, sorted=True))
        return out

    s = best(search, reps=2)
    print(f"[torch search] {nq} queries x {n} codes x 64 bits, k {k}: {s:.4f} s")


if __name__ == "__main__":
    main()
