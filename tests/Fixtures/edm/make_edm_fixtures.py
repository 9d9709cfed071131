"""Writes edm.json: EDM preconditioning and loss-weight values, Karras sigmas (18 and 40 steps) and deterministic
Heun samples of a toy analytic denoiser (the exact denoiser of a per-element two-Gaussian mixture, class-shifted,
with classifier-free guidance on D), from DitML's RowNoise seeds. Run: cd tests/Fixtures/edm && /usr/bin/python3 make_edm_fixtures.py"""
import json
import math

import numpy as np

from edm_reference import RowNoise, c_in, c_noise, c_out, c_skip, heun_sample, karras_sigmas, loss_weight

SIGMAS = [0.002, 0.01, 0.1, 0.5, 1.0, 2.5, 10.0, 80.0]
MEANS, PROBS, STD = [-0.6, 0.4], [0.3, 0.7], 0.1
SHIFT = 0.25            # class y shifts both modes by SHIFT * (y + 1); the null class (id 2) by 0
PLANE = 6               # (1, 2, 3) images
NUM_CLASSES = 2


def mixture_denoise(v, sigma, shift):
    var = STD * STD + sigma * sigma
    logs = [math.log(p) - (v - (m + shift)) ** 2 / (2 * var) for m, p in zip(MEANS, PROBS)]
    top = max(logs)
    ws = [math.exp(l - top) for l in logs]
    z = sum(ws)
    return sum(w / z * ((m + shift) + STD * STD / var * (v - (m + shift))) for w, m in zip(ws, MEANS))


def guided(label, scale):
    def denoise(x, sigma):
        cond = [mixture_denoise(v, sigma, SHIFT * (label + 1)) for v in x]
        if scale == 1:
            return cond
        unc = [mixture_denoise(v, sigma, 0.0) for v in x]
        return [u + scale * (c - u) for c, u in zip(cond, unc)]
    return denoise


cases = []
for steps, scale in [(18, 1.0), (18, 2.0), (40, 1.0)]:
    sig = karras_sigmas(steps)
    for label, seed in [(0, 3), (1, 11), (1, -7)]:
        noise = RowNoise(seed)
        z = [float(np.float32(noise.gaussian())) for _ in range(PLANE)]  # RowNoise.Fill casts to float32
        cases.append(dict(steps=steps, guidance=scale, label=label, seed=seed, noise=z,
                          sample=heun_sample(guided(label, scale), z, sig)))

out = dict(
    sigma_data=0.5,
    sigmas=SIGMAS,
    c_skip=[c_skip(s) for s in SIGMAS], c_out=[c_out(s) for s in SIGMAS], c_in=[c_in(s) for s in SIGMAS],
    c_noise=[c_noise(s) for s in SIGMAS], loss_weight=[loss_weight(s) for s in SIGMAS],
    karras18=karras_sigmas(18), karras40=karras_sigmas(40),
    toy=dict(means=MEANS, probs=PROBS, std=STD, shift=SHIFT, plane=PLANE, num_classes=NUM_CLASSES),
    cases=cases,
)
with open("edm.json", "w") as f:
    json.dump(out, f, indent=1)
print("wrote edm.json:", len(cases), "sampler cases")
