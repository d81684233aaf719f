"""PyTorch half of tools/Stage1Codes.java: stage 1 of tools/bsth_reference.py per seed (dropout 0.5, 100 Adam
steps, target codes from eval mode); one line per seed in the Java tool's format, then the mean of each
figure per implementation when given the Java lines.

    /usr/bin/python3 tools/stage1_codes.py DATA_FOLDER NBIT FIRST_SEED SEEDS [java_lines.txt]
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bsth_reference as ref  # noqa: E402


def line(who, seed, loss, quant, proto_term, zeros, P):
    s = np.sign(P)
    C = s.shape[0]
    dists = [int((s[i] != s[c]).sum()) for i in range(C) for c in range(i + 1, C)]
    distinct = len({tuple(r) for r in s})
    return (f"{who} seed {seed} loss {loss:.4f} quant {quant:.5f} proto {proto_term:.5f} zeros {zeros} "
            f"distinct {distinct} least {min(dists)} mean {np.mean(dists):.2f}")


def main():
    data, nbit, first, seeds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(1)
    (_, _, L), _, _ = ref.load(data)
    C, n = L.shape[1], L.shape[0]
    lines = []
    for seed in range(first, first + seeds):
        torch.manual_seed(seed)
        proto, _, P, code, loss = ref.train_stage1(L, nbit, 100)
        quant = torch.nn.functional.mse_loss(code, torch.sign(code)).item()
        Pn = torch.nn.functional.normalize(P, dim=1)
        A = L.t() @ L
        A = (A - torch.diag(torch.diag(A)) + n * torch.eye(C)) / n
        proto_term = torch.nn.functional.mse_loss(Pn @ Pn.t(), A).item()
        proto.eval()
        with torch.no_grad():
            Pe = proto.prototypes()
            zeros = int((torch.sign(L @ Pe) == 0).sum())
        lines.append(line("torch", seed, loss.item(), quant, proto_term, zeros, Pe.numpy()))
        print(lines[-1])
    if len(sys.argv) > 5:
        java = [s.strip() for s in open(sys.argv[5]) if s.startswith("java seed")]
        for who, ls in (("java", java), ("torch", lines)):
            f = [s.split() for s in ls]
            keys = ["loss", "quant", "proto", "zeros", "distinct", "least", "mean"]
            means = {k: np.mean([float(r[r.index(k) + 1]) for r in f]) for k in keys}
            print(f"{who} mean over {len(f)} seeds: " + " ".join(f"{k} {v:.4f}" for k, v in means.items()))


if __name__ == "__main__":
    main()
