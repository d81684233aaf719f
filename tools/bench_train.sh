#!/usr/bin/env bash
# Training and encoding side by side: PyTorch 1.13 CPU (tools/bsth_reference.py) and bsth (bin/bsth train)
# on the same exported data folder, at each code length: stage-2 epoch seconds (first epoch, and the median
# of the later ones), encode seconds (database + queries, eval mode) and the peak RSS of the whole run
# (/usr/bin/time -f %M), both with the same thread count, alternating peer and ours per code length so
# both sample the same machine load.
# The peer's OpenBLAS: Debian's 0.3.21 takes newer Xeons/EPYCs for a generic core unless told otherwise,
# so the peer runs with OPENBLAS_CORETYPE=COOPERLAKE (AVX-512; an OPENBLAS_CORETYPE already set in the
# environment is overridden: set PEER_CORETYPE to choose another) and the core it reports is printed.
# usage: tools/bench_train.sh [EPOCHS=3] [NBITS="16 64 128"] [THREADS=2] [SPEC] [WORKDIR]
#   SPEC defaults to the MIR-Flickr shape: synthetic:train=5000,db=18015,query=2000,image=4096,text=1386,classes=24
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-3}
nbits=${2:-16 64 128}
threads=${3:-2}
spec=${4:-synthetic:train=5000,db=18015,query=2000,image=4096,text=1386,classes=24}
work=${5:-/tmp/bsth-train-bench}
py=/usr/bin/python3
export OPENBLAS_CORETYPE=${PEER_CORETYPE:-COOPERLAKE}
mkdir -p "$work"
data=$work/data
[ -f "$data/I_tr.npy" ] || bin/bsth export-data --data "$spec" --out "$data" >/dev/null
core=$($py tools/openblas_core.py)
echo "data $spec in $data; $threads threads; $epochs stage-2 epochs; PyTorch's OpenBLAS core: $core; load $(cut -d' ' -f1-3 /proc/loadavg)"
for nb in $nbits; do
  /usr/bin/time -f %M -o "$work/torch$nb.rss" $py tools/bsth_reference.py --data "$data" --nbit "$nb" --epochs "$epochs" \
    --threads "$threads" --report "$work/torch$nb.json" >/dev/null 2>"$work/torch$nb.log" \
    || { tail -5 "$work/torch$nb.log"; exit 1; }
  /usr/bin/time -f %M -o "$work/bsth$nb.rss" bin/bsth train --data "$data" --nbit "$nb" --epochs "$epochs" \
    --threads "$threads" --report "$work/bsth$nb.json" >/dev/null 2>"$work/bsth$nb.log" \
    || { tail -5 "$work/bsth$nb.log"; exit 1; }
done
$py - "$work" "$nbits" <<'PY'
import json, statistics, sys
work, nbits = sys.argv[1], sys.argv[2].split()
def row(impl, nb):
    r = json.load(open(f"{work}/{impl}{nb}.json"))
    e = r["epoch_seconds"]
    later = statistics.median(e[1:]) if len(e) > 1 else float("nan")
    rss = int(open(f"{work}/{impl}{nb}.rss").read().split()[-1]) / 1024
    return e[0], later, r["encode_seconds"], rss, r["map_all"]
print("| nbit | | first epoch s | later epochs s (median) | encode s | peak RSS MB | mAP@All |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for nb in nbits:
    t, b = row("torch", nb), row("bsth", nb)
    print(f"| {nb} | PyTorch | {t[0]:.2f} | {t[1]:.2f} | {t[2]:.2f} | {t[3]:.0f} | {t[4]:.4f} |")
    print(f"| {nb} | bsth | {b[0]:.2f} | {b[1]:.2f} | {b[2]:.2f} | {b[3]:.0f} | {b[4]:.4f} |")
    print(f"| {nb} | PyTorch / bsth | {t[0]/b[0]:.2f}x | {t[1]/b[1]:.2f}x | {t[2]/b[2]:.2f}x | {t[3]/b[3]:.2f}x | |")
PY
