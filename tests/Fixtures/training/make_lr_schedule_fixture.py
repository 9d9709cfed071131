"""Golden learning rates and AdamW trajectories from PyTorch's schedulers (/usr/bin/python3 make_lr_schedule_fixture.py).

Each case: the lr PyTorch's scheduler gives each of `steps` optimizer steps (read before the step, as DitML's trainer
uses it), and the parameter after each step of torch.optim.AdamW under that schedule.
  warmup_cosine: LinearLR warm-up over 3 steps (1/3 -> 1), constant to step 5, CosineAnnealingLR to 0.1 x lr at step 12
  linear:        LinearLR from 1 to 0.25 x lr over the whole run (12 steps)
"""
import json

import torch
from torch.optim.lr_scheduler import ConstantLR, CosineAnnealingLR, LinearLR, SequentialLR

LR, STEPS = 1e-2, 12


def run(make_scheduler):
    torch.manual_seed(0)
    p = torch.nn.Parameter(torch.randn(5))
    start = p.detach().clone()
    grads = [torch.randn(5) for _ in range(STEPS)]
    opt = torch.optim.AdamW([p], lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    sched = make_scheduler(opt)
    lrs, traj = [], []
    for g in grads:
        lrs.append(opt.param_groups[0]["lr"])
        p.grad = g.clone()
        opt.step()
        sched.step()
        traj.append(p.detach().clone().tolist())
    return {"start": start.tolist(), "grads": [g.tolist() for g in grads], "lrs": lrs, "trajectory": traj}


def warmup_cosine(opt):
    warm = LinearLR(opt, start_factor=1 / 3, end_factor=1.0, total_iters=2)      # steps 0, 1, 2: 1/3, 2/3, 1
    hold = ConstantLR(opt, factor=1.0, total_iters=0)                             # steps 3, 4: 1
    cos = CosineAnnealingLR(opt, T_max=STEPS - 5, eta_min=0.1 * LR)               # steps 5 .. 11
    return SequentialLR(opt, [warm, hold, cos], milestones=[3, 5])


def linear(opt):
    return LinearLR(opt, start_factor=1.0, end_factor=0.25, total_iters=STEPS)


json.dump({
    "lr": LR, "steps": STEPS,
    "warmup_cosine": {"warmup": 3, "decay": "cosine", "decay_start": 5, "final": 0.1, **run(warmup_cosine)},
    "linear": {"warmup": 0, "decay": "linear", "decay_start": 0, "final": 0.25, **run(linear)},
}, open("lr_schedule.json", "w"), indent=1)
