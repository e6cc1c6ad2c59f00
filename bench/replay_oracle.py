#!/usr/bin/env python3
"""Replays an engine run (bench/replay.ts wrote its inputs to DIR) through the PyTorch oracle's
LAMB, schedule and bias decay on identical data; prints one JSON object comparing the two, and
writes the oracle's final parameters to DIR as W1_oracle.bin, b1_oracle.bin, W2_oracle.bin.

  /usr/bin/python3 bench/replay_oracle.py DIR [VARIANT]

VARIANT deliberately breaks the oracle, to show that the comparison would catch such a mistake:
  beta1=X, beta2=X, lamb_eps=X   a wrong LAMB constant (the spec's are 0.9, 0.999, 1e-6)
  decay_scheduled_lr             bias decay with the scheduled learning rate, not the base one
  decay_whole_run                bias decay in the second half of the run too
  no_restart                     the schedule stays at 0 after its first minimum (step 512)
  float64                        not broken: the same algorithm in float64, to size float32 rounding
"""
import json, os, sys
import numpy as np
import torch

sys.path.insert(0, os.environ.get("ORACLE_DIR", os.path.join(os.path.dirname(__file__), "../../shared/reference")))
from torch_reference import Lamb, activation  # noqa: E402

d = sys.argv[1]
variant = sys.argv[2] if len(sys.argv) > 2 else ""
meta = json.load(open(os.path.join(d, "meta.json")))
c = meta["config"]
N, m, k = c["N"], c["m"], c["k"]
B, T = 2 ** c["log2_batch_size"], 2 ** c["log2_training_steps"]
out = m if c["task"] == "re-projector" else N


def read(name):
    return np.fromfile(os.path.join(d, f"{name}.bin"), dtype="<f4")


dtype = torch.float64 if variant == "float64" else torch.float32


def load(name, shape):
    return torch.tensor(read(name).reshape(shape)).to(dtype)


E = load("E", (m, N))
F = load("F", (m, N)) if c["task"] == "re-projector" else None
index = np.fromfile(os.path.join(d, "v_index.bin"), dtype="<u4").astype(np.int64)
value = np.fromfile(os.path.join(d, "v_value.bin"), dtype="<f4")
bounds = np.searchsorted(index, np.arange(T + 1, dtype=np.int64) * B * N)

lamb = dict(betas=(0.9, 0.999), eps=1e-6)
decay_lr = lambda i: c["learning_rate"]  # noqa: E731
if variant.startswith("beta1="):
    lamb["betas"] = (float(variant[6:]), 0.999)
elif variant.startswith("beta2="):
    lamb["betas"] = (0.9, float(variant[6:]))
elif variant.startswith("lamb_eps="):
    lamb["eps"] = float(variant[9:])
elif variant == "decay_scheduled_lr":
    decay_lr = lambda i: sched.get_last_lr()[0]  # noqa: E731
elif variant and variant not in ("float64", "decay_whole_run", "no_restart"):
    sys.exit(f"replay_oracle: unknown variant {variant}")

act = activation(c["nonlinearity"])
first, second = torch.nn.Linear(m, k, dtype=dtype), torch.nn.Linear(k, out, bias=False, dtype=dtype)
with torch.no_grad():
    first.weight.copy_(load("W1", (k, m)))
    first.bias.copy_(load("b1", (k,)))
    second.weight.copy_(load("W2", (out, k)))
params = {"W1": first.weight, "b1": first.bias, "W2": second.weight}
opt = Lamb(list(params.values()), lr=c["learning_rate"], **lamb)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=512, eta_min=0)
snapshots = set(meta["snapshots"])
losses, snapshot_diffs = [], []
for i in range(T):
    dense = np.zeros(B * N, dtype=np.float32)
    dense[index[bounds[i]:bounds[i + 1]] - i * B * N] = value[bounds[i]:bounds[i + 1]]
    v = torch.from_numpy(dense.reshape(B, N)).to(dtype)
    target = v @ F.T if F is not None else (v.abs() if c["task"] == "abs" else v)
    h = act(first(v @ E.T))
    data_loss = ((second(h) - target) ** 2).sum() / B
    loss = data_loss + c["reg"] * h.abs().sum() / B
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    if i < T / 2 or variant == "decay_whole_run":
        with torch.no_grad():
            first.bias *= 1 - c["decay"] * decay_lr(i)
    sched.step()
    if variant == "no_restart" and i + 1 >= 512:
        for g in opt.param_groups:
            g["lr"] = 0.0
    if i % 16 == 0:
        losses.append(float(data_loss))
    if i in snapshots:
        row = {"step": i}
        for name, t in params.items():
            ref = t.detach().numpy().ravel()
            row[name] = float(np.abs(read(f"{name}_{i}") - ref).max() / np.abs(ref).max())
        snapshot_diffs.append(row)

for name, t in params.items():
    t.detach().numpy().ravel().astype("<f4").tofile(os.path.join(d, f"{name}_oracle.bin"))
ours, ref = np.array(meta["losses"]["loss"]), np.array(losses)
print(json.dumps({
    "steps": T,
    "variant": variant,
    "losses": losses,
    "loss_rel_diff": (np.abs(ours - ref) / np.abs(ref)).tolist(),
    "snapshots": snapshot_diffs,
}))
