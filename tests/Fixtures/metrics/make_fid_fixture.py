"""FID reference values from SciPy's sqrtm (pytorch-fid's formula), for DitML's eigendecomposition route.

/usr/bin/python3 make_fid_fixture.py -> features_a.f32, features_b.f32 (N×D float32) and fid.json
"""
import json

import numpy as np
from scipy import linalg

rng = np.random.default_rng(0)
n, d = 300, 64
mix = rng.standard_normal((d, d)) / np.sqrt(d)
a = (rng.standard_normal((n, d)) @ mix + 0.5).astype(np.float32)
b = (rng.standard_normal((n, d)) @ (mix + 0.3 * rng.standard_normal((d, d)) / np.sqrt(d)) - 0.2).astype(np.float32)
a.tofile("features_a.f32")
b.tofile("features_b.f32")


def stats(x):
    x = x.astype(np.float64)
    return x.mean(axis=0), np.cov(x, rowvar=False)


def fid(mu1, s1, mu2, s2):
    covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
    covmean = covmean.real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


mu1, s1 = stats(a)
mu2, s2 = stats(b)
json.dump({"n": n, "d": d, "fid": fid(mu1, s1, mu2, s2), "fid_aa": fid(mu1, s1, mu1, s1),
           "mu1_first": mu1[:4].tolist(), "sigma1_first": s1[0, :4].tolist()}, open("fid.json", "w"))
print(json.load(open("fid.json")))
