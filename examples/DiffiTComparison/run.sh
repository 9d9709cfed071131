#!/usr/bin/env bash
# DiT vs DiffiT on Fashion-MNIST at equal training compute, from the repository root:
#   examples/DiffiTComparison/run.sh [RUNS=runs/cmp] [OUT=examples/DiffiTComparison]
# PER_CLASS (default 50, what the committed results used: 500 samples per cell) samples per class in each evaluation.
# Trains the three models one after another on one thread each (fp32, batch 64, lr 5e-4, EMA 0.99, seed 0), exports
# each EMA to ONNX, samples and scores them (eval), and writes results.md and loss-curves.png (report).
# PARALLEL=1 trains the three at once (what the committed results did, to fit the machine's time); the compute per
# run is the same either way. Budget: DiT's 300 steps × 64 images × 3 × 0.1375 Gflops = 7.92 T multiply-
# accumulates; the other two get the steps that spend the same (latent DiffiT 0.1368 Gflops: 302 steps; image DiffiT
# 0.1498 Gflops: 275 steps); `DiffiTComparison report` prints the compute each run actually spent.
set -euo pipefail
RUNS=${1:-runs/cmp}
OUT=${2:-examples/DiffiTComparison}
PER_CLASS=${PER_CLASS:-50}
dotnet build src/DitML.Cli -c Release -v q -nologo
dotnet build examples/DiffiTComparison -c Release -v q -nologo
DITML=src/DitML.Cli/bin/Release/net10.0/DitML.Cli
CMP="dotnet examples/DiffiTComparison/bin/Release/net10.0/DiffiTComparison.dll"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
COMMON=(--data fashion-mnist --batch 64 --lr 5e-4 --ema 0.99 --seed 0 --precision fp32 --log-every 10 --checkpoint-every 100)
train() {   # name, then the model's own options
  local name=$1; shift
  if [ -f "$RUNS/$name/ema.safetensors" ] && [ -f "$RUNS/$name/log.jsonl" ]; then
    nice -n 5 $DITML train "${COMMON[@]}" "$@" --out "$RUNS/$name" --resume     # finishes an interrupted run; no-op when done
  else
    nice -n 5 $DITML train "${COMMON[@]}" "$@" --out "$RUNS/$name"
  fi
}
mkdir -p "$RUNS"
DIT=(--family dit --depth 6 --hidden-size 192 --heads 3 --patch 4 --steps 300)
LATENT=(--family diffit --depth 6 --hidden-size 192 --heads 3 --patch 4 --steps 302)
IMAGE=(--model DiffiT-CIFAR10 --window 7 --stage-channels 32,64,128 --blocks 1,1,1 --head-dim 32 --groups 8 --time-width 128 --steps 275)
if [ "${PARALLEL:-0}" = 1 ]; then
  train dit "${DIT[@]}" > "$RUNS/dit.log" 2>&1 &
  train diffit-latent "${LATENT[@]}" > "$RUNS/diffit-latent.log" 2>&1 &
  train diffit-image "${IMAGE[@]}" > "$RUNS/diffit-image.log" 2>&1 &
  wait
else
  train dit "${DIT[@]}"
  train diffit-latent "${LATENT[@]}"
  train diffit-image "${IMAGE[@]}"
fi
for name in dit diffit-latent diffit-image; do
  $DITML export-onnx --checkpoint "$RUNS/$name/ema.safetensors" --out "$RUNS/$name.onnx"
  $CMP eval --name $name --model "$RUNS/$name.onnx" --out "$OUT" --per-class "$PER_CLASS" --guidance 1,3
  cp "$RUNS/$name/loss.png" "$OUT/$name-loss.png"
done
$CMP report --runs "$RUNS" --out "$OUT" --per-class "$PER_CLASS"
