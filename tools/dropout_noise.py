"""PyTorch half of tools/DropoutNoise.java: the same networks (loaded from the Java initial weights) run in train
mode under M dropout masks on the same items; prints, for the stage-2 output h and the stage-1 prototypes P, the
mean over elements of the variance across masks (the noise dropout injects) and of the mean across masks, Java
against PyTorch, with the standard error of each figure (from the spread over elements).

    /usr/bin/python3 tools/dropout_noise.py OUT DATA_FOLDER N M
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bsth_reference as ref  # noqa: E402


def summary(name, j, t):
    # j, t (M, elements): per element, the variance over masks and the mean over masks
    vj, vt = j.var(axis=0, ddof=1), t.var(axis=0, ddof=1)
    mj, mt = j.mean(axis=0), t.mean(axis=0)
    se_v = (vj - vt).std() / np.sqrt(vj.size)   # paired: the same element on both sides
    # the two expectations are estimates of the same numbers: their difference per element over its standard error
    z = (mj - mt) / np.sqrt((vj + vt) / j.shape[0] + 1e-30)
    print(f"{name}: variance over masks, mean over {vj.size} elements: Java {vj.mean():.6f}, PyTorch {vt.mean():.6f} "
          f"(ratio {vj.mean() / vt.mean():.4f}, difference {(vj.mean() - vt.mean()) / se_v:+.2f} standard errors)")
    print(f"{name}: mean over masks, Java - PyTorch per element in standard errors: mean {z.mean():+.3f}, "
          f"rms {np.sqrt((z ** 2).mean()):.3f} (1 when both estimate the same expectation)")


def main():
    out, data, n, masks = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(1)
    (Itr, Ttr, Ltr), _, _ = ref.load(data)
    state, _ = ref.load_safetensors(os.path.join(out, "init.safetensors"))
    C = Ltr.shape[1]
    nbit = state["classify.weight"].shape[1]
    net = ref.BSTH(Itr.shape[1], Ttr.shape[1], C, nbit)
    net.load_state_dict(state)
    pstate, _ = ref.load_safetensors(os.path.join(out, "proto_init.safetensors"))
    proto = ref.LabelPrototypeNet(C, nbit, 0.5)
    proto.load_state_dict(pstate)
    net.train()
    proto.train()
    h, P = [], []
    with torch.no_grad():
        for r in range(masks):
            torch.manual_seed(1000 + r)
            h.append(net(Itr[:n], Ttr[:n])[0].flatten().numpy())
            P.append(proto.prototypes().flatten().numpy())
    summary("stage 2 h", np.load(os.path.join(out, "java_h.npy")).astype(np.float64), np.array(h, dtype=np.float64))
    summary("stage 2 h, Java masks drawn step after step", np.load(os.path.join(out, "java_h_stream.npy")).astype(np.float64),
            np.array(h, dtype=np.float64))
    summary("stage 1 P", np.load(os.path.join(out, "java_P.npy")).astype(np.float64), np.array(P, dtype=np.float64))

    # gradients under dropout, per parameter: the mean over masks on both sides and their difference per element in
    # standard errors (rms about 1 when both compute the same expected gradient)
    B = torch.from_numpy(np.load(os.path.join(out, "B.npy")))
    grads = {}
    for m in range(masks):
        torch.manual_seed(3000 + m)
        net.zero_grad()
        proto.zero_grad()
        h, pred = net(Itr[:n], Ttr[:n])
        ref.stage2_loss(h, pred, B, Ltr[:n], 0.01).backward()
        P, code, pred1 = proto(Ltr)
        ref.stage1_loss(P, code, pred1, Ltr).backward()
        for prefix, mod in (("bsth.", net), ("proto.", proto)):
            for k, v in mod.named_parameters():
                grads.setdefault(prefix + k, []).append(v.grad.detach().flatten().double().numpy().copy())
    js, _ = ref.load_safetensors(os.path.join(out, "java_grads.safetensors"))
    print(f"{'parameter':58s} {'|E g| Java':>11s} {'|E g| torch':>11s} {'sd g Java':>10s} {'sd g torch':>10s} {'rms z':>6s}")
    zs = {"bsth.": [], "proto.": []}
    for k, g in grads.items():
        g = np.array(g)
        mt, vt = g.mean(axis=0), g.var(axis=0, ddof=1)
        mj, vj = js["mean." + k].double().numpy(), js["var." + k].double().numpy()
        se = np.sqrt((vj + vt) / masks)
        ok = se > 1e-12
        z = (mj[ok] - mt[ok]) / se[ok]
        rms = np.sqrt((z ** 2).mean()) if z.size else float("nan")
        if np.sqrt(vt.mean()) > 1e-8:   # gradients that are float rounding (biases before a batch norm) are left out
            zs[k.split(".")[0] + "."].append(z)
        print(f"{k:58s} {np.linalg.norm(mj):11.4e} {np.linalg.norm(mt):11.4e} {np.sqrt(vj.mean()):10.3e} "
              f"{np.sqrt(vt.mean()):10.3e} {rms:6.2f}")
    for prefix, z in zs.items():
        z = np.concatenate(z)
        print(f"{prefix[:-1]}: expected gradient, Java - PyTorch over {z.size} elements: rms {np.sqrt((z ** 2).mean()):.3f} "
              f"standard errors, mean {z.mean():+.4f} (rms 1 and mean 0 when both compute the same expected gradient)")


if __name__ == "__main__":
    main()
