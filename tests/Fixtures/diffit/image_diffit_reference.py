"""An independent PyTorch re-implementation of DitML's image-space DiffiT, written from the paper's description
(shared/reference/diffit-facts.md section 3) and the choices DitML documents in ImageDiffiTConfig (no NVIDIA code:
the image model was never released). Module names equal DitML's state_dict keys."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def timestep_features(t, dim=256):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class TimestepEmbedder(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(256, width), nn.SiLU(), nn.Linear(width, width))

    def forward(self, t):
        return self.mlp(timestep_features(t))


class LabelEmbedder(nn.Module):
    def __init__(self, rows, width):
        super().__init__()
        self.embedding_table = nn.Embedding(rows, width)

    def forward(self, y):
        return self.embedding_table(y)


def relative_index(w):
    r = torch.arange(w * w) // w
    c = torch.arange(w * w) % w
    return (r[:, None] - r[None] + w - 1) * (2 * w - 1) + (c[:, None] - c[None] + w - 1)


class WindowAttention(nn.Module):
    """TMSA on non-overlapping w x w windows, no shift: qkv(h) + qkv_temb(c), relative position bias per window."""

    def __init__(self, dim, heads, window, time_dim):
        super().__init__()
        self.heads, self.window = heads, window
        self.qkv = nn.Linear(dim, 3 * dim)
        self.qkv_temb = nn.Linear(time_dim, 3 * dim)
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * window - 1) ** 2, heads))
        self.register_buffer("relative_position_index", relative_index(window))
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, c):  # x (N, H, W, C), c (N, Te)
        n, hh, ww, d = x.shape
        w = self.window
        nw = (hh // w) * (ww // w)
        win = x.view(n, hh // w, w, ww // w, w, d).permute(0, 1, 3, 2, 4, 5).reshape(n * nw, w * w, d)
        qkv = self.qkv(win) + self.qkv_temb(c).repeat_interleave(nw, dim=0)[:, None]
        q, k, v = qkv.reshape(n * nw, w * w, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)]
        bias = bias.view(w * w, w * w, self.heads).permute(2, 0, 1)[None]
        att = (q @ k.transpose(-1, -2)) / math.sqrt(d // self.heads) + bias
        o = (att.softmax(-1) @ v).transpose(1, 2).reshape(n * nw, w * w, d)
        o = self.proj(o)
        return o.view(n, hh // w, ww // w, w, w, d).permute(0, 1, 3, 2, 4, 5).reshape(n, hh, ww, d)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))


class DiffiTResBlock(nn.Module):
    """h = Conv3x3(SiLU(GN(x))); out = x + DiffiTBlock(h, c), DiffiTBlock = pre-LN TMSA and MLP with residuals."""

    def __init__(self, dim, heads, mlp_hidden, window, time_dim, groups):
        super().__init__()
        self.norm = nn.GroupNorm(groups, dim, eps=1e-5)
        self.conv = nn.Conv2d(dim, dim, 3, padding=1)
        self.norm1 = nn.LayerNorm(dim, eps=1e-6, elementwise_affine=False)
        self.attn = WindowAttention(dim, heads, window, time_dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6, elementwise_affine=False)
        self.mlp = Mlp(dim, mlp_hidden)

    def forward(self, x, c):
        h = self.conv(F.silu(self.norm(x))).permute(0, 2, 3, 1)  # (N, H, W, C)
        h = h + self.attn(self.norm1(h), c)
        h = h + self.mlp(self.norm2(h))
        return x + h.permute(0, 3, 1, 2)


class ImageDiffiT(nn.Module):
    def __init__(self, image_size=32, in_channels=3, stage_channels=(128, 256, 256), blocks_per_stage=(2, 2, 2),
                 window_size=4, head_dim=64, mlp_ratio=4.0, groups=32, time_dim=512, num_classes=0, class_dropout_prob=0.1):
        super().__init__()
        s = len(stage_channels)
        self.stages = s
        self.t_embedder = TimestepEmbedder(time_dim)
        self.y_embedder = LabelEmbedder(num_classes + (1 if class_dropout_prob > 0 else 0), time_dim) if num_classes > 0 else None
        self.tokenizer = nn.Conv2d(in_channels, stage_channels[0], 3, padding=1)

        def blocks(i):
            c = stage_channels[i]
            return nn.ModuleList([DiffiTResBlock(c, c // head_dim, int(c * mlp_ratio), window_size, time_dim, groups)
                                  for _ in range(blocks_per_stage[i])])

        self.encoder = nn.ModuleList([blocks(i) for i in range(s)])
        self.downsamples = nn.ModuleList([nn.Conv2d(stage_channels[i], stage_channels[i + 1], 3, stride=2, padding=1) for i in range(s - 1)])
        self.upsamples = nn.ModuleList([nn.Conv2d(stage_channels[i + 1], stage_channels[i], 3, padding=1) for i in range(s - 1)])
        self.skip_merges = nn.ModuleList([nn.Conv2d(2 * stage_channels[i], stage_channels[i], 1) for i in range(s - 1)])
        self.decoder = nn.ModuleList([blocks(i) for i in range(s)])
        self.head_norm = nn.GroupNorm(groups, stage_channels[0], eps=1e-5)
        self.head = nn.Conv2d(stage_channels[0], in_channels, 3, padding=1)

    def forward(self, x, noise_label, y=None):
        c = self.t_embedder(noise_label)
        if self.y_embedder is not None:
            c = c + self.y_embedder(y)
        h = self.tokenizer(x)
        skips = []
        for i in range(self.stages):
            for b in self.encoder[i]:
                h = b(h, c)
            skips.append(h)
            if i < self.stages - 1:
                h = self.downsamples[i](h)
        for i in reversed(range(self.stages)):
            if i < self.stages - 1:
                h = self.upsamples[i](F.interpolate(h, scale_factor=2, mode="nearest"))
                h = self.skip_merges[i](torch.cat([h, skips[i]], dim=1))
            for b in self.decoder[i]:
                h = b(h, c)
        return self.head(F.silu(self.head_norm(h)))


def edm_denoise(net, x, sigma, y=None, sigma_data=0.5):
    """EDM preconditioning (Karras et al. 2022, Table 1): D = c_skip x + c_out F(c_in x; c_noise)."""
    s = sigma.double().reshape(-1, 1, 1, 1)
    c_skip = sigma_data ** 2 / (s ** 2 + sigma_data ** 2)
    c_out = s * sigma_data / (s ** 2 + sigma_data ** 2).sqrt()
    c_in = 1 / (sigma_data ** 2 + s ** 2).sqrt()
    c_noise = s.log() / 4
    f = net((c_in * x.double()).float(), c_noise.flatten().float(), y).double()
    return (c_skip * x.double() + c_out * f).float()
