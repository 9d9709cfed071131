"""Golden hybrid-loss values from an independent improved-DDPM reference in PyTorch/NumPy (written from dit-facts.md).

/usr/bin/python3 make_loss_fixture.py  ->  loss.json
"""
import json
import math

import numpy as np
import torch

T = 1000
betas = np.linspace(1e-4, 0.02, T, dtype=np.float64)
ac = np.cumprod(1.0 - betas)
ac_prev = np.append(1.0, ac[:-1])
post_var = betas * (1.0 - ac_prev) / (1.0 - ac)
post_logvar = np.log(np.append(post_var[1], post_var[1:]))
c1 = betas * np.sqrt(ac_prev) / (1.0 - ac)
c2 = (1.0 - ac_prev) * np.sqrt(1.0 - betas) / (1.0 - ac)


def ex(arr, t, x):
    return torch.from_numpy(arr)[t].float().reshape(-1, *([1] * (x.dim() - 1)))


def cdf(x):
    return 0.5 * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def disc_ll(x, mean, log_scale):
    c = x - mean
    inv = torch.exp(-log_scale)
    cp = cdf(inv * (c + 1 / 255.0))
    cm = cdf(inv * (c - 1 / 255.0))
    return torch.where(x < -0.999, cp.clamp(min=1e-12).log(),
                       torch.where(x > 0.999, (1 - cm).clamp(min=1e-12).log(), (cp - cm).clamp(min=1e-12).log()))


def kl(m1, lv1, m2, lv2):
    return 0.5 * (-1.0 + lv2 - lv1 + torch.exp(lv1 - lv2) + (m1 - m2) ** 2 * torch.exp(-lv2))


torch.manual_seed(0)
n, c = 6, 3
x0 = torch.rand(n, c, 4, 4) * 2 - 1
x0[0, 0, 0, :2] = torch.tensor([-1.0, 1.0])  # edge bins
noise = torch.randn(n, c, 4, 4)
t = torch.tensor([0, 1, 7, 250, 600, 999])
out = torch.randn(n, 2 * c, 4, 4) * 0.5
xt = ex(np.sqrt(ac), t, x0) * x0 + ex(np.sqrt(1 - ac), t, x0) * noise
eps, v = out[:, :c], out[:, c:]
mse = ((noise - eps) ** 2).mean(dim=(1, 2, 3))
frac = (v + 1) / 2
mlv = frac * ex(np.log(betas), t, xt) + (1 - frac) * ex(post_logvar, t, xt)
px0 = ex(np.sqrt(1 / ac), t, xt) * xt - ex(np.sqrt(1 / ac - 1), t, xt) * eps
mmean = ex(c1, t, xt) * px0 + ex(c2, t, xt) * xt
tmean = ex(c1, t, xt) * x0 + ex(c2, t, xt) * xt
tlv = ex(post_logvar, t, xt)
klv = kl(tmean, tlv, mmean, mlv).mean(dim=(1, 2, 3)) / math.log(2.0)
nll = (-disc_ll(x0, mmean, 0.5 * mlv)).mean(dim=(1, 2, 3)) / math.log(2.0)
vb = torch.where(t == 0, nll, klv)
json.dump({"x0": x0.flatten().tolist(), "noise": noise.flatten().tolist(), "t": t.tolist(), "out": out.flatten().tolist(),
           "shape": [n, c, 4, 4], "xt": xt.flatten().tolist(), "mse": mse.tolist(), "vb": vb.tolist()}, open("loss.json", "w"))
print(mse, vb)
