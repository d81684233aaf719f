#!/usr/bin/python3
"""Writes bsth/model/src/test/resources/io/bsth/model/parity.json: the stage-2 network of
tools/bsth_reference.py (image 12-d, text 10-d, 5 classes, 4 bits, 2 layers, nhead 2) with every
state tensor filled by a formula the Java test recomputes, and what PyTorch computes with it:
  - state: name -> shape, in state_dict order (the interchange names of docs/ALGORITHM.md);
  - eval-mode h for 6 items;
  - with dropout 0 in train mode: the stage-2 loss terms, then h (eval mode) after one Adam step.
Fill formula for the tensor at position j of the state_dict, element i (row-major):
  float32(0.05 * sin(0.37 * i + 1.3 * j))      weights and biases
  float32(1 + 0.25 * |cos(0.37 * i + j)|)       running_var
  float32(0.1 * cos(0.21 * i + j))              running_mean
  sin/cos table                                  pe (kept as PyTorch builds it)
  3                                              num_batches_tracked
Run: /usr/bin/python3 tools/make_model_fixture.py"""
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import bsth_reference as ref  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "bsth", "model", "src", "test", "resources", "io", "bsth", "model", "parity.json")


def fill(model):
    sd = model.state_dict()
    new = {}
    for j, (name, t) in enumerate(sd.items()):
        n = t.numel()
        i = np.arange(n, dtype=np.float64)
        if name.endswith("pe"):
            new[name] = t
            continue
        if name.endswith("num_batches_tracked"):
            new[name] = torch.tensor(3, dtype=torch.long)
            continue
        if name.endswith("running_var"):
            v = 1 + 0.25 * np.abs(np.cos(0.37 * i + j))
        elif name.endswith("running_mean"):
            v = 0.1 * np.cos(0.21 * i + j)
        else:
            v = 0.05 * np.sin(0.37 * i + 1.3 * j)
        new[name] = torch.from_numpy(v.astype(np.float32).reshape(t.shape))
    model.load_state_dict(new)


def inputs():
    n = 6
    I = np.array([[math.sin(0.3 * r + 0.7 * c) for c in range(12)] for r in range(n)], dtype=np.float32)
    T = np.array([[1.0 if (r * 3 + c) % 4 == 0 else 0.0 for c in range(10)] for r in range(n)], dtype=np.float32)
    L = np.array([[1.0 if (r + c) % 3 == 0 else 0.0 for c in range(5)] for r in range(n)], dtype=np.float32)
    B = np.array([[1.0 if (r * 5 + c) % 3 else -1.0 for c in range(4)] for r in range(n)], dtype=np.float32)
    return [torch.from_numpy(a) for a in (I, T, L, B)]


def main():
    torch.manual_seed(0)
    model = ref.BSTH(12, 10, 5, 4, nhead=2, layers=2, dropout=0.0)
    fill(model)
    I, T, L, B = inputs()
    model.eval()
    with torch.no_grad():
        h_eval = model(I, T)[0]
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    h, pred = model(I, T)
    Hn = torch.nn.functional.normalize(h, dim=1)
    S = 2 * torch.sigmoid(L @ L.t()) - 1
    terms = [torch.nn.functional.mse_loss(torch.sigmoid(pred), L), torch.nn.functional.mse_loss(h, B),
             torch.nn.functional.mse_loss(Hn @ Hn.t(), S)]
    loss = ref.stage2_loss(h, pred, B, L)
    opt.zero_grad()
    loss.backward()
    opt.step()
    model.eval()
    with torch.no_grad():
        h_after = model(I, T)[0]
    out = {
        "config": {"image_dim": 12, "text_dim": 10, "classes": 5, "nbit": 4, "nhead": 2, "layers": 2},
        "state": [[k, list(v.shape)] for k, v in model.state_dict().items()],
        "h_eval": h_eval.flatten().tolist(),
        "train_h": h.detach().flatten().tolist(),
        "loss": loss.item(),
        "terms": [t.item() for t in terms],
        "h_after_step": h_after.flatten().tolist(),
        "running_mean_after_step": model.state_dict()["imageMLP.mlp.bn1.running_mean"][:8].tolist(),
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
