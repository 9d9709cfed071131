"""Golden fixtures for DitML's FID InceptionV3 (run with Debian's /usr/bin/python3: torch 1.13, torchvision 0.14).

torchvision's Inception3 (no aux head, 1008 classes as in the FID weights) with its Mixed blocks' pooling patched as
pytorch-fid's FID variant does (A, C, E_1: average pooling without the padded zeros; E_2: max pooling). The weights are a
closed-form function of each tensor's name and index (see `value`), so the C# test rebuilds the very same 95 MB of
weights without a weight file; only names, shapes and outputs are committed.

Writes: inception_keys.txt (name and shape of every state_dict entry, in order; last line the parameter count) and
inception_io.json (a 2×3×32×32 input in [0, 1], its 2048-d pool3 features and 1008 logits).
"""
import json
import math
import os

import torch
import torch.nn.functional as F
from torchvision.models import inception

HERE = os.path.dirname(os.path.abspath(__file__))


class FidA(inception.InceptionA):
    def forward(self, x):
        b1 = self.branch1x1(x)
        b5 = self.branch5x5_2(self.branch5x5_1(x))
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        bp = self.branch_pool(F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False))
        return torch.cat([b1, b5, b3, bp], 1)


class FidC(inception.InceptionC):
    def forward(self, x):
        b1 = self.branch1x1(x)
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        bd = x
        for layer in [self.branch7x7dbl_1, self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4, self.branch7x7dbl_5]:
            bd = layer(bd)
        bp = self.branch_pool(F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False))
        return torch.cat([b1, b7, bd, bp], 1)


class FidE(inception.InceptionE):
    def __init__(self, in_channels, max_pool):
        super().__init__(in_channels)
        self.max_pool = max_pool

    def forward(self, x):
        b1 = self.branch1x1(x)
        b3 = self.branch3x3_1(x)
        b3 = torch.cat([self.branch3x3_2a(b3), self.branch3x3_2b(b3)], 1)
        bd = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        bd = torch.cat([self.branch3x3dbl_3a(bd), self.branch3x3dbl_3b(bd)], 1)
        if self.max_pool:
            bp = F.max_pool2d(x, 3, stride=1, padding=1)
        else:
            bp = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
        return torch.cat([b1, b3, bd, self.branch_pool(bp)], 1)


def build():
    net = inception.Inception3(num_classes=1008, aux_logits=False, init_weights=False)
    net.Mixed_5b = FidA(192, 32)
    net.Mixed_5c = FidA(256, 64)
    net.Mixed_5d = FidA(288, 64)
    net.Mixed_6b = FidC(768, 128)
    net.Mixed_6c = FidC(768, 160)
    net.Mixed_6d = FidC(768, 160)
    net.Mixed_6e = FidC(768, 192)
    net.Mixed_7b = FidE(1280, max_pool=False)
    net.Mixed_7c = FidE(2048, max_pool=True)
    return net.eval()


def value(name, shape):
    """The closed-form weights: per tensor a phase from its name, per element a sine (so both languages agree)."""
    n = 1
    for s in shape:
        n *= s
    phase = sum(ord(ch) for ch in name) * 0.001
    idx = torch.arange(n, dtype=torch.float64)
    wave = torch.sin(idx * 0.7548776662466927 + phase)         # pseudo-random in [-1, 1], mean 0, variance 1/2
    if name.endswith("running_var"):
        v = 1.0 + 0.25 * wave
    elif name.endswith("running_mean") or name.endswith(".bias"):
        v = 0.05 * wave
    elif name.endswith("bn.weight"):
        v = 1.0 + 0.1 * wave
    elif name.endswith("num_batches_tracked"):
        return torch.zeros(shape, dtype=torch.int64)
    else:                                                       # conv / fc weights: He-like scale
        fan_in = n // shape[0]
        v = wave * (2.0 / math.sqrt(fan_in))
    return v.reshape(shape).to(torch.float32)


def features(net, x):
    x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
    x = 2 * x - 1
    for name in ["Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1", "Conv2d_4a_3x3", "maxpool2",
                 "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e",
                 "Mixed_7a", "Mixed_7b", "Mixed_7c"]:
        x = getattr(net, name)(x)
    pool = F.adaptive_avg_pool2d(x, 1).flatten(1)
    return pool, net.fc(pool)


def main():
    net = build()
    state = net.state_dict()
    with torch.no_grad():
        for name, t in state.items():
            t.copy_(value(name, tuple(t.shape)))
    params = sum(p.numel() for p in net.parameters())
    with open(os.path.join(HERE, "inception_keys.txt"), "w") as f:
        for name, t in state.items():
            f.write(f"{name} {'x'.join(str(s) for s in t.shape) or 'scalar'}\n")
        f.write(f"parameters {params}\n")
    g = torch.Generator().manual_seed(0)
    x = torch.rand(2, 3, 32, 32, generator=g)
    with torch.no_grad():
        pool, logits = features(net, x)
    with open(os.path.join(HERE, "inception_io.json"), "w") as f:
        json.dump({"input": x.flatten().tolist(), "pool3": pool.flatten().tolist(), "logits": logits.flatten().tolist(),
                   "pool3_std": float(pool.std()), "parameters": params}, f)
    print("parameters", params, "pool3 mean", float(pool.mean()), "std", float(pool.std()), "logits std", float(logits.std()))


if __name__ == "__main__":
    main()
