#!/usr/bin/python3
"""Makes the golden fixtures of DitML's Data and Imaging tests (run with Debian's /usr/bin/python3: Pillow 9.4, numpy).

  idx/      tiny MNIST-format files (train: 5 images of 4x3 pixels, gzip; t10k: 3 images, uncompressed) + idx.json
  folder/   an ImageFolder tree (classes "Zebra", "cat", "dog") of small generated PNG/JPEG images
  expected/ what Pillow produces from them: the DiT/ADM center crop to 16 px (RGB and L) and single resizes,
            raw uint8 HWC bytes, described in expected/cases.json
  resize/   sources of the single-resize cases

The center crop below restates DiT's preprocessing (halve with BOX while the short side >= 2x target, BICUBIC resize
of the short side to the target with Python's round, centered crop with floored offsets).
"""
import gzip
import json
import os
import struct

import numpy as np
import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240611)


def center_crop(img, size):
    while min(*img.size) >= 2 * size:
        img = img.resize(tuple(s // 2 for s in img.size), resample=Image.BOX)
    scale = size / min(*img.size)
    img = img.resize(tuple(round(s * scale) for s in img.size), resample=Image.BICUBIC)
    a = np.array(img)
    top = (a.shape[0] - size) // 2
    left = (a.shape[1] - size) // 2
    return a[top:top + size, left:left + size]


def picture(w, h, channels):
    """Smooth gradients plus strong noise: both the low-pass and the ringing behaviour of a filter show."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    planes = []
    for c in range(channels):
        base = 127.5 + 90 * np.sin(x / (3 + c) + y / (5 + 2 * c)) + 20 * ((x + 2 * y + 7 * c) % 9 - 4)
        planes.append(base + rng.normal(0, 40, size=(h, w)))
    a = np.clip(np.stack(planes, -1), 0, 255).astype(np.uint8)
    return a[..., 0] if channels == 1 else a


def write_idx(path, array, compress):
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + b"".join(struct.pack(">I", d) for d in array.shape)
    data = header + array.astype(np.uint8).tobytes()
    if compress:
        # mtime=0 keeps the file identical between runs.
        with open(path, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0) as g:
            g.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


def make_idx():
    d = os.path.join(HERE, "idx")
    os.makedirs(d, exist_ok=True)
    out = {}
    for prefix, n, compress in (("train", 5, True), ("t10k", 3, False)):
        images = rng.integers(0, 256, size=(n, 4, 3), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        labels[0] = 9  # the largest label appears, so 10 classes are inferred
        suffix = ".gz" if compress else ""
        write_idx(os.path.join(d, f"{prefix}-images-idx3-ubyte{suffix}"), images, compress)
        write_idx(os.path.join(d, f"{prefix}-labels-idx1-ubyte{suffix}"), labels, compress)
        out[prefix] = {"rows": 4, "cols": 3, "labels": labels.tolist(), "images": images.reshape(n, -1).tolist()}
    with open(os.path.join(d, "idx.json"), "w") as f:
        json.dump(out, f)


def save(a, path, mode=None, **kw):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(a, mode).save(path, **kw)


def make_images():
    folder = os.path.join(HERE, "folder")
    files = {
        "cat/a_50x37.png": (picture(50, 37, 3), None, {}),
        "cat/sub/b_90x64.png": (picture(90, 64, 3), None, {}),
        "cat/z_200x150.png": (picture(200, 150, 3), None, {}),
        "dog/c_37x50.png": (picture(37, 50, 3), None, {}),
        "dog/d_gray_33x40.png": (picture(33, 40, 1), "L", {}),
        "Zebra/e_rgba_64x64.png": (np.dstack([picture(64, 64, 3), picture(64, 64, 1)]), "RGBA", {}),
        "Zebra/f_70x40.jpg": (picture(70, 40, 3), None, {"quality": 90}),
    }
    for rel, (a, mode, kw) in files.items():
        save(a, os.path.join(folder, rel), mode, **kw)
    with open(os.path.join(folder, "Zebra", "notes.txt"), "w") as f:
        f.write("not an image: ignored by the dataset\n")

    exp = os.path.join(HERE, "expected")
    os.makedirs(exp, exist_ok=True)
    cases = {"pillow": PIL.__version__, "crops": [], "decodes": [], "resizes": []}
    for rel in files:
        src = os.path.join(folder, rel)
        stem = rel.replace("/", "_").rsplit(".", 1)[0]
        for mode, channels in (("RGB", 3), ("L", 1)):
            img = Image.open(src).convert(mode)
            name = f"{stem}.{mode.lower()}16.bin"
            center_crop(img, 16).tofile(os.path.join(exp, name))
            cases["crops"].append({"file": rel, "channels": channels, "size": 16, "expected": name})
        decoded = np.array(Image.open(src).convert("RGB"))
        name = f"{stem}.rgb.bin"
        decoded.tofile(os.path.join(exp, name))
        cases["decodes"].append({"file": rel, "width": decoded.shape[1], "height": decoded.shape[0], "expected": name})

    resize_dir = os.path.join(HERE, "resize")
    sources = {"src_90x64.png": picture(90, 64, 3), "src_50x37.png": picture(50, 37, 3), "src_13x11.png": picture(13, 11, 3),
               "src_gray_41x29.png": picture(41, 29, 1)}
    for name, a in sources.items():
        save(a, os.path.join(resize_dir, name))
    for src, w, h, flt in (("src_90x64.png", 45, 32, "BOX"), ("src_50x37.png", 25, 18, "BOX"),
                           ("src_50x37.png", 22, 16, "BICUBIC"), ("src_90x64.png", 23, 16, "BICUBIC"),
                           ("src_13x11.png", 19, 16, "BICUBIC"), ("src_50x37.png", 30, 20, "BILINEAR"),
                           ("src_gray_41x29.png", 20, 14, "BOX"), ("src_gray_41x29.png", 17, 12, "BICUBIC")):
        img = Image.open(os.path.join(resize_dir, src))
        out = np.array(img.resize((w, h), resample=getattr(Image, flt)))
        name = f"{src[:-4]}_{flt.lower()}_{w}x{h}.bin"
        out.tofile(os.path.join(exp, name))
        cases["resizes"].append({"file": src, "width": w, "height": h, "filter": flt,
                                 "channels": 1 if out.ndim == 2 else 3, "expected": name})
    with open(os.path.join(exp, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


if __name__ == "__main__":
    make_idx()
    make_images()
    print("fixtures written to", HERE)
