// Tests share one libtorch; run them one at a time (libtorch already uses both cores).
[assembly: DoNotParallelize]
