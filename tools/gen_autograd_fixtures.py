#!/usr/bin/python3
"""PyTorch reference fixtures for the autograd module (run with Debian's /usr/bin/python3, torch 1.13).

  /usr/bin/python3 tools/gen_autograd_fixtures.py [OUT_DIR]
      writes the fixtures (default autograd/src/test/resources/fixtures): each a .safetensors file
      holding inputs ("x", ...), the probe weights "r" (the loss is sum(out * r)), the module state
      ("state.<name>", PyTorch names), the outputs ("out...") and the gradients ("grad.x",
      "grad.<param name>").

  /usr/bin/python3 tools/gen_autograd_fixtures.py --check-load DIR
      loads DIR/state.safetensors (written by the Java test StateExportTest) into the PyTorch module
      of the same structure with load_state_dict(strict=True), runs it in eval mode on
      DIR/io.safetensors's inputs and compares with the Java outputs stored there.

The safetensors format is written and read by hand, by the functions of bsth_reference.py (the python package may be absent).
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bsth_reference import PositionalEncoding  # noqa: E402  the authors' sin/cos table, pe (max_len, 1, d)
from bsth_reference import load_safetensors as load  # noqa: E402
from bsth_reference import save_safetensors as save  # noqa: E402

torch.set_num_threads(1)


# ---- helpers ------------------------------------------------------------------------------------

def probe(out, gen):
    return torch.rand(out.shape, generator=gen) * 2 - 1


def module_fixture(path, module, inputs, forward, gen, extra=None):
    """Runs forward(module, *inputs) with grads; saves state, inputs, r, out, grads."""
    xs = [x.clone().requires_grad_(True) for x in inputs]
    state = {"state." + k: v.clone() for k, v in module.state_dict().items()}  # before forward (BN stats move)
    out = forward(module, *xs)
    r = probe(out, gen)
    (out * r).sum().backward()
    t = dict(state)
    for i, x in enumerate(xs):
        t["x" if i == 0 else "x%d" % i] = x.detach()
        t["grad.x" if i == 0 else "grad.x%d" % i] = x.grad
    t["r"] = r
    t["out"] = out.detach()
    for k, p in module.named_parameters():
        t["grad." + k] = p.grad
    if extra:
        t.update(extra(module))
    save(path, t)


def hash_head(k, width, hidden):
    """The authors' bit-wise hash functions: grouped 1x1 convolutions, one group per bit."""
    return nn.Sequential(
        nn.Conv2d(k * width, k * hidden, 1, groups=k),
        nn.BatchNorm2d(k * hidden),
        nn.Tanh(),
        nn.Conv2d(k * hidden, k, 1, groups=k),
        nn.Tanh())


class ExportNet(nn.Module):
    """The structure StateExportTest builds in Java (see there)."""

    def __init__(self, k=3, d=16, din=10):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(din, d), nn.BatchNorm1d(d), nn.Tanh())
        self.posEncoder = PositionalEncoding(d, 0.5)
        layer = nn.TransformerEncoderLayer(d, 2, d, 0.5, activation="gelu")
        self.encoder = nn.TransformerEncoder(layer, 2, nn.LayerNorm(d))
        self.hash = hash_head(k, d, d // 2)
        self.embedding = nn.Embedding(5, d, padding_idx=0)
        self.k, self.d = k, d

    def forward(self, x):
        n = x.size(0)
        h = self.mlp(x)                                    # (n, d)
        tok = h.unsqueeze(0).expand(self.k, n, self.d)     # (k, n, d)
        tok = tok + self.embedding.weight[1:1 + self.k].unsqueeze(1)
        t = self.encoder(self.posEncoder(tok))             # (k, n, d)
        codes = self.hash(t.permute(1, 0, 2).reshape(n, self.k * self.d, 1, 1)).view(n, self.k)
        return codes


# ---- fixtures -----------------------------------------------------------------------------------

def generate(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    gen = torch.Generator().manual_seed(2021)
    torch.manual_seed(2021)

    # element-wise ops and small functions: out_<op>, grad.x_<op>
    x = torch.rand(7, 9, generator=gen) * 8 - 4
    y01 = (torch.rand(7, 9, generator=gen) > 0.5).float()
    t = {"x": x, "y": y01}
    ops = {
        "gelu": lambda v: F.gelu(v),
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "softmax": lambda v: torch.softmax(v, dim=-1),
        "normalize": lambda v: F.normalize(v, p=2, dim=1, eps=1e-12),
        # no Java op uses mlsm any more; it stays so the random stream (every later fixture) is unchanged
        "mlsm": lambda v: F.multilabel_soft_margin_loss(v, y01).reshape(1),
        "mse": lambda v: F.mse_loss(v, y01).reshape(1),
        "gram": lambda v: F.normalize(v, dim=1) @ F.normalize(v, dim=1).t(),
    }
    for name, f in ops.items():
        xv = x.clone().requires_grad_(True)
        o = f(xv)
        r = probe(o, gen)
        (o * r).sum().backward()
        t["out_" + name], t["r_" + name], t["grad.x_" + name] = o.detach(), r, xv.grad
    t["pe128"] = PositionalEncoding(128, 0.5).pe[:200]
    save(os.path.join(out_dir, "ops.safetensors"), t)

    # LayerNorm(10) with non-trivial affine
    ln = nn.LayerNorm(10)
    with torch.no_grad():
        ln.weight.uniform_(0.5, 1.5, generator=gen)
        ln.bias.uniform_(-1, 1, generator=gen)
    module_fixture(os.path.join(out_dir, "layernorm.safetensors"), ln,
                   [torch.randn(6, 10, generator=gen) * 2 + 1], lambda m, v: m(v), gen)

    # BatchNorm1d(6): a training step (batch statistics, running stats updated), then eval
    bn = nn.BatchNorm1d(6)
    with torch.no_grad():
        bn.weight.uniform_(0.5, 1.5, generator=gen)
        bn.bias.uniform_(-1, 1, generator=gen)
        bn.running_mean.uniform_(-0.5, 0.5, generator=gen)
        bn.running_var.uniform_(0.5, 2, generator=gen)
    bn.train()
    module_fixture(os.path.join(out_dir, "batchnorm_train.safetensors"), bn,
                   [torch.randn(8, 6, generator=gen) * 3 + 2], lambda m, v: m(v), gen,
                   extra=lambda m: {"after." + k: v.clone() for k, v in m.state_dict().items()})
    bn.eval()
    bn.zero_grad()
    module_fixture(os.path.join(out_dir, "batchnorm_eval.safetensors"), bn,
                   [torch.randn(5, 6, generator=gen)], lambda m, v: m(v), gen)

    # MultiheadAttention, self-attention (T, N, E), 1 and 4 heads, non-zero biases
    for heads in (1, 4):
        mha = nn.MultiheadAttention(8, heads)
        with torch.no_grad():
            mha.in_proj_bias.uniform_(-0.5, 0.5, generator=gen)
            mha.out_proj.bias.uniform_(-0.5, 0.5, generator=gen)
        module_fixture(os.path.join(out_dir, "mha%d.safetensors" % heads), mha,
                       [torch.randn(5, 3, 8, generator=gen)],
                       lambda m, v: m(v, v, v, need_weights=False)[0], gen)

    # 2-layer TransformerEncoder (post-norm, GELU, ff 24, 2 heads) with final LayerNorm, dropout off
    layer = nn.TransformerEncoderLayer(16, 2, 24, 0.0, activation="gelu")
    enc = nn.TransformerEncoder(layer, 2, nn.LayerNorm(16))
    with torch.no_grad():
        for p in enc.parameters():  # break the deep-copy symmetry and the unit/zero norms
            p.add_(torch.randn(p.shape, generator=gen) * 0.05)
    enc.train()
    module_fixture(os.path.join(out_dir, "encoder2.safetensors"), enc,
                   [torch.randn(6, 3, 16, generator=gen)], lambda m, v: m(v), gen)

    # bit-wise hash head, k = 3 bits, width 8, hidden 4, training mode, input (n, k*8, 1, 1)
    head = hash_head(3, 8, 4)
    head.train()
    module_fixture(os.path.join(out_dir, "hashhead.safetensors"), head,
                   [torch.randn(5, 24, generator=gen)],
                   lambda m, v: m(v.view(5, 24, 1, 1)).view(5, 3), gen,
                   extra=lambda m: {"after." + k: v.clone() for k, v in m.state_dict().items()})

    # 10 Adam steps (lr 1e-2) of Linear(6,8) -> tanh -> BatchNorm1d(8) -> Linear(8,3) on a fixed batch
    # (no bias straight before a batch norm: its gradient is analytically 0, so Adam would follow rounding noise);
    # loss = MSE(sigmoid(z), y) + MSE(Zn Zn^T, S) (Zn = rows of z L2-normalised)
    net = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.BatchNorm1d(8), nn.Linear(8, 3))
    xb = torch.randn(10, 6, generator=gen)
    yb = (torch.rand(10, 3, generator=gen) > 0.5).float()
    S = 2 * torch.sigmoid(yb @ yb.t()) - 1
    t = {"state." + k: v.clone() for k, v in net.state_dict().items()}
    t.update({"x": xb, "y": yb, "S": S})
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    net.train()
    losses = []
    for _ in range(10):
        opt.zero_grad()
        z = net(xb)
        zn = F.normalize(z, dim=1)
        loss = F.mse_loss(torch.sigmoid(z), yb) + F.mse_loss(zn @ zn.t(), S)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    t["losses"] = torch.tensor(losses)
    t.update({"final." + k: v.clone() for k, v in net.state_dict().items()})
    save(os.path.join(out_dir, "adam10.safetensors"), t)
    print("fixtures written to", out_dir)


def check_load(d):
    state, meta = load(os.path.join(d, "state.safetensors"))
    io, _ = load(os.path.join(d, "io.safetensors"))
    k, dm = int(meta.get("k", "3")), int(meta.get("d", "16"))
    net = ExportNet(k=k, d=dm)
    dtypes = {name: v.dtype for name, v in state.items()}
    net.load_state_dict(state, strict=True)
    net.eval()
    with torch.no_grad():
        out = net(io["x"].float())
    err = (out - io["out"]).abs().max().item()
    print("load_state_dict(strict=True): %d tensors loaded (num_batches_tracked dtype %s); "
          "max |torch - java| of the eval outputs %.3g" %
          (len(state), dtypes.get("mlp.1.num_batches_tracked"), err))
    if err > 1e-4:
        sys.exit("outputs differ")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--check-load":
        check_load(sys.argv[2])
    else:
        generate(sys.argv[1] if len(sys.argv) > 1 else "autograd/src/test/resources/fixtures")
