"""EDM (Karras et al. 2022) written from the paper for DitML's golden fixtures: preconditioning, the training loss
weight and distribution, the Karras sigma spacing and the deterministic Heun sampler (Algorithm 1), plus DitML's
per-row noise stream (RowNoise: xoshiro256** seeded by SplitMix64, Box-Muller in double) re-implemented from its docs.
Run: /usr/bin/python3 make_edm_fixtures.py"""
import math

M = (1 << 64) - 1


def c_skip(s, sd=0.5):
    return sd * sd / (s * s + sd * sd)


def c_out(s, sd=0.5):
    return s * sd / math.sqrt(s * s + sd * sd)


def c_in(s, sd=0.5):
    return 1 / math.sqrt(s * s + sd * sd)


def c_noise(s):
    return math.log(s) / 4


def loss_weight(s, sd=0.5):
    return (s * s + sd * sd) / (s * sd) ** 2


def karras_sigmas(n, smin=0.002, smax=80.0, rho=7.0):
    out = []
    for i in range(n):
        f = 0 if n == 1 else i / (n - 1)
        out.append((smax ** (1 / rho) + f * (smin ** (1 / rho) - smax ** (1 / rho))) ** rho)
    return out + [0.0]


def heun_sample(denoise, x, sigmas):
    """EDM Algorithm 1 (deterministic, S_churn = 0) on a list x of floats; denoise(x_list, sigma) -> list."""
    x = [v * sigmas[0] for v in x]
    for i in range(len(sigmas) - 1):
        s, nxt = sigmas[i], sigmas[i + 1]
        d = [(a - b) / s for a, b in zip(x, denoise(x, s))]
        trial = [a + (nxt - s) * b for a, b in zip(x, d)]
        if nxt > 0:
            d2 = [(a - b) / nxt for a, b in zip(trial, denoise(trial, nxt))]
            x = [a + (nxt - s) * 0.5 * (b + c) for a, b, c in zip(x, d, d2)]
        else:
            x = trial
    return x


class RowNoise:
    def __init__(self, seed):
        x = seed & M
        self.s = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & M
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
            self.s.append(z ^ (z >> 31))
        self.spare = None

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & M

    def _next(self):
        s0, s1, s2, s3 = self.s
        result = (self._rotl((s1 * 5) & M, 7) * 9) & M
        t = (s1 << 17) & M
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = self._rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def gaussian(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        u1 = (self._next() >> 11) * (1.0 / (1 << 53))
        u2 = (self._next() >> 11) * (1.0 / (1 << 53))
        r = math.sqrt(-2 * math.log(1 - u1))
        theta = 2 * math.pi * u2
        self.spare = r * math.sin(theta)
        return r * math.cos(theta)
