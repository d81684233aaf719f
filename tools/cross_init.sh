#!/usr/bin/env bash
# Java training from PyTorch's random draws (docs/EVALUATION.md, "Which random part"): per seed, stage 1
# in Java with a checkpoint, then tools/swap_init.py puts the reference's stage-2 initial weights
# (init), its target codes (codes) or both into the checkpoint, then `bin/bsth train --resume` trains
# the stage-2 epochs with Java's batch order and dropout masks; prints mAP@All per seed.
#
#   tools/cross_init.sh DATA_FOLDER NBIT MODE "SEEDS" EPOCHS [other train flags, e.g. --epochs-pre 100 --batch 1024]
#
# swap_init.py replays the reference with its defaults (100 stage-1 epochs), so give --epochs-pre 100.
# DATA_FOLDER holds the nine .npy arrays (bin/bsth export-data); runs land in ${OUT:-/tmp/bsth-cross}.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data=$1; nbit=$2; mode=$3; seeds=$4; epochs=$5; shift 5
out=${OUT:-/tmp/bsth-cross}
for s in $seeds; do
  d="$out/$mode/$nbit/s$s"; rm -rf "$d"; mkdir -p "$d"
  "$root/bin/bsth" train --data "$data" --nbit "$nbit" --seed "$s" "$@" --epochs 0 --checkpoint "$d" \
    --report "$d/stage1.json" >"$d/stage1.log" 2>&1
  /usr/bin/python3 "$root/tools/swap_init.py" "$data" "$nbit" "$s" "$d/checkpoint.safetensors" "$mode" >"$d/swap.log"
  "$root/bin/bsth" train --data "$data" --nbit "$nbit" --seed "$s" "$@" --checkpoint "$d" --resume \
    --epochs "$epochs" --report "$d/java.json" >"$d/train.log" 2>&1
  /usr/bin/python3 -c "import json,sys; print('$mode seed $s: mAP@All %.4f' % json.load(open(sys.argv[1]))['map_all'])" "$d/java.json"
done
