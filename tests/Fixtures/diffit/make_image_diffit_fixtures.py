"""Makes DitML's image-space DiffiT golden fixtures with Debian's PyTorch
(cd tests/Fixtures/diffit && /usr/bin/python3 make_image_diffit_fixtures.py).

Outputs (small):
  image_small.pt        torch.save state_dict of a tiny class-conditional image DiffiT (8x8x2, stages 8/4 at 8/16
                        channels, blocks 1,2, window 2, 4 channels per head, 4 GN groups, time width 16, 3 classes)
                        with random non-zero weights (bias tables, qkv_temb, head: every path used)
  image_cifar10_keys.txt name and shape of every state_dict entry of DiffiT-CIFAR10
  image_small_io.json   config, inputs x / sigma / y / unit noise and the reference outputs: F(x, c_noise, y), the EDM
                        denoiser D(x; sigma, y) and the EDM loss at those sigma and noise
"""
import json
import math

import torch

from image_diffit_reference import ImageDiffiT, edm_denoise

torch.manual_seed(0)
cfg = dict(image_size=8, in_channels=2, stage_channels=[8, 16], blocks_per_stage=[1, 2], window_size=2, head_dim=4,
           mlp_ratio=2.0, groups=4, time_dim=16, num_classes=3, class_dropout_prob=0.1)
model = ImageDiffiT(**cfg).eval()
with torch.no_grad():
    for name, p in model.named_parameters():
        p.copy_(torch.randn_like(p) * 0.2 + (1.0 if name.endswith("norm.weight") else 0.0))
torch.save(model.state_dict(), "image_small.pt")

x = torch.randn(3, 2, 8, 8)
sigma = torch.tensor([0.01, 0.7, 25.0])
y = torch.tensor([0, 2, 3])  # 3 = the null class
noise_label = sigma.log() / 4
unit = torch.randn(3, 2, 8, 8)
with torch.no_grad():
    f = model(x, noise_label, y)
    d = edm_denoise(model, x, sigma, y)
    noisy = x + unit * sigma.view(-1, 1, 1, 1)
    dn = edm_denoise(model, noisy, sigma, y).double()
    sd = 0.5
    weight = ((sigma.double() ** 2 + sd ** 2) / (sigma.double() * sd) ** 2).view(-1, 1, 1, 1)
    loss = (weight * (dn - x.double()) ** 2).mean().item()

flat = lambda t: [float(v) for v in t.flatten()]
config = dict(image_size=8, in_channels=2, stage_channels=[8, 16], blocks_per_stage=[1, 2], window_size=2, head_dim=4,
              mlp_ratio=2.0, group_norm_groups=4, time_embed_dim=16, num_classes=3, class_dropout_prob=0.1)
with open("image_small_io.json", "w") as fp:
    json.dump(dict(config=config, x=flat(x), x_shape=list(x.shape), sigma=flat(sigma), y=[int(v) for v in y],
                   unit_noise=flat(unit), f=flat(f), d=flat(d), loss=loss, entries=len(model.state_dict()),
                   parameters=sum(p.numel() for p in model.parameters())), fp)
print("entries", len(model.state_dict()), "parameters", sum(p.numel() for p in model.parameters()), "loss", loss,
      "max|F|", f.abs().max().item())

# image_cifar10_keys.txt: name and shape of every state_dict entry of DiffiT-CIFAR10 (unconditional, 3 channels).
cifar = ImageDiffiT()
with open("image_cifar10_keys.txt", "w") as fp:
    for name, v in cifar.state_dict().items():
        fp.write(f"{name} {tuple(v.shape)}\n")
    fp.write(f"# entries {len(cifar.state_dict())} parameters {sum(p.numel() for p in cifar.parameters())}\n")
