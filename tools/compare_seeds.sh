#!/usr/bin/env bash
# Multi-seed comparison of bsth (Java) against tools/bsth_reference.py (PyTorch) on one data set:
# mAP@All per implementation, bit length and seed, as a markdown table on stdout.
#
#   tools/compare_seeds.sh DATA_SPEC "16 32 64" "1 2 3" [extra train flags, e.g. --epochs 20 --epochs-pre 100 --batch 256]
#
# DATA_SPEC is anything --data takes; it is exported once as nine .npy files for the PyTorch side.
# Both sides get the same flags (epochs, batch, threads); runs are niced. Reports land in $OUT (default /tmp/bsth-compare).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data=$1; bits=$2; seeds=$3; shift 3
extra=("$@")
out=${OUT:-/tmp/bsth-compare}
mkdir -p "$out"
"$root/bin/bsth" export-data --data "$data" --out "$out/data" >/dev/null
echo "| bits | seed | bsth (Java) | PyTorch reference | difference |"
echo "| ---: | ---: | ---: | ---: | ---: |"
for k in $bits; do
  for s in $seeds; do
    nice -n 10 "$root/bin/bsth" train --data "$out/data" --nbit "$k" --seed "$s" --threads 1 "${extra[@]}" \
      --report "$out/java_${k}_${s}.json" >/dev/null 2>&1
    nice -n 10 /usr/bin/python3 "$root/tools/bsth_reference.py" --data "$out/data" --nbit "$k" --seed "$s" --threads 1 \
      "${extra[@]}" --report "$out/torch_${k}_${s}.json" >/dev/null 2>&1
    /usr/bin/python3 - "$out/java_${k}_${s}.json" "$out/torch_${k}_${s}.json" "$k" "$s" <<'PY'
import json, sys
j, t = (json.load(open(p))["map_all"] for p in sys.argv[1:3])
print(f"| {sys.argv[3]} | {sys.argv[4]} | {j:.4f} | {t:.4f} | {j - t:+.4f} |")
PY
  done
done
