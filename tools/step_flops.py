#!/usr/bin/env python3
"""Arithmetic of BSTH's stage-2 network: floating-point operations per item for a forward pass (encoding)
and for a training step (forward + backward), counted from the layer shapes (multiply-adds of every
matrix product, times two; elementwise work is left out, so the counts are lower bounds).

From those it prints, for measured epoch and encode times, the rate each one ran at and the rate a
speed-up over a peer would need:

  tools/step_flops.py --nbit 64 --peer-epoch 34.08 --peer-encode 16.12 --epoch 7.94 --encode 9.22

Defaults are the MIR-Flickr shape of tools/bench_train.sh: image 4096, text 1386, 24 classes,
5,000 training items, 20,015 items encoded, concept width 128, 2 layers per modality.
"""
import argparse

p = argparse.ArgumentParser()
p.add_argument("--nbit", type=int, default=64)
p.add_argument("--image", type=int, default=4096)
p.add_argument("--text", type=int, default=1386)
p.add_argument("--classes", type=int, default=24)
p.add_argument("--concept", type=int, default=128)
p.add_argument("--layers", type=int, default=2)
p.add_argument("--train-items", type=int, default=5000)
p.add_argument("--encode-items", type=int, default=20015)
p.add_argument("--epoch", type=float, help="our stage-2 epoch, seconds")
p.add_argument("--encode", type=float, help="our encode, seconds")
p.add_argument("--peer-epoch", type=float, help="the peer's stage-2 epoch, seconds")
p.add_argument("--peer-encode", type=float, help="the peer's encode, seconds")
p.add_argument("--epoch-goal", type=float, default=4.0, help="speed-up asked of the epoch")
p.add_argument("--encode-goal", type=float, default=3.0, help="speed-up asked of encoding")
a = p.parse_args()

k, dc = a.nbit, a.concept
first_layers = a.image * 2048 + a.text * 1024          # inputs need no gradient: no dX here
mlp = first_layers + 2048 * dc + 1024 * dc
concept = 2 * dc * dc * k                               # Eq. 2, both modalities
T = k                                                   # one token per bit
layer = T * dc * 3 * dc + 2 * T * T * dc + T * dc * dc + 2 * T * dc * dc   # qkv, QK^T and PV, out, feed-forward
encoders = 2 * a.layers * layer
heads = k * (dc * 64 + 64) + k * a.classes             # bit-wise hash heads (Eq. 6) and classifier (Eq. 8)
fwd = mlp + concept + encoders + heads                  # multiply-adds per item
train = 3 * fwd - first_layers                          # forward, dW, dX (none for the input layers)

epoch = 2 * train * a.train_items
encode = 2 * fwd * a.encode_items
print(f"{k} bits: forward {2 * fwd / 1e6:.1f} MFLOP per item, training step {2 * train / 1e6:.1f} MFLOP per item")
print(f"  stage-2 epoch ({a.train_items} items) {epoch / 1e12:.3f} TFLOP, encode ({a.encode_items} items) {encode / 1e12:.3f} TFLOP")
for name, total, ours, peer, goal in (("epoch", epoch, a.epoch, a.peer_epoch, a.epoch_goal),
                                      ("encode", encode, a.encode, a.peer_encode, a.encode_goal)):
    parts = []
    if ours:
        parts.append(f"ours {ours:.2f} s = {total / ours / 1e9:.0f} GFLOP/s")
    if peer:
        parts.append(f"peer {peer:.2f} s = {total / peer / 1e9:.0f} GFLOP/s")
        parts.append(f"{goal:g}x the peer = {peer / goal:.2f} s = {goal * total / peer / 1e9:.0f} GFLOP/s")
    if parts:
        print(f"  {name}: " + "; ".join(parts))
