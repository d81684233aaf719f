#!/usr/bin/python3
"""Writes bsth/model/src/test/resources/io/bsth/model/stage1.json: the stage-1 label prototype network of
tools/bsth_reference.py (5 classes, 8 bits) with every state tensor filled by a formula the Java test
recomputes, and what PyTorch computes with it on 7 label rows (one of them empty, so its code is 0):
  - state: name -> shape, in state_dict order;
  - in train mode with dropout 0: P, code, pred, the four stage-1 loss terms and their weighted sum;
  - after one Adam step (lr 1e-3) in eval mode: P and the target codes B = sign(L P) (sign(0) = 0).
Fill formula for the tensor at position j of the state_dict, element i (row-major):
  float32(0.3 * sin(0.37 * i + 1.3 * j))   every tensor except the embedding's padding row 0 (kept 0)
Run: /usr/bin/python3 tools/make_stage1_fixture.py"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import bsth_reference as ref  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "bsth", "model", "src", "test", "resources", "io", "bsth", "model", "stage1.json")
C, K, N = 5, 8, 7


def fill(model):
    new = {}
    for j, (name, t) in enumerate(model.state_dict().items()):
        i = np.arange(t.numel(), dtype=np.float64)
        v = (0.3 * np.sin(0.37 * i + 1.3 * j)).astype(np.float32).reshape(t.shape)
        if name == "embedding.weight":
            v[0] = 0
        new[name] = torch.from_numpy(v)
    model.load_state_dict(new)


def labels():
    L = np.array([[1.0 if (r * 2 + c) % 3 == 0 else 0.0 for c in range(C)] for r in range(N)], dtype=np.float32)
    L[4] = 0  # a row without labels: code 0, target code sign(0) = 0
    return torch.from_numpy(L)


def terms(P, code, pred, L):
    n = L.shape[0]
    A = L.t() @ L
    A = (A - torch.diag(torch.diag(A)) + n * torch.eye(C)) / n
    Pn = F.normalize(P, dim=1)
    return [F.mse_loss(torch.sigmoid(pred), L), F.mse_loss(code, torch.sign(code)), code.sum() / n,
            F.mse_loss(Pn @ Pn.t(), A)]


def main():
    torch.manual_seed(0)
    net = ref.LabelPrototypeNet(C, K, dropout=0.0)
    fill(net)
    L = labels()
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    P, code, pred = net(L)
    t = terms(P, code, pred, L)
    loss = ref.stage1_loss(P, code, pred, L)
    opt.zero_grad()
    loss.backward()
    opt.step()
    net.eval()
    with torch.no_grad():
        P2 = net.prototypes()
        B = torch.sign(L @ P2)
    out = {
        "classes": C, "nbit": K,
        "state": [[k, list(v.shape)] for k, v in net.state_dict().items()],
        "labels": L.flatten().tolist(),
        "P": P.detach().flatten().tolist(),
        "code": code.detach().flatten().tolist(),
        "pred": pred.detach().flatten().tolist(),
        "terms": [x.item() for x in t],
        "loss": loss.item(),
        "P_after_step": P2.flatten().tolist(),
        "B": B.flatten().tolist(),
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
