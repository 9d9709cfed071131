"""Makes DitML's DiT golden fixtures with Debian's PyTorch (/usr/bin/python3 make_dit_fixtures.py).

Outputs (all small):
  small_state_dict.pt     torch.save of a bare state_dict (official names) of a small DiT with random weights
  small_training.pt       the official training dict {"model", "ema", "opt", "args"}; "ema" holds the weights above
  small_io.json           config, inputs x/t/y and the reference output of the weights above
  s8_keys.txt             name and shape of every state_dict entry of DiT-S/8 (32×32×4, 1000 classes)
  pos_embed_64x4.json     the 2-D sin-cos position embedding for D = 64 on a 4×4 grid
"""
import argparse
import json

import torch

from dit_reference import DiT

torch.manual_seed(0)
cfg = dict(input_size=8, patch_size=2, in_channels=4, hidden_size=32, depth=2, num_heads=4,
           num_classes=10, class_dropout_prob=0.1, learn_sigma=True)
model = DiT(**cfg).eval()
with torch.no_grad():
    for name, p in model.named_parameters():
        if name != "pos_embed":
            p.copy_(torch.randn_like(p) * 0.2)  # non-zero everywhere, so every path is exercised
torch.save(model.state_dict(), "small_state_dict.pt")

raw = DiT(**cfg)
with torch.no_grad():
    for name, p in raw.named_parameters():
        if name != "pos_embed":
            p.copy_(torch.randn_like(p) * 0.2)
opt = torch.optim.AdamW(raw.parameters(), lr=1e-4, weight_decay=0)
raw(torch.randn(2, 4, 8, 8), torch.tensor([1, 2]), torch.tensor([0, 1])).square().mean().backward()
opt.step()
args = argparse.Namespace(model="DiT-S/2", image_size=64, num_classes=10, epochs=1, global_batch_size=2,
                          global_seed=0, vae="ema", data_path="/data")
torch.save({"model": raw.state_dict(), "ema": model.state_dict(), "opt": opt.state_dict(), "args": args},
           "small_training.pt")

x = torch.randn(3, 4, 8, 8)
t = torch.tensor([0.0, 499.5, 999.0])
y = torch.tensor([3, 7, 10])  # 10 = the null class
with torch.no_grad():
    out = model(x, t, y)
json.dump({"config": cfg, "x_shape": list(x.shape), "x": x.flatten().tolist(), "t": t.tolist(), "y": y.tolist(),
           "out_shape": list(out.shape), "out": out.flatten().tolist()}, open("small_io.json", "w"))

s8 = DiT(input_size=32, patch_size=8, in_channels=4, hidden_size=384, depth=12, num_heads=6, num_classes=1000)
with open("s8_keys.txt", "w") as f:
    for name, v in s8.state_dict().items():
        f.write(f"{name} {tuple(v.shape)}\n".replace(",)", ")"))
    f.write(f"# total {sum(v.numel() for v in s8.state_dict().values())}\n")

from dit_reference import sincos_2d
json.dump({"dim": 64, "grid": 4, "values": sincos_2d(64, 4).astype("float32").flatten().tolist()},
          open("pos_embed_64x4.json", "w"))
