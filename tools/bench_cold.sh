#!/usr/bin/env bash
# Cold-start comparison of two checkouts' command lines, each run a fresh JVM, alternating with the peers:
#   search:  bin/bsth search (1M x 64-bit codes, 1000 queries, k 100, 2 threads) vs FAISS IndexBinaryFlat
#   metrics: bin/bsth metrics (mAP@All, 2000 x 18015 x 64 bits, 24 classes)       vs numpy sort per query
# Per run it records the command's own phase time (search_seconds / eval_seconds: the first call, JIT
# included) and the whole process's wall and CPU time (user + sys, /usr/bin/time), which a busy machine
# disturbs less than wall time. Each checkout's jar is used as it is (build it first); this checkout's
# class-data archives are written by one untimed run of each command before the timed runs.
# usage: tools/bench_cold.sh OTHER_CHECKOUT [REPS] [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
other=${1:?usage: tools/bench_cold.sh OTHER_CHECKOUT [REPS] [WORKDIR]}
reps=${2:-3}
work=${3:-/tmp/bsth-retrieval-bench}
py=/usr/bin/python3
[ -f "$work/search/db.npy" ] || $py tools/gen_codes.py "$work/search" 1000000 1000 64
[ -f "$work/map/db.npy" ] || $py tools/gen_codes.py "$work/map" 18015 2000 64 24
s=$work/search m=$work/map
search_args=(search --db-codes "$s/db.npy" --queries "$s/q.npy" --k 100 --out "$s/idx.npy" --distances "$s/d.npy" --threads 2)
metrics_args=(metrics --query-codes "$m/q.npy" --db-codes "$m/db.npy" --query-labels "$m/lq.npy" --db-labels "$m/ldb.npy" --threads 2)
log=$work/cold.txt
: > "$log"
bin/bsth "${search_args[@]}" >/dev/null
bin/bsth "${metrics_args[@]}" >/dev/null
run() { # LABEL KEY BSTH ARGS...: one fresh JVM; appends "LABEL phase wall cpu" to the log
  local label=$1 key=$2 bsth=$3; shift 3
  /usr/bin/time -f "%e %U %S" -o "$work/time.txt" "$bsth" "$@" --report "$work/report.json" >/dev/null
  $py - "$label" "$key" "$work/report.json" "$work/time.txt" >> "$log" <<'PY'
import json, sys
label, key, rep, tim = sys.argv[1:]
wall, user, sys_ = map(float, open(tim).read().split()[-3:])
print(label, json.load(open(rep))[key], wall, user + sys_)
PY
}
for r in $(seq "$reps"); do
  run search_other search_seconds "$other/bin/bsth" "${search_args[@]}"
  run search_this search_seconds bin/bsth "${search_args[@]}"
  $py tools/faiss_search.py "$s/db.npy" "$s/q.npy" 100 2 1 "$s/faiss_d.npy" | awk '{print "search_faiss", $3, 0, 0}' >> "$log"
  run metrics_other eval_seconds "$other/bin/bsth" "${metrics_args[@]}"
  run metrics_this eval_seconds bin/bsth "${metrics_args[@]}"
  $py tools/numpy_map.py "$m/q.npy" "$m/db.npy" "$m/lq.npy" "$m/ldb.npy" 1 | awk '{print "metrics_numpy", $5, 0, 0}' >> "$log"
done
$py - "$log" "$other" "$s" <<'PY'
import sys, numpy as np
log, other, s = sys.argv[1:]
rows = {}
for line in open(log):
    label, *v = line.split()
    rows.setdefault(label, []).append([float(x) for x in v])
same = (np.load(f"{s}/d.npy") == np.load(f"{s}/faiss_d.npy")).all()
print(f"other checkout: {other}; distances identical to FAISS: {same}")
for task, peer in (("search", "faiss"), ("metrics", "numpy")):
    p = np.array(rows[f"{task}_{peer}"])[:, 0]
    print(f"{task}: phase s (best / median), process wall s (median), process CPU s (median); {peer} phase s best {p.min():.3f} median {np.median(p):.3f}")
    for who in ("other", "this"):
        a = np.array(rows[f"{task}_{who}"])
        print(f"  {who:5s} phase {a[:, 0].min():.3f} / {np.median(a[:, 0]):.3f}  wall {np.median(a[:, 1]):.2f}  cpu {np.median(a[:, 2]):.2f}"
              f"   {peer} / phase: {p.min() / a[:, 0].min():.1f}x (best) {np.median(p) / np.median(a[:, 0]):.1f}x (median)")
PY
