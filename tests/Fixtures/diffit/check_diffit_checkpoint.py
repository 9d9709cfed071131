"""Checks a latent DiffiT .pt state_dict that DitML wrote (LatentDiffiTCheckpoint.Save) against PyTorch.

Usage: /usr/bin/python3 check_diffit_checkpoint.py CKPT.pt IO.json
Loads the state_dict with torch.load, builds the reference model (diffit_reference.py, written from diffit-facts.md)
from its shapes, loads it with load_state_dict(strict=True) (every key, shape, and the int64 relative_position_index
buffers), runs the forward on IO.json's x, t, y and prints one JSON line: entries, whether every index buffer is int64
and equals the formula's, and the largest difference from IO.json's "out".
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from diffit_reference import LatentDiffiT, relative_index  # noqa: E402

sd = torch.load(sys.argv[1], map_location="cpu")
io = json.load(open(sys.argv[2]))
proj = sd["x_embedder.proj.weight"]
hidden, in_ch, patch = proj.shape[0], proj.shape[1], proj.shape[2]
grid = int(round(sd["pos_embed"].shape[1] ** 0.5))
depth = len({k.split(".")[1] for k in sd if k.startswith("blocks.")})
heads = sd["blocks.0.attn.relative_position_bias_table"].shape[1]
out_ch = sd["final_layer.linear.weight"].shape[0] // (patch * patch)
ratio = sd["blocks.0.mlp.fc1.weight"].shape[0] / hidden
classes = sd["y_embedder.embedding_table.weight"].shape[0] - 1
model = LatentDiffiT(input_size=grid * patch, patch_size=patch, in_channels=in_ch, hidden_size=hidden, depth=depth,
                     num_heads=heads, mlp_ratio=ratio, num_classes=classes, learn_sigma=out_ch == 2 * in_ch)
model.load_state_dict(sd, strict=True)
model.eval()
indices = [v for k, v in sd.items() if k.endswith("relative_position_index")]
with torch.no_grad():
    x = torch.tensor(io["x"], dtype=torch.float32).reshape(io["x_shape"])
    out = model(x, torch.tensor(io["t"], dtype=torch.float32), torch.tensor(io["y"], dtype=torch.int64))
expected = torch.tensor(io["out"], dtype=torch.float32).reshape(io["out_shape"])
print(json.dumps({
    "entries": len(sd), "depth": depth, "heads": heads,
    "index_int64": all(v.dtype == torch.int64 for v in indices) and len(indices) == depth,
    "index_equal": all(torch.equal(v, relative_index(grid)) for v in indices),
    "max_abs_diff": float((out - expected).abs().max()), "max_abs_out": float(expected.abs().max()),
}))
