"""Compares the initial parameter distributions of bsth (Java) with tools/bsth_reference.py (PyTorch).

Reads the per-tensor lines of tools/InitStats.java (name, count, mean, std, min, max) and prints, for each
tensor, the same statistics of a fresh PyTorch BSTH / LabelPrototypeNet of the same shape, flagging a
tensor whose standard deviation differs by more than 5 standard errors or whose bounds differ by more than
5 %; also whether the two layers of each PyTorch encoder start identical.

    java --add-modules jdk.incubator.vector -cp bsth/cli/target/bsth-cli-*-all.jar tools/InitStats.java 784 392 10 16 1 > java.tsv
    /usr/bin/python3 tools/init_stats.py java.tsv 784 392 10 16
"""
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bsth_reference import BSTH, LabelPrototypeNet  # noqa: E402


def stats(t):
    v = t.detach().double().flatten()
    return v.numel(), v.mean().item(), v.std(unbiased=False).item(), v.min().item(), v.max().item()


def main():
    path, image, text, classes, nbit = sys.argv[1], *map(int, sys.argv[2:6])
    torch.manual_seed(1)
    tensors = {}
    for prefix, m in (("bsth.", BSTH(image, text, classes, nbit)), ("proto.", LabelPrototypeNet(classes, nbit))):
        for k, v in m.state_dict().items():
            tensors[prefix + k] = v
    bad, seen = 0, 0
    print(f"{'tensor':60s} {'n':>9s} {'std Java':>10s} {'std torch':>10s} {'min J / T':>21s} {'max J / T':>21s}")
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if f[0] == "clone":
            enc = f[1][len("bsth."):]
            m = {k: v for k, v in tensors.items() if k.startswith(f"bsth.{enc}.layers.0.")}
            same = all(torch.equal(v, tensors[k.replace(".layers.0.", ".layers.1.")]) for k, v in m.items())
            print(f"{f[1]}: layers start identical: Java {f[2]}, PyTorch {str(same).lower()}")
            bad += f[2] != str(same).lower()
            continue
        name, n, mean, sd, lo, hi = f[0], int(f[1]), *map(float, f[2:])
        if name not in tensors:
            print(f"{name}: not in the PyTorch model")
            bad += 1
            continue
        seen += 1
        tn, tmean, tsd, tlo, thi = stats(tensors.pop(name))
        # the standard error of a sample standard deviation is about sd / sqrt(2n)
        sd_off = abs(sd - tsd) > 5 * max(sd, tsd) / math.sqrt(2 * n) + 1e-7
        bound_off = abs(lo - tlo) > 0.05 * max(abs(tlo), 1e-6) + 1e-6 or abs(hi - thi) > 0.05 * max(abs(thi), 1e-6) + 1e-6
        # bounds are compared for the uniform initialisations only (the embedding is N(0, 1): its extremes are noise)
        flag = "  <-- differs" if (n != tn or sd_off or (bound_off and n >= 64 and "embedding" not in name)) else ""
        bad += bool(flag)
        print(f"{name:60s} {n:9d} {sd:10.5f} {tsd:10.5f} {lo:10.5f}/{tlo:10.5f} {hi:10.5f}/{thi:10.5f}{flag}")
    for name in tensors:
        print(f"{name}: only in the PyTorch model")
        bad += 1
    print(f"{seen} tensors compared, {bad} differ")


if __name__ == "__main__":
    main()
