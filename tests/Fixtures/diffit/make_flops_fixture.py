"""Counts the forward cost of the PyTorch reference models with PyTorch's profiler, for DitML's complexity tests
(cd tests/Fixtures/diffit && /usr/bin/python3 make_flops_fixture.py; PyTorch 1.13, CPU, about three minutes: DiffiT-XL/2 is built for real).

flops.json holds, per config, the FLOPs torch.profiler.profile(with_flops=True) reports over one forward pass of batch 1
for the matrix-product and convolution ops only: aten::mm, aten::addmm, aten::bmm and aten::conv2d (the ops 1.13 gives
flops for, besides aten::add / aten::mul: the bias additions, residuals and scalings that the papers' "Gflops" leave out).
The profiler's formulas are 2 x multiply-accumulates (conv2d: 2 N Cin Cout kh kw Hout Wout / groups, stride included,
bias left out), so "macs" = "flops" / 2 is what LatentDiffiTComplexity, ImageDiffiTComplexity and DiTComplexity
(.MultiplyAccumulates) must equal. No counted op runs inside another counted op (checked below), so nothing is counted
twice; the callers that carry no flops themselves (aten::linear, aten::matmul, aten::convolution) are not listed.
A DiT config is counted too, to check the method against DiTComplexity (whose Gflops match the DiT paper's table).
"""
import collections
import json
import os
import sys
import time

import torch
from torch.profiler import ProfilerActivity, profile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "dit"))
from diffit_reference import LatentDiffiT  # noqa: E402
from dit_reference import DiT  # noqa: E402
from image_diffit_reference import ImageDiffiT  # noqa: E402

COUNTED = ("aten::mm", "aten::addmm", "aten::bmm", "aten::conv2d")
LEFT_OUT = ("aten::add", "aten::add_", "aten::mul", "aten::mul_")  # elementwise: bias, residual, scale


def count(model, *inputs):
    with torch.no_grad(), profile(activities=[ProfilerActivity.CPU], with_flops=True, record_shapes=True) as prof:
        model(*inputs)
    per_op = collections.Counter()
    for e in prof.events():
        if not e.flops:
            continue
        if e.name not in COUNTED + LEFT_OUT:
            raise SystemExit(f"the profiler reports flops for {e.name}: decide whether it is counted")
        parent = e.cpu_parent
        while parent is not None:
            if parent.flops and parent.name in COUNTED and e.name in COUNTED:
                raise SystemExit(f"{e.name} inside {parent.name}: would be counted twice")
            parent = parent.cpu_parent
        per_op[e.name] += e.flops
    flops = sum(per_op[n] for n in COUNTED)
    assert flops % 2 == 0
    return {"flops": flops, "macs": flops // 2, "per_op_flops": {n: per_op[n] for n in sorted(per_op)}}


def latent(name, **cfg):
    full = dict(input_size=32, patch_size=2, in_channels=4, hidden_size=1152, depth=28, num_heads=16, mlp_ratio=4.0,
                num_classes=1000, class_dropout_prob=0.1, learn_sigma=True)
    full.update(cfg)
    model = LatentDiffiT(**full).eval()
    s = full["input_size"]
    return dict(name=name, family="latent-diffit", config=full,
                **count(model, torch.randn(1, full["in_channels"], s, s), torch.tensor([500.0]), torch.tensor([1])))


def image(name, **cfg):
    # DitML's ImageDiffiTConfig member names (its JSON); the reference calls two of them groups and time_dim.
    full = dict(image_size=32, in_channels=3, stage_channels=[128, 256, 256], blocks_per_stage=[2, 2, 2], window_size=4,
                head_dim=64, mlp_ratio=4.0, group_norm_groups=32, time_embed_dim=512, num_classes=0, class_dropout_prob=0.1)
    full.update(cfg)
    args = {k: v for k, v in full.items() if k not in ("group_norm_groups", "time_embed_dim")}
    model = ImageDiffiT(groups=full["group_norm_groups"], time_dim=full["time_embed_dim"], **args).eval()
    s = full["image_size"]
    y = torch.tensor([1]) if full["num_classes"] > 0 else None
    return dict(name=name, family="image-diffit", config=full,
                **count(model, torch.randn(1, full["in_channels"], s, s), torch.tensor([0.3]), y))


def dit(name, **cfg):
    full = dict(input_size=32, patch_size=2, in_channels=4, hidden_size=1152, depth=28, num_heads=16, mlp_ratio=4.0,
                num_classes=1000, class_dropout_prob=0.1, learn_sigma=True)
    full.update(cfg)
    model = DiT(**full).eval()
    s = full["input_size"]
    return dict(name=name, family="dit", config=full,
                **count(model, torch.randn(1, full["in_channels"], s, s), torch.tensor([500.0]), torch.tensor([1])))


torch.manual_seed(0)
torch.set_num_threads(1)
runs = [
    # The small fixtures' configs (make_diffit_fixtures.py, make_image_diffit_fixtures.py).
    lambda: latent("latent-small", input_size=8, patch_size=2, in_channels=4, hidden_size=64, depth=2, num_heads=4, num_classes=10),
    lambda: latent("DiffiT-S/2", hidden_size=384, depth=12, num_heads=6),
    lambda: latent("DiffiT-B/2", hidden_size=768, depth=12, num_heads=12),
    lambda: latent("DiffiT-XL/2"),  # the release, 256-px images (latent 32)
    lambda: image("image-small", image_size=8, in_channels=2, stage_channels=[8, 16], blocks_per_stage=[1, 2], window_size=2,
                  head_dim=4, mlp_ratio=2.0, group_norm_groups=4, time_embed_dim=16, num_classes=3),
    lambda: image("DiffiT-CIFAR10"),
    lambda: image("DiffiT-FFHQ64", image_size=64, stage_channels=[128, 256, 256, 256], blocks_per_stage=[1, 2, 2, 2], window_size=8),
    lambda: dit("DiT-S/2", hidden_size=384, depth=12, num_heads=6),
]
results = []
for run in runs:
    start = time.time()
    r = run()
    print(f"{r['name']:15} {r['macs']:>16,} MACs  ({r['macs'] / 1e9:.4f} G, {time.time() - start:.0f} s)", flush=True)
    results.append(r)
with open(os.path.join(here, "flops.json"), "w") as f:
    json.dump({"torch": torch.__version__, "counted_ops": list(COUNTED), "batch": 1, "configs": results}, f, indent=1)
