"""An independent PyTorch reference of latent DiffiT, written from ../shared/reference/diffit-facts.md only.

NVIDIA's release (NVlabs/DiffiT) is licensed against redistribution: nothing here is copied from it. Used only to make
DitML's golden fixtures (make_diffit_fixtures.py); DitML never runs it at test time. The embedders are DiT's
(../dit/dit_reference.py).
"""
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dit"))
from dit_reference import Mlp, TEmb, XEmb, YEmb, sincos_2d  # noqa: E402


def relative_index(w):
    """index[i, j] = (r_i - r_j + W - 1) * (2W - 1) + (c_i - c_j + W - 1), r = token // W, c = token % W."""
    tok = torch.arange(w * w)
    r, c = tok // w, tok % w
    dr = r[:, None] - r[None, :] + w - 1
    dc = c[:, None] - c[None, :] + w - 1
    return (dr * (2 * w - 1) + dc).long()


class TMSA(nn.Module):
    def __init__(self, d, heads, w):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=True)
        self.qkv_temb = nn.Linear(d, 3 * d, bias=True)
        self.proj = nn.Linear(d, d)
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * w - 1) ** 2, heads))
        self.register_buffer("relative_position_index", relative_index(w))  # persistent int64

    def forward(self, h, c):
        n, t, d = h.shape
        hd = d // self.heads
        qkv = self.qkv(h) + self.qkv_temb(c)[:, None, :]
        qkv = qkv.reshape(n, t, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * hd ** -0.5, qkv[1], qkv[2]
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)].view(t, t, -1).permute(2, 0, 1)
        attn = (q @ k.transpose(-2, -1) + bias[None]).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(n, t, d))


class Block(nn.Module):
    def __init__(self, d, heads, ratio, w):
        super().__init__()
        self.norm1 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.attn = TMSA(d, heads, w)
        self.norm2 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.mlp = Mlp(d, int(d * ratio))

    def forward(self, x, c):
        x = x + self.attn(self.norm1(x), c)
        return x + self.mlp(self.norm2(x))


class Final(nn.Module):
    def __init__(self, d, p, cout):
        super().__init__()
        self.norm_final = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.linear = nn.Linear(d, p * p * cout)

    def forward(self, x):
        return self.linear(torch.nn.functional.silu(self.norm_final(x)))


class LatentDiffiT(nn.Module):
    def __init__(self, input_size=32, patch_size=2, in_channels=4, hidden_size=1152, depth=28, num_heads=16,
                 mlp_ratio=4.0, class_dropout_prob=0.1, num_classes=1000, learn_sigma=True):
        super().__init__()
        self.cout = in_channels * 2 if learn_sigma else in_channels
        self.p = patch_size
        w = input_size // patch_size
        self.pos_embed = nn.Parameter(torch.from_numpy(sincos_2d(hidden_size, w)).float()[None], requires_grad=False)
        self.x_embedder = XEmb(in_channels, patch_size, hidden_size)
        self.t_embedder = TEmb(hidden_size)
        self.y_embedder = YEmb(num_classes, hidden_size, class_dropout_prob)
        self.blocks = nn.ModuleList([Block(hidden_size, num_heads, mlp_ratio, w) for _ in range(depth)])
        self.final_layer = Final(hidden_size, patch_size, self.cout)

    def forward(self, x, t, y):
        h = self.x_embedder(x) + self.pos_embed
        c = self.t_embedder(t) + self.y_embedder(y)
        for b in self.blocks:
            h = b(h, c)
        h = self.final_layer(h)
        n, t_, _ = h.shape
        g = int(t_ ** 0.5)
        h = h.reshape(n, g, g, self.p, self.p, self.cout)
        return torch.einsum("nhwpqc->nchpwq", h).reshape(n, self.cout, g * self.p, g * self.p)
