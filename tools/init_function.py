#!/usr/bin/python3
"""Do Java's and PyTorch's initial stage-2 weights behave alike as a network, not only tensor by tensor?

    java ... tools/InitDump.java IMAGE_DIM TEXT_DIM CLASSES NBIT FIRST LAST DIR     # Java's draws per seed
    /usr/bin/python3 tools/init_function.py DATA_FOLDER NBIT FIRST LAST DIR [STEPS [ITEMS]]

For every seed, the network of tools/bsth_reference.py is built twice: once from PyTorch's own draws
(torch.manual_seed(seed)) and once with Java's draws loaded (DIR/java_SEED.safetensors). Both see the
same first ITEMS training items (default 1,024) in train mode with dropout off, and the same target codes (a fixed random
code per class). Per network: the spread of h, the share of saturated outputs, bit balance, the three
stage-2 loss terms, the gradient norm of each module, and the loss after STEPS (default 10) full-batch
Adam steps. Prints per statistic the mean and sd over the seeds of each side and Welch's t.
"""
import os
import sys

import numpy as np
import torch
from scipy import stats

sys.path.insert(0, os.path.dirname(__file__))
import bsth_reference as ref  # noqa: E402

data, nbit, first, last, folder = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
steps = int(sys.argv[6]) if len(sys.argv) > 6 else 10
items = int(sys.argv[7]) if len(sys.argv) > 7 else 1024
torch.set_num_threads(1)
(Itr, Ttr, Ltr), _, _ = ref.load(data)
I, T, L = Itr[:items], Ttr[:items], Ltr[:items]
g = torch.Generator().manual_seed(12345)
codes = torch.sign(torch.randn(L.shape[1], nbit, generator=g))
B = torch.sign(L @ codes)
GROUPS = ["imageMLP", "textMLP", "imageConcept", "textConcept", "imageTransformerEncoder",
          "textTransformerEncoder", "hash", "classify"]


def no_dropout(model):
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
    for m in model.modules():
        if isinstance(m, torch.nn.TransformerEncoderLayer):
            m.dropout.p = m.dropout1.p = m.dropout2.p = 0.0


def terms(h, pred):
    Hn = torch.nn.functional.normalize(h, dim=1)
    S = 2 * torch.sigmoid(L @ L.t()) - 1
    mse = torch.nn.functional.mse_loss
    return mse(torch.sigmoid(pred), L), mse(h, B), mse(Hn @ Hn.t(), S)


def measure(model):
    no_dropout(model)
    model.train()
    out = {}
    h, pred = model(I, T)
    c, q, s = terms(h, pred)
    out["h std"] = h.std().item()
    out["h mean |h|"] = h.abs().mean().item()
    out["h share |h|>0.9"] = (h.abs() > 0.9).float().mean().item()
    out["bit imbalance"] = torch.sign(h).mean(0).abs().mean().item()
    out["loss classify"], out["loss sign"], out["loss similarity"] = c.item(), q.item(), s.item()
    loss = c + 0.01 * q + s
    model.zero_grad()
    loss.backward()
    for grp in GROUPS:
        sq = sum((p.grad.double() ** 2).sum().item() for n, p in model.named_parameters() if n.startswith(grp + ".") and p.grad is not None)
        out["grad norm " + grp] = sq ** 0.5
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(steps):
        opt.zero_grad()
        h, pred = model(I, T)
        c, q, s = terms(h, pred)
        (c + 0.01 * q + s).backward()
        opt.step()
    h, pred = model(I, T)
    c, q, s = terms(h, pred)
    out[f"loss after {steps} steps"] = (c + 0.01 * q + s).item()
    out[f"similarity term after {steps} steps"] = s.item()
    return out


rows = {"java": [], "torch": []}
for seed in range(first, last + 1):
    torch.manual_seed(seed)
    model = ref.BSTH(I.shape[1], T.shape[1], L.shape[1], nbit, 1, 2, 0.5, 128)
    rows["torch"].append(measure(model))
    torch.manual_seed(seed)
    model = ref.BSTH(I.shape[1], T.shape[1], L.shape[1], nbit, 1, 2, 0.5, 128)
    state, _ = ref.load_safetensors(os.path.join(folder, f"java_{seed}.safetensors"))
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
    rows["java"].append(measure(model))
    print(f"seed {seed} done", file=sys.stderr, flush=True)

print(f"{nbit} bits, seeds {first}-{last}, the first {items} training items of {data}, dropout off, {steps} Adam steps")
print("| statistic | Java mean ± sd | PyTorch mean ± sd | Welch t | p |")
print("| --- | --- | --- | --- | --- |")
for k in rows["java"][0]:
    a = np.array([r[k] for r in rows["java"]])
    b = np.array([r[k] for r in rows["torch"]])
    t, p = stats.ttest_ind(a, b, equal_var=False)
    print(f"| {k} | {a.mean():.5g} ± {a.std(ddof=1):.2g} | {b.mean():.5g} ± {b.std(ddof=1):.2g} | {t:+.2f} | {p:.2f} |")
