"""Golden AdamW trajectory from PyTorch's torch.optim.AdamW (/usr/bin/python3 make_adamw_fixture.py)."""
import json

import torch

torch.manual_seed(0)
p = torch.nn.Parameter(torch.randn(7))
grads = [torch.randn(7) for _ in range(5)]
opt = torch.optim.AdamW([p], lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.05)
start = p.detach().clone()
traj = []
for g in grads:
    p.grad = g.clone()
    opt.step()
    traj.append(p.detach().clone().tolist())
json.dump({"start": start.tolist(), "grads": [g.tolist() for g in grads], "lr": 1e-2, "weight_decay": 0.05,
           "trajectory": traj}, open("adamw.json", "w"))
