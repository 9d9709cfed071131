"""Checkpoint-format fixtures made with Debian's PyTorch 1.13 (/usr/bin/python3 make_checkpoint_fixtures.py)."""
import collections
import json
import os
import struct

import torch

torch.manual_seed(0)
base = torch.arange(12, dtype=torch.float32) * 0.5
sd = collections.OrderedDict()
sd["f32"] = torch.randn(2, 3)
sd["f16"] = torch.randn(3).half()
sd["bf16"] = torch.randn(4).bfloat16()
sd["f64"] = torch.randn(2, 2).double()
sd["i64"] = torch.arange(5)
sd["transposed"] = torch.randn(3, 4).t()          # non-contiguous view
sd["view_a"] = base[2:8].view(2, 3)               # two views of one storage, at offsets
sd["view_b"] = base[:4]
sd["scalar"] = torch.tensor(3.25)
torch.save(sd, "dtypes.pt")
# The same tensors in the pre-1.6 legacy format (sequential pickles, then raw storages), as older releases ship them.
torch.save(sd, "dtypes-legacy.pt", _use_new_zipfile_serialization=False)
expected = {k: {"shape": list(v.shape), "values": v.float().flatten().tolist()} for k, v in sd.items()}
json.dump(expected, open("dtypes.json", "w"))


class Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/ditml-pwned-by-pickle",))


torch.save({"weight": torch.zeros(2), "payload": Evil()}, "malicious.pt")

# safetensors written by hand per the format: 8-byte LE header length, JSON header, raw bytes.
a = torch.randn(2, 3)
b = torch.randn(4).half()
data = a.numpy().tobytes() + b.numpy().tobytes()
header = {"__metadata__": {"format": "pt", "note": "made by make_checkpoint_fixtures.py"},
          "b": {"dtype": "F16", "shape": [4], "data_offsets": [24, 32]},
          "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}
h = json.dumps(header).encode()
with open("small.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + data)
json.dump({"a": a.flatten().tolist(), "b": b.float().tolist()}, open("small_safetensors.json", "w"))

# A legacy training dict: storages of "model" and "opt" sit in the file too and must be skipped past.
torch.manual_seed(1)
legacy_train = {"model": collections.OrderedDict(w=torch.randn(2, 2), b=torch.randn(2)),
                "ema": collections.OrderedDict(w=torch.randn(2, 2), b=torch.randn(2)),
                "opt": {"state": {0: {"exp_avg": torch.randn(7).double()}}, "param_groups": [{"lr": 1e-4}]}}
torch.save(legacy_train, "training-legacy.pt", _use_new_zipfile_serialization=False)
json.dump({k: {n: t.flatten().tolist() for n, t in v.items()} for k, v in legacy_train.items() if k != "opt"},
          open("training-legacy.json", "w"))
