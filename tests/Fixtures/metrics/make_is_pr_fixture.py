"""Inception Score and improved precision/recall references in NumPy (/usr/bin/python3 make_is_pr_fixture.py)."""
import json

import numpy as np

rng = np.random.default_rng(1)
logits = rng.standard_normal((200, 7)) * 2
probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
probs = probs.astype(np.float32)
probs.tofile("probs.f32")


def inception_score(p, splits=10):
    p = p.astype(np.float64)
    scores = []
    for part in np.array_split(p, splits):
        py = part.mean(axis=0, keepdims=True)
        kl = (part * (np.log(part) - np.log(py))).sum(axis=1).mean()
        scores.append(np.exp(kl))
    return float(np.mean(scores)), float(np.std(scores))


real = rng.standard_normal((150, 5)).astype(np.float32)
fake = (rng.standard_normal((120, 5)) * 1.4 + 0.3).astype(np.float32)
real.tofile("pr_real.f32")
fake.tofile("pr_fake.f32")


def radii(x, k=3):
    d = ((x[:, None, :].astype(np.float64) - x[None, :, :]) ** 2).sum(-1)
    return np.partition(d, k, axis=1)[:, k]


def coverage(q, m, r):
    d = ((q[:, None, :].astype(np.float64) - m[None, :, :]) ** 2).sum(-1)
    return float((d <= r[None, :]).any(axis=1).mean())


mean, std = inception_score(probs)
json.dump({"is_mean": mean, "is_std": std, "precision": coverage(fake, real, radii(real)),
           "recall": coverage(real, fake, radii(fake))}, open("is_pr.json", "w"))
print(json.load(open("is_pr.json")))
