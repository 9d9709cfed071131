"""Makes DitML's VAE golden fixtures with Debian's PyTorch (/usr/bin/python3 make_vae_fixtures.py).

Outputs:
  small_vae.safetensors   a small AutoencoderKL with random weights (diffusers names), safetensors written by hand
  small_io.json           its config, an input x, encoder mean/logvar, a latent z and the decoder's output
  sd_keys.txt             name and shape of every state_dict entry of the Stable Diffusion config, and the total
"""
import json
import struct

import torch

from vae_reference import AutoencoderKL


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


torch.manual_seed(0)
cfg = dict(in_channels=3, out_channels=3, block_out_channels=[8, 16, 16], layers_per_block=1, latent_channels=4,
           norm_num_groups=4)
model = AutoencoderKL(**cfg).eval()
with torch.no_grad():
    for name, p in model.named_parameters():
        if name.endswith("weight") and p.dim() == 1:          # GroupNorm scales around 1, so no path is washed out
            p.copy_(1 + 0.2 * torch.randn_like(p))
        else:
            p.copy_(torch.randn_like(p) * (0.5 / p[0].numel() ** 0.5))
write_safetensors("small_vae.safetensors", model.state_dict(), {"format": "pt"})

x = torch.rand(2, 3, 16, 16) * 2 - 1
z = torch.randn(2, 4, 4, 4)
with torch.no_grad():
    mean, logvar = model.encode(x)
    out = model.decode(z)
json.dump({"config": cfg, "x_shape": list(x.shape), "x": x.flatten().tolist(),
           "latent_shape": list(mean.shape), "mean": mean.flatten().tolist(), "logvar": logvar.flatten().tolist(),
           "z_shape": list(z.shape), "z": z.flatten().tolist(),
           "out_shape": list(out.shape), "out": out.flatten().tolist()}, open("small_io.json", "w"))

sd = AutoencoderKL()
with open("sd_keys.txt", "w") as f:
    for name, v in sd.state_dict().items():
        f.write(f"{name} ({', '.join(str(s) for s in v.shape)})\n")
    f.write(f"# total {sum(v.numel() for v in sd.state_dict().values())}\n")
print("SD parameters:", sum(p.numel() for p in sd.parameters()))
