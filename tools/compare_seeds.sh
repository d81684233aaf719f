#!/usr/bin/env bash
# Multi-seed comparison of bsth (Java) against tools/bsth_reference.py (PyTorch) on one data set:
# mAP@All per implementation, bit length and seed as a markdown table on stdout, then the mean and the
# sample standard deviation over the seeds per implementation and bit length.
#
#   tools/compare_seeds.sh DATA_SPEC "16 32 64" "1 2 3" [extra train flags, e.g. --epochs 10 --epochs-pre 100 --batch 1024]
#
# DATA_SPEC is anything --data takes; it is exported once as nine .npy files for the PyTorch side.
# Both sides get the same flags (epochs, batch) and one thread each; the Java and the PyTorch run of a
# seed run side by side at nice 19 (these are accuracy runs, not timings). Reports land in $OUT
# (default /tmp/bsth-compare); a report already there is reused, so an interrupted comparison resumes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data=$1; bits=$2; seeds=$3; shift 3
extra=("$@")
out=${OUT:-/tmp/bsth-compare}
mkdir -p "$out"
[ -f "$out/data/L_te.npy" ] || "$root/bin/bsth" export-data --data "$data" --out "$out/data" >/dev/null
echo "| bits | seed | bsth (Java) | PyTorch reference | difference |"
echo "| ---: | ---: | ---: | ---: | ---: |"
for k in $bits; do
  for s in $seeds; do
    j="$out/java_${k}_${s}.json"; t="$out/torch_${k}_${s}.json"
    pids=()
    if [ ! -f "$j" ]; then
      nice -n 19 "$root/bin/bsth" train --data "$out/data" --nbit "$k" --seed "$s" --threads 1 "${extra[@]}" \
        --report "$j" >"$out/java_${k}_${s}.log" 2>&1 &
      pids+=($!)
    fi
    if [ ! -f "$t" ]; then
      nice -n 19 /usr/bin/python3 "$root/tools/bsth_reference.py" --data "$out/data" --nbit "$k" --seed "$s" --threads 1 \
        "${extra[@]}" --report "$t" >"$out/torch_${k}_${s}.log" 2>&1 &
      pids+=($!)
    fi
    for p in "${pids[@]}"; do
      wait "$p" || { echo "compare_seeds: a run failed (bits $k, seed $s), see $out/*_${k}_${s}.log" >&2; exit 1; }
    done
    /usr/bin/python3 - "$j" "$t" "$k" "$s" <<'PY'
import json, sys
j, t = (json.load(open(p))["map_all"] for p in sys.argv[1:3])
print(f"| {sys.argv[3]} | {sys.argv[4]} | {j:.4f} | {t:.4f} | {j - t:+.4f} |")
PY
  done
done
echo
echo "| bits | seeds | bsth (Java) mean ± sd | PyTorch reference mean ± sd | difference of means |"
echo "| ---: | ---: | ---: | ---: | ---: |"
for k in $bits; do
  /usr/bin/python3 - "$out" "$k" $seeds <<'PY'
import json, statistics, sys
out, k, seeds = sys.argv[1], sys.argv[2], sys.argv[3:]
def runs(impl):
    return [json.load(open(f"{out}/{impl}_{k}_{s}.json"))["map_all"] for s in seeds]
def fmt(v):
    return f"{statistics.mean(v):.4f} ± {statistics.stdev(v):.4f}" if len(v) > 1 else f"{v[0]:.4f}"
j, t = runs("java"), runs("torch")
print(f"| {k} | {len(seeds)} | {fmt(j)} | {fmt(t)} | {statistics.mean(j) - statistics.mean(t):+.4f} |")
PY
done
