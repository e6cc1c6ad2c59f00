#!/usr/bin/env python3
"""Replays an engine run (bench/replay.ts wrote its inputs to DIR) through the PyTorch oracle's
LAMB, schedule and bias decay on identical data; prints one JSON object comparing the two."""
import json, os, sys
import numpy as np
import torch

sys.path.insert(0, os.environ.get("ORACLE_DIR", os.path.join(os.path.dirname(__file__), "../../shared/reference")))
from torch_reference import Lamb, activation  # noqa: E402

d = sys.argv[1]
meta = json.load(open(os.path.join(d, "meta.json")))
c = meta["config"]
N, m, k = c["N"], c["m"], c["k"]
B, T = 2 ** c["log2_batch_size"], 2 ** c["log2_training_steps"]
out = m if c["task"] == "re-projector" else N


def load(name, shape):
    return torch.tensor(np.fromfile(os.path.join(d, f"{name}.bin"), dtype="<f4").reshape(shape))


E = load("E", (m, N))
F = load("F", (m, N)) if c["task"] == "re-projector" else None
V = load("v", (T, B, N))
act = activation(c["nonlinearity"])
first, second = torch.nn.Linear(m, k), torch.nn.Linear(k, out, bias=False)
with torch.no_grad():
    first.weight.copy_(load("W1", (k, m)))
    first.bias.copy_(load("b1", (k,)))
    second.weight.copy_(load("W2", (out, k)))
opt = Lamb([first.weight, first.bias, second.weight], lr=c["learning_rate"])
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=512, eta_min=0)
losses = []
for i in range(T):
    v = V[i]
    target = v @ F.T if F is not None else (v.abs() if c["task"] == "abs" else v)
    h = act(first(v @ E.T))
    data_loss = ((second(h) - target) ** 2).sum() / B
    loss = data_loss + c["reg"] * h.abs().sum() / B
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    sched.step()
    if i < T / 2:
        with torch.no_grad():
            first.bias *= 1 - c["decay"] * c["learning_rate"]
    if i % 16 == 0:
        losses.append(float(data_loss))

ours = np.array(meta["losses"]["loss"])
result = {"steps": T, "max_loss_rel_diff": float(np.max(np.abs(ours - np.array(losses)) / np.abs(np.array(losses))))}
for name, t in [("W1", first.weight), ("b1", first.bias), ("W2", second.weight)]:
    mine = np.fromfile(os.path.join(d, f"{name}_final.bin"), dtype="<f4")
    ref = t.detach().numpy().ravel()
    result[f"max_abs_diff_{name}"] = float(np.abs(mine - ref).max())
    result[f"max_abs_{name}"] = float(np.abs(ref).max())
print(json.dumps(result))
