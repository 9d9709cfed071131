"""Writes class-names.txt into model.onnx's metadata (key ditml.class_names, a JSON array), as
`ditml export-onnx --class-names class-names.txt` writes it. Run with Debian's python3-onnx:
/usr/bin/python3 examples/models/fashion-mnist/add_class_names.py"""
import json
import os

import onnx

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "model.onnx")
names = [line.strip() for line in open(os.path.join(here, "class-names.txt"), encoding="utf-8") if line.strip()]
model = onnx.load(path)
assert len(names) == int(next(p.value for p in model.metadata_props if p.key == "ditml.num_classes"))
kept = [p for p in model.metadata_props if p.key != "ditml.class_names"]
del model.metadata_props[:]
model.metadata_props.extend(kept)
entry = model.metadata_props.add()
entry.key, entry.value = "ditml.class_names", json.dumps(names)
onnx.save(model, path)
print(f"{path}: ditml.class_names = {entry.value}")
