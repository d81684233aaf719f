#!/usr/bin/python3
"""PyTorch half of tools/ParityRun.java: replays the Java run from the same initial weights, target codes and
batch order (dropout as given; with dropout > 0 the masks differ and only the trend is comparable) and prints
the loss terms of both, step by step, and the stage-1 terms (from the same initial prototypes) epoch by epoch.

    /usr/bin/python3 tools/parity_run.py OUT DROPOUT
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import bsth_reference as ref  # noqa: E402

out, dropout = sys.argv[1], float(sys.argv[2])
torch.set_num_threads(1)
torch.manual_seed(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
(Itr, Ttr, Ltr), _, _ = ref.load(out)
B = torch.from_numpy(np.load(os.path.join(out, "B.npy")))
perms = np.load(os.path.join(out, "perms.npy"))
jl = np.load(os.path.join(out, "java_losses.npy"))
state, meta = ref.load_safetensors(os.path.join(out, "init.safetensors"))
nbit = state["classify.weight"].shape[1]
C, n = Ltr.shape[1], Ltr.shape[0]

# stage 1 from the Java initial prototypes, dropout 0
pstate, _ = ref.load_safetensors(os.path.join(out, "proto_init.safetensors"))
proto = ref.LabelPrototypeNet(C, nbit, dropout=0.0)
proto.load_state_dict(pstate)
opt = torch.optim.Adam(proto.parameters(), lr=1e-3)
proto.train()
j1 = np.load(os.path.join(out, "java_stage1.npy"))
worst1 = 0.0
for e in range(100):
    opt.zero_grad()
    P, code, pred = proto(Ltr)
    loss = ref.stage1_loss(P, code, pred, Ltr)
    loss.backward()
    opt.step()
    worst1 = max(worst1, abs(loss.item() - j1[e, 0]) / max(1e-9, abs(j1[e, 0])))
    if e in (0, 9, 49, 99):
        print(f"stage 1 epoch {e + 1:3d}: torch {loss.item():.6f} java {j1[e, 0]:.6f}")
proto.eval()
with torch.no_grad():
    Bt = torch.sign(Ltr @ proto.prototypes())
print(f"stage 1: worst relative loss difference {worst1:.2e}; target codes differ in {int((Bt != B).sum())} of {B.numel()} entries")

model = ref.BSTH(Itr.shape[1], Ttr.shape[1], C, nbit, 1, 2, dropout, state["imageMLP.mlp.linear2.weight"].shape[0])
model.load_state_dict(state)
model.train()
with torch.no_grad():
    idx = torch.arange(min(128, n))
    vals = []
    for r in range(200):
        h, pred = model(Itr[idx], Ttr[idx])
        Hn = torch.nn.functional.normalize(h, dim=1)
        S = 2 * torch.sigmoid(Ltr[idx] @ Ltr[idx].t()) - 1
        vals.append([ref.stage2_loss(h, pred, B[idx], Ltr[idx]).item(),
                     torch.nn.functional.mse_loss(torch.sigmoid(pred), Ltr[idx]).item(),
                     torch.nn.functional.mse_loss(h, B[idx]).item(),
                     torch.nn.functional.mse_loss(Hn @ Hn.t(), S).item()])
    vals = np.array(vals)
print("torch expected train-mode loss (200 masks): %.5f [%.5f %.5f %.5f], std over masks %.5f"
      % (tuple(vals.mean(0)) + (vals[:, 0].std(),)))
model.load_state_dict(state)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
model.train()
batch = int(np.load(os.path.join(out, "batch.npy"))[0, 0])  # the Java run's batch size
s, worst, tl = 0, 0.0, []
for e in range(len(perms)):
    for b0 in range(0, n, batch):
        idx = torch.from_numpy(perms[e, b0:b0 + batch].astype(np.int64))
        h, pred = model(Itr[idx], Ttr[idx])
        Hn = torch.nn.functional.normalize(h, dim=1)
        S = 2 * torch.sigmoid(Ltr[idx] @ Ltr[idx].t()) - 1
        terms = [torch.nn.functional.mse_loss(torch.sigmoid(pred), Ltr[idx]).item(),
                 torch.nn.functional.mse_loss(h, B[idx]).item(), torch.nn.functional.mse_loss(Hn @ Hn.t(), S).item()]
        loss = ref.stage2_loss(h, pred, B[idx], Ltr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tl.append(loss.item())
        rel = abs(loss.item() - jl[s, 0]) / abs(jl[s, 0])
        worst = max(worst, rel)
        if s % max(1, len(jl) // 8) == 0 or s == len(jl) - 1:
            print(f"step {s:4d} epoch {e + 1}: torch {loss.item():.6f} [{terms[0]:.5f} {terms[1]:.5f} {terms[2]:.5f}]"
                  f"  java {jl[s, 0]:.6f} [{jl[s, 1]:.5f} {jl[s, 2]:.5f} {jl[s, 3]:.5f}]  rel {rel:.1e}")
        s += 1
print(f"stage 2: worst relative loss difference over {s} steps: {worst:.2e}")
steps_per_epoch = len(jl) // len(perms)
print(f"last-epoch mean loss: torch {np.mean(tl[-steps_per_epoch:]):.6f} java {np.mean(jl[-steps_per_epoch:, 0]):.6f}")

# the state after training, batch-norm running statistics included (only eval mode reads them: encoding): with
# dropout 0 both sides must end in the same state. Biases that a batch norm cancels (the MLP linears' and hash.0's,
# the encoders' final LayerNorm bias) get gradients of float rounding only, which Adam turns into steps of any
# sign: they are reported apart, with the running means that follow them.
final = os.path.join(out, "final.safetensors")
if os.path.exists(final):
    jstate, _ = ref.load_safetensors(final)
    tstate = {k: v.clone() for k, v in model.state_dict().items()}
    cancelled = ("mlp.linear1.bias", "mlp.linear2.bias", "hash.0.bias", "TransformerEncoder.norm.bias")
    worst_p, worst_b = 0.0, 0.0
    for k, v in tstate.items():
        d = (jstate[k].double() - v.double()).abs().max().item() / max(1e-6, v.double().abs().max().item())
        if "running" in k or "num_batches" in k or k.endswith(cancelled):
            worst_b = max(worst_b, d)
        else:
            worst_p = max(worst_p, d)
    model.eval()
    with torch.no_grad():
        ht = model(Itr, Ttr)[0]
        model.load_state_dict(jstate)
        hj = model(Itr, Ttr)[0]
    print(f"final state: worst relative difference, parameters {worst_p:.2e}, biases a batch norm cancels and running "
          f"statistics {worst_b:.2e}; "
          f"eval-mode code bits that differ {int((torch.sign(ht) != torch.sign(hj)).sum())} of {ht.numel()}")

    # retrieval quality of both final models, encoded and evaluated alike (the reference's encoder and evaluation)
    _, (Idb, Tdb, Ldb), (Ite, Tte, Lte) = ref.load(out)
    maps = {}
    for name, st in (("torch", tstate), ("java", jstate)):
        model.load_state_dict(st)
        qB = np.where(ref.encode(model, Ite, Tte, 1024).numpy() > 0, 1, -1).astype(np.int8)
        dB = np.where(ref.encode(model, Idb, Tdb, 1024).numpy() > 0, 1, -1).astype(np.int8)
        maps[name] = ref.evaluate(qB, dB, Lte.numpy(), Ldb.numpy())["map_all"]
    print(f"mAP@All ({Ite.shape[0]} queries x {Idb.shape[0]} database): torch {maps['torch']:.4f} java {maps['java']:.4f} "
          f"difference {maps['java'] - maps['torch']:+.4f}")
