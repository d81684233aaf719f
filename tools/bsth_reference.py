#!/usr/bin/python3
"""BSTH in PyTorch: the reference the Java implementation is compared with.

The method exactly as docs/ALGORITHM.md states it (the authors' architecture, losses, weights and
schedule), on a folder of the nine .npy arrays (write one with `bin/bsth export-data --data SPEC --out DIR`).
Stage 1 learns label prototypes and the target codes B; stage 2 trains the hash network; encoding is
in eval mode; evaluation is mAP@All, P@K and mAP@K with ties in database order (a stable sort).

    /usr/bin/python3 tools/bsth_reference.py --data DIR --nbit 64 --epochs 20 [--report r.json]
        [--save model.safetensors] [--load model.safetensors] [--threads 2] [--seed 2021]

--save writes the stage-2 state_dict as .safetensors under the PyTorch names of docs/ALGORITHM.md with
__metadata__ {"format": "bsth", "config": "<JSON object as a string>"} (string values, as the safetensors library requires); --load evaluates such a file (e.g. one written by
`bin/bsth train --save`) without training.
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

KEYS = [["I_tr", "T_tr", "L_tr"], ["I_db", "T_db", "L_db"], ["I_te", "T_te", "L_te"]]


# ---------------------------------------------------------------------------------------------
# Stage 1: label prototypes
class LabelPrototypeNet(nn.Module):
    def __init__(self, classes, nbit, dropout=0.5):
        super().__init__()
        self.classes = classes
        self.nbit = nbit
        self.embedding = nn.Embedding(classes + 1, nbit, padding_idx=0)
        layer = nn.TransformerEncoderLayer(d_model=nbit, nhead=1, dim_feedforward=nbit,
                                           dropout=dropout, activation="gelu")
        self.transformerEncoder = nn.TransformerEncoder(layer, num_layers=1, norm=nn.LayerNorm(nbit))
        self.hash = nn.Sequential(nn.Conv2d(classes * nbit, classes * nbit, kernel_size=1, groups=classes), nn.Tanh())
        self.classify = nn.Linear(nbit, classes)

    def prototypes(self):
        idx = torch.arange(1, self.classes + 1).unsqueeze(1)          # (C, 1): sequence-first
        x = self.transformerEncoder(self.embedding(idx))               # (C, 1, k)
        x = x.permute(1, 0, 2).reshape(1, self.classes * self.nbit, 1, 1)
        return self.hash(x).reshape(self.classes, self.nbit)           # (C, k)

    def forward(self, labels):
        P = self.prototypes()
        code = labels @ P
        return P, code, self.classify(code)


def train_stage1(L, nbit, epochs, lr=1e-3):
    """Stage 1 as the authors train it: the whole label matrix L (n, C) as one batch, dropout 0.5 always,
    Adam. Returns the network, the target codes B = sign(L P) (n, k) from eval mode, and the last step's
    P, code and loss (train mode)."""
    proto = LabelPrototypeNet(L.shape[1], nbit, 0.5)
    opt = torch.optim.Adam(proto.parameters(), lr=lr)
    proto.train()
    P = code = loss = None
    for _ in range(epochs):
        opt.zero_grad()
        P, code, pred = proto(L)
        loss = stage1_loss(P, code, pred, L)
        loss.backward()
        opt.step()
    proto.eval()
    with torch.no_grad():
        B = torch.sign(L @ proto.prototypes())
    return proto, B, P, code, loss


def stage1_loss(P, code, pred, L):
    n = L.shape[0]
    A = L.t() @ L
    A = A - torch.diag(torch.diag(A)) + n * torch.eye(L.shape[1])
    A = A / n
    Pn = F.normalize(P, dim=1)
    return (0.001 * F.mse_loss(torch.sigmoid(pred), L) + 100 * F.mse_loss(code, torch.sign(code))
            + 0.01 * code.sum() / n + 1 * F.mse_loss(Pn @ Pn.t(), A))


# ---------------------------------------------------------------------------------------------
# Stage 2: the bit-aware semantic transformer
class MLP(nn.Module):
    def __init__(self, input_dim, hidden, out=128):
        super().__init__()
        self.mlp = nn.Sequential()
        self.mlp.add_module("linear1", nn.Linear(input_dim, hidden))
        self.mlp.add_module("bn1", nn.BatchNorm1d(hidden))
        self.mlp.add_module("tanh1", nn.Tanh())
        self.mlp.add_module("linear2", nn.Linear(hidden, out))
        self.mlp.add_module("bn2", nn.BatchNorm1d(out))
        self.mlp.add_module("tanh2", nn.Tanh())

    def forward(self, x):
        return self.mlp(x)


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.5, max_len=5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        pe = torch.zeros(max_len, d_model)
        position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe.unsqueeze(0).transpose(0, 1))   # (max_len, 1, d_model)

    def forward(self, x):                                                # x (T, N, E)
        return self.dropout(x + self.pe[:x.size(0), :])


class BSTH(nn.Module):
    def __init__(self, image_dim, text_dim, classes, nbit, nhead=1, layers=2, dropout=0.5, d_c=128):
        super().__init__()
        self.nbit, self.d_c = nbit, d_c
        self.imageMLP = MLP(image_dim, 2048, d_c)
        self.textMLP = MLP(text_dim, 1024, d_c)
        self.imageConcept = nn.Linear(d_c, d_c * nbit)
        self.textConcept = nn.Linear(d_c, d_c * nbit)
        self.imagePosEncoder = PositionalEncoding(d_c, dropout)
        self.textPosEncoder = PositionalEncoding(d_c, dropout)
        il = nn.TransformerEncoderLayer(d_model=d_c, nhead=nhead, dim_feedforward=d_c, dropout=dropout, activation="gelu")
        self.imageTransformerEncoder = nn.TransformerEncoder(il, num_layers=layers, norm=nn.LayerNorm(d_c))
        tl = nn.TransformerEncoderLayer(d_model=d_c, nhead=nhead, dim_feedforward=d_c, dropout=dropout, activation="gelu")
        self.textTransformerEncoder = nn.TransformerEncoder(tl, num_layers=layers, norm=nn.LayerNorm(d_c))
        self.hash = nn.Sequential(
            nn.Conv2d(nbit * d_c, nbit * (d_c // 2), kernel_size=1, groups=nbit),
            nn.BatchNorm2d(nbit * (d_c // 2)),
            nn.Tanh(),
            nn.Conv2d(nbit * (d_c // 2), nbit, kernel_size=1, groups=nbit),
            nn.Tanh())
        self.classify = nn.Linear(nbit, classes)

    def tokens(self, x, mlp, concept, pos, encoder):
        f = mlp(x)                                                       # (n, d_c)        Eq. 1
        c = concept(f).reshape(-1, self.nbit, self.d_c)                  # (n, k, d_c)     Eq. 2
        c = pos(c.permute(1, 0, 2))                                      # (k, n, d_c)
        return encoder(c)                                                # (k, n, d_c)     Eq. 3

    def forward(self, image, text):
        ci = self.tokens(image, self.imageMLP, self.imageConcept, self.imagePosEncoder, self.imageTransformerEncoder)
        ct = self.tokens(text, self.textMLP, self.textConcept, self.textPosEncoder, self.textTransformerEncoder)
        fused = (ci + ct).permute(1, 0, 2)                               # (n, k, d_c)     Eq. 4
        h = self.hash(fused.reshape(-1, self.nbit * self.d_c, 1, 1)).reshape(-1, self.nbit)  # Eq. 6
        return h, self.classify(h)                                       # Eq. 8


def stage2_loss(h, pred, B, L, sign_weight=0.01):
    Hn = F.normalize(h, dim=1)
    S = 2 * torch.sigmoid(L @ L.t()) - 1
    return (1 * F.mse_loss(torch.sigmoid(pred), L) + sign_weight * F.mse_loss(h, B)
            + 1 * F.mse_loss(Hn @ Hn.t(), S))


# ---------------------------------------------------------------------------------------------
# Evaluation (the authors' MATLAB semantics)
def evaluate(qB, dB, qL, dL, depths=(50, 100, 500, 1000)):
    """mAP@All, precision@j, recall@j and mAP@j, each averaged over the queries with at least one relevant
    item (the authors' fast_PR_MAP.m skips the others); a depth beyond the database size N reads as N."""
    k = qB.shape[1]
    APs, p_at, r_at, map_at = [], {d: [] for d in depths}, {d: [] for d in depths}, {d: [] for d in depths}
    dBf, dLf = dB.astype(np.float32), dL.astype(np.float32)
    for i in range(qB.shape[0]):
        dist = 0.5 * (k - dBf @ qB[i].astype(np.float32))
        order = np.argsort(dist, kind="stable")
        rel = (dLf[order] @ qL[i].astype(np.float32)) > 0
        cum = np.cumsum(rel)
        if len(rel) == 0 or cum[-1] == 0:
            continue
        ranks = np.arange(1, len(rel) + 1)
        for d in depths:
            d2 = min(d, len(rel))
            found = cum[d2 - 1]
            p_at[d].append(found / d2)
            r_at[d].append(found / cum[-1])
            map_at[d].append((cum[:d2][rel[:d2]] / ranks[:d2][rel[:d2]]).sum() / found if found > 0 else 0.0)
        APs.append(np.mean(cum[rel] / ranks[rel]))

    def mean(v):
        return float(np.mean(v)) if v else 0.0
    return {"map_all": mean(APs),
            "p_at": {str(d): mean(v) for d, v in p_at.items()},
            "map_at": {str(d): mean(v) for d, v in map_at.items()},
            "r_at": {str(d): mean(v) for d, v in r_at.items()},
            "queries": int(qB.shape[0]), "queries_with_relevant": len(APs)}


# ---------------------------------------------------------------------------------------------
# safetensors without the safetensors package
def save_safetensors(path, state, metadata=None):
    header, blobs, off = ({"__metadata__": metadata} if metadata else {}), [], 0
    for name, t in state.items():
        t = t.detach().cpu().contiguous()
        if t.dtype == torch.int64:
            arr, dt = t.numpy().astype("<i8"), "I64"
        else:
            arr, dt = t.float().numpy().astype("<f4"), "F32"
        b = arr.tobytes()
        header[name] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {}) or {}
    state = {}
    for name, e in header.items():
        a, b = e["data_offsets"]
        dt = {"F32": "<f4", "I64": "<i8", "F64": "<f8", "I32": "<i4"}[e["dtype"]]
        state[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=dt).copy().reshape(e["shape"]))
    return state, meta


# ---------------------------------------------------------------------------------------------
def load(folder):
    arrs = [[torch.from_numpy(np.load(os.path.join(folder, k + ".npy")).astype(np.float32)) for k in ks] for ks in KEYS]
    return arrs


def encode(model, I, T, batch):
    model.eval()
    out = []
    with torch.no_grad():
        for s in range(0, I.shape[0], batch):
            out.append(model(I[s:s + batch], T[s:s + batch])[0])
    return torch.cat(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--nbit", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=140)
    ap.add_argument("--epochs-pre", type=int, default=100)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=2021)
    ap.add_argument("--nhead", type=int, default=1)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--sign-weight", type=float, default=0.01)
    ap.add_argument("--concept-dim", type=int, default=128)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--report")
    ap.add_argument("--save")
    ap.add_argument("--load")
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    (Itr, Ttr, Ltr), (Idb, Tdb, Ldb), (Ite, Tte, Lte) = load(a.data)
    C, n = Ltr.shape[1], Ltr.shape[0]
    report = {"implementation": "pytorch " + torch.__version__, "data": a.data, "nbit": a.nbit,
              "epochs": a.epochs, "epochs_pre": a.epochs_pre, "batch": a.batch, "lr": a.lr, "seed": a.seed,
              "threads": torch.get_num_threads()}
    if a.load:
        state, meta = load_safetensors(a.load)
        cfg = meta.get("config", {}) if isinstance(meta, dict) else {}
        if isinstance(cfg, str):
            cfg = json.loads(cfg)
        nbit = state["classify.weight"].shape[1]
        layers = 1 + max(int(k.split(".")[2]) for k in state if k.startswith("imageTransformerEncoder.layers."))
        d_c = state["imageMLP.mlp.linear2.weight"].shape[0]
        model = BSTH(Itr.shape[1], Ttr.shape[1], C, nbit, int(cfg.get("nhead", a.nhead)), layers, a.dropout, d_c)
        model.load_state_dict(state)
        report["nbit"] = nbit
    else:
        t0 = time.perf_counter()
        _, B, _, _, loss = train_stage1(Ltr, a.nbit, a.epochs_pre, a.lr)
        report["stage1_seconds"] = time.perf_counter() - t0
        print(f"stage 1: {a.epochs_pre} epochs, loss {loss.item():.5f}, {report['stage1_seconds']:.1f}s", file=sys.stderr)

        model = BSTH(Itr.shape[1], Ttr.shape[1], C, a.nbit, a.nhead, a.layers, a.dropout, a.concept_dim)
        opt = torch.optim.Adam(model.parameters(), lr=a.lr)
        epoch_seconds, losses = [], []
        for e in range(a.epochs):
            t1 = time.perf_counter()
            model.train()
            perm = torch.randperm(n)
            total = 0.0
            for s in range(0, n, a.batch):
                idx = perm[s:s + a.batch]
                if len(idx) < 2:
                    continue  # batch norm needs two items; the Java trainer skips such a batch too
                h, pred = model(Itr[idx], Ttr[idx])
                loss = stage2_loss(h, pred, B[idx], Ltr[idx], a.sign_weight)
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss.item() * len(idx)
            epoch_seconds.append(time.perf_counter() - t1)
            losses.append(total / n)
            print(f"stage 2: epoch {e + 1}/{a.epochs} loss {total / n:.5f} {epoch_seconds[-1]:.1f}s", file=sys.stderr)
        report["epoch_seconds"] = epoch_seconds
        report["losses"] = losses
        if a.save:
            cfg = {"nbit": a.nbit, "nhead": a.nhead, "layers": a.layers, "concept_dim": a.concept_dim, "image_dim": Itr.shape[1],
                   "text_dim": Ttr.shape[1], "classes": C}
            save_safetensors(a.save, model.state_dict(), {"format": "bsth", "config": json.dumps(cfg)})
    t2 = time.perf_counter()
    hq = encode(model, Ite, Tte, a.batch)
    hd = encode(model, Idb, Tdb, a.batch)
    report["encode_seconds"] = time.perf_counter() - t2
    qB = np.where(hq.numpy() > 0, 1, -1).astype(np.int8)
    dB = np.where(hd.numpy() > 0, 1, -1).astype(np.int8)
    report.update(evaluate(qB, dB, Lte.numpy(), Ldb.numpy()))
    print(f"mAP@All {report['map_all']:.4f}")
    if a.report:
        with open(a.report, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
