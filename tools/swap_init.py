#!/usr/bin/python3
"""Puts PyTorch's random draws into a Java checkpoint written right after stage 1.

    /usr/bin/python3 tools/swap_init.py DATA NBIT SEED CHECKPOINT [init|codes|both]

Replays tools/bsth_reference.py for SEED up to the construction of the stage-2 network (stage 1 with
dropout 0.5 consumes the same random numbers as there, with the reference's defaults: 100 stage-1 epochs, learning rate 1e-3,
one head, two layers, concept width 128), then replaces in CHECKPOINT (a
checkpoint.safetensors of `bin/bsth train --epochs 0 --checkpoint DIR`) the stage-2 initial weights
(init), the target codes B (codes) or both; `bin/bsth train --resume` then trains from them.
tools/cross_init.sh drives it.
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import bsth_reference as ref  # noqa: E402

data, nbit, seed, ckpt = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
mode = sys.argv[5] if len(sys.argv) > 5 else "init"
if mode not in ("init", "codes", "both"):
    sys.exit(f"swap_init.py: mode must be init, codes or both, got '{mode}'")
torch.set_num_threads(1)
torch.manual_seed(seed)
np.random.seed(seed)
(Itr, Ttr, Ltr), _, _ = ref.load(data)
C = Ltr.shape[1]
_, B, _, _, _ = ref.train_stage1(Ltr, nbit, 100)
model = ref.BSTH(Itr.shape[1], Ttr.shape[1], C, nbit, 1, 2, 0.5, 128)
state, meta = ref.load_safetensors(ckpt)
if mode in ("init", "both"):
    for k, v in model.state_dict().items():
        if "model." + k not in state:
            sys.exit(f"swap_init.py: {ckpt} has no model.{k}")
        state["model." + k] = v.clone()
if mode in ("codes", "both"):
    state["target_codes"] = B.clone()
ref.save_safetensors(ckpt, state, meta)
print(f"{ckpt}: PyTorch's {mode} for seed {seed}")
