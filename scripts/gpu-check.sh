#!/usr/bin/env bash
# GPU check: on a machine with an NVIDIA GPU (driver, CUDA 13 runtime + cuBLAS, cuDNN 9 on the library path — what ONNX
# Runtime 1.31.0's CUDA provider links), builds DitML's GPU variant, runs the QuickStart on the GPU, checks that the
# shipped model's GPU pixels equal its CPU pixels within 1e-3, and prints images/s of DiT-S/4 and DiT-XL/2 (random
# weights, latent 32) on CPU vs GPU as ratios taken in one run. Needs the .NET 10 SDK and the package registry.
#
#   scripts/gpu-check.sh [--models DiT-S/4,DiT-XL/2] [--batch 16] [--steps 10] [--device cuda:0]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L; then
  echo "gpu-check: no NVIDIA GPU here (nvidia-smi finds none); nothing to check" >&2
  exit 3
fi
device=cuda:0
for ((i = 1; i <= $#; i++)); do [ "${!i}" = "--device" ] && { j=$((i + 1)); device=${!j}; }; done

# The GPU variant: ONNX Runtime with its CUDA provider (Microsoft.ML.OnnxRuntime.Gpu.Linux 1.31.0), built into bin/cuda
# beside the CPU build. TorchSharp stays on its CPU package (TorchSharp-cuda is not needed to sample).
dotnet build examples/QuickStart -c Release -p:DitMLDevice=cuda -v q -nologo
dotnet build tests/DitML.Benchmarks -c Release -p:DitMLDevice=cuda -v q -nologo

echo "== QuickStart on $device"
dotnet examples/QuickStart/bin/cuda/Release/net10.0/QuickStart.dll --device "$device" --out gpu-check-quickstart.png

echo "== CPU vs $device: the shipped model's pixels, then sampling speed"
dotnet tests/DitML.Benchmarks/bin/cuda/Release/net10.0/DitML.Benchmarks.dll device --shipped examples/models/fashion-mnist "$@"
