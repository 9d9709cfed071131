"""Checks a .pt that `ditml convert` wrote from a DitML run against PyTorch, as train.py's users would load it.

Usage: /usr/bin/python3 check_official_checkpoint.py CKPT.pt
Loads the dict with torch.load, builds the reference DiT (dit_reference.py, written from the paper's facts) from its
args and the weights' shapes, loads "model" and "ema" strictly, loads "opt" into torch.optim.AdamW(model.parameters())
and takes one optimizer step; prints one JSON line with what it found.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dit_reference import DiT  # noqa: E402

ckpt = torch.load(sys.argv[1], map_location="cpu")
args = ckpt["args"]
sd = ckpt["model"]
hidden = sd["x_embedder.proj.weight"].shape[0]
patch = sd["x_embedder.proj.weight"].shape[2]
in_ch = sd["x_embedder.proj.weight"].shape[1]
depth = len({k.split(".")[1] for k in sd if k.startswith("blocks.")})
tokens = sd["pos_embed"].shape[1]
side = int(round(tokens ** 0.5)) * patch
out_ch = sd["final_layer.linear.weight"].shape[0] // (patch * patch)
heads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
model = DiT(input_size=side, patch_size=patch, in_channels=in_ch, hidden_size=hidden, depth=depth, num_heads=heads,
            num_classes=args.num_classes, learn_sigma=out_ch == 2 * in_ch)
model.load_state_dict(ckpt["model"], strict=True)
ema = DiT(input_size=side, patch_size=patch, in_channels=in_ch, hidden_size=hidden, depth=depth, num_heads=heads,
          num_classes=args.num_classes, learn_sigma=out_ch == 2 * in_ch)
ema.load_state_dict(ckpt["ema"], strict=True)
opt = torch.optim.AdamW(model.parameters(), lr=1.0, weight_decay=0)
opt.load_state_dict(ckpt["opt"])
params = [p for p in model.parameters()]
trainable = [p for p in params if p.requires_grad]
shapes_match = all(opt.state[p]["exp_avg"].shape == p.shape and opt.state[p]["exp_avg_sq"].shape == p.shape for p in trainable)
step = float(opt.state[trainable[0]]["step"])
first_moment = float(opt.state[trainable[0]]["exp_avg"].abs().sum())
x = torch.randn(2, in_ch, side, side)
loss = model(x, torch.tensor([1, 2]), torch.tensor([0, 1])).square().mean()
loss.backward()
opt.step()
print(json.dumps({
    "namespace": isinstance(args, argparse.Namespace), "model": args.model, "num_classes": args.num_classes,
    "global_batch_size": args.global_batch_size, "lr": opt.param_groups[0]["lr"], "betas": list(opt.param_groups[0]["betas"]),
    "params": len(params), "trainable": len(trainable), "state": len(opt.state), "shapes_match": shapes_match, "step": step,
    "first_moment_abs_sum": first_moment, "ema_pos_embed_equal": bool(torch.equal(ema.pos_embed, model.pos_embed)),
}))
