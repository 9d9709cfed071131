"""Writes guidance_schedule.json: latent DiffiT's guidance scale over the steps, from diffit-facts.md §1.

s(t) = 1 + (s - 1) * 0.5 * (1 - cos(pi * (1 - t / 1000) ** scale_pow)), scale_pow 4, t the original step index, for
the release's 256-px scale 4.4 (and 2.2, sample.py's default). Written with numpy in float64, independently of DitML.
Run: /usr/bin/python3 make_guidance_fixture.py
"""
import json
import os

import numpy as np

steps = [0.0, 1.0, 40.5, 159.0, 249.0, 499.0, 750.0, 996.0, 999.0]
rows = []
for s in (4.4, 2.2):
    t = np.array(steps, dtype=np.float64)
    ramp = 0.5 * (1 - np.cos(np.pi * (1 - t / 1000.0) ** 4))
    rows.append({"scale": s, "t": steps, "s_t": (1 + (s - 1) * ramp).tolist()})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "guidance_schedule.json"), "w") as f:
    json.dump({"diffusion_steps": 1000, "power": 4, "rows": rows}, f, indent=1)
