"""Makes DitML's latent DiffiT golden fixtures with Debian's PyTorch (/usr/bin/python3 make_diffit_fixtures.py).

Outputs (all small):
  small.safetensors    state_dict (release names, relative_position_index as I64) of a small latent DiffiT
                       (latent 8x8x4, patch 2, width 64, depth 2, 4 heads, 10 classes) with random non-zero weights
  small.pt             the same state_dict through torch.save
  small_io.json        config, inputs x/t/y and the reference output of those weights
  s8_keys.txt          name and shape of every state_dict entry of DiffiT-S/8 (32x32x4, 1000 classes)
  xl2_keys.txt         the same for DiffiT-XL/2 at latent 32 with its entry count and parameter total
"""
import json
import struct

import torch

from diffit_reference import LatentDiffiT


def write_safetensors(path, state):
    header, blobs, offset = {}, [], 0
    for name, v in state.items():
        v = v.detach().contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[v.dtype]
        data = v.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(v.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


torch.manual_seed(0)
cfg = dict(input_size=8, patch_size=2, in_channels=4, hidden_size=64, depth=2, num_heads=4,
           num_classes=10, class_dropout_prob=0.1, learn_sigma=True)
model = LatentDiffiT(**cfg).eval()
with torch.no_grad():
    for name, p in model.named_parameters():
        if name != "pos_embed":
            p.copy_(torch.randn_like(p) * 0.2)  # non-zero everywhere (bias tables, qkv_temb bias, head), every path used
write_safetensors("small.safetensors", model.state_dict())
torch.save(model.state_dict(), "small.pt")

x = torch.randn(3, 4, 8, 8)
t = torch.tensor([0.0, 499.5, 999.0])
y = torch.tensor([3, 7, 10])  # 10 = the null class
with torch.no_grad():
    out = model(x, t, y)
json.dump({"config": cfg, "x_shape": list(x.shape), "x": x.flatten().tolist(), "t": t.tolist(), "y": y.tolist(),
           "out_shape": list(out.shape), "out": out.flatten().tolist()}, open("small_io.json", "w"))


def write_keys(path, m):
    with open(path, "w") as f:
        for name, v in m.state_dict().items():
            f.write(f"{name} {str(v.dtype).replace('torch.', '')} {tuple(v.shape)}\n".replace(",)", ")"))
        f.write(f"# entries {len(m.state_dict())} parameters {sum(p.numel() for p in m.parameters())}\n")


write_keys("s8_keys.txt", LatentDiffiT(input_size=32, patch_size=8, hidden_size=384, depth=12, num_heads=6))
# Built for real once (about 2.2 GB for a few seconds): torch 1.13 has no meta-device context.
write_keys("xl2_keys.txt", LatentDiffiT(input_size=32, patch_size=2, hidden_size=1152, depth=28, num_heads=16))
