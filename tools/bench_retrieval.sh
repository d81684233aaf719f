#!/usr/bin/env bash
# Side-by-side peer measurements for the retrieval engine (README "## Retrieval").
#   search:  bsth search   vs FAISS IndexBinaryFlat   (1M x 64-bit codes, 1000 queries, k 100, 2 threads)
#   metrics: bsth metrics  vs numpy sort-per-query mAP (2000 x 18015 x 64 bits, 24 classes)
# Runs ours and the peer alternately REPS times each (the machine is shared: interleaving spreads the noise
# over both), checks that the distances / mAP agree, prints best and median of the phase timings.
# usage: tools/bench_retrieval.sh [REPS] [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
work=${2:-/tmp/bsth-retrieval-bench}
py=/usr/bin/python3
[ -f "$work/search/db.npy" ] || $py tools/gen_codes.py "$work/search" 1000000 1000 64
[ -f "$work/map/db.npy" ] || $py tools/gen_codes.py "$work/map" 18015 2000 64 24
ls bsth/cli/target/bsth-cli-*-all.jar >/dev/null 2>&1 || bin/mvn25 -B -q -DskipTests -pl bsth/cli -am package
s=$work/search m=$work/map
: > "$work/ours_search.txt"; : > "$work/faiss_search.txt"; : > "$work/ours_map.txt"; : > "$work/numpy_map.txt"
for r in $(seq "$reps"); do
  bin/bsth search --db-codes "$s/db.npy" --queries "$s/q.npy" --k 100 --out "$s/idx.npy" --distances "$s/d.npy" \
    --threads 2 --report "$s/report.json" >/dev/null
  $py -c "import json,sys; print(json.load(open(sys.argv[1]))['search_seconds'])" "$s/report.json" >> "$work/ours_search.txt"
  $py tools/faiss_search.py "$s/db.npy" "$s/q.npy" 100 2 1 "$s/faiss_d.npy" | awk '{print $3}' >> "$work/faiss_search.txt"
  bin/bsth metrics --query-codes "$m/q.npy" --db-codes "$m/db.npy" --query-labels "$m/lq.npy" --db-labels "$m/ldb.npy" \
    --threads 2 --report "$m/report.json" >/dev/null
  $py -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['eval_seconds'], r['map_all'])" "$m/report.json" >> "$work/ours_map.txt"
  $py tools/numpy_map.py "$m/q.npy" "$m/db.npy" "$m/lq.npy" "$m/ldb.npy" 1 | awk '{print $5, $3}' >> "$work/numpy_map.txt"
done
$py - "$work" <<'PY'
import sys, numpy as np
w = sys.argv[1]
col = lambda f, i=0: np.array([float(l.split()[i]) for l in open(f"{w}/{f}") if l.strip()])
same = (np.load(f"{w}/search/d.npy") == np.load(f"{w}/search/faiss_d.npy")).all()
os_, fs = col("ours_search.txt"), col("faiss_search.txt")
om, nm = col("ours_map.txt"), col("numpy_map.txt")
print(f"search 1M x 64 bits, 1000 queries, k 100, 2 threads ({len(os_)} runs each); distances identical to FAISS: {same}")
print(f"  bsth  best {os_.min():.3f} s  median {np.median(os_):.3f} s")
print(f"  FAISS best {fs.min():.3f} s  median {np.median(fs):.3f} s   -> {fs.min()/os_.min():.1f}x (best) {np.median(fs)/np.median(os_):.1f}x (median)")
print(f"mAP@All 2000 x 18015 x 64 bits, 2 threads; bsth {col('ours_map.txt', 1)[0]:.6f} numpy {col('numpy_map.txt', 1)[0]:.6f}")
print(f"  bsth  best {om.min()*1000:.1f} ms  median {np.median(om)*1000:.1f} ms")
print(f"  numpy best {nm.min()*1000:.1f} ms  median {np.median(nm)*1000:.1f} ms   -> {nm.min()/om.min():.0f}x (best) {np.median(nm)/np.median(om):.0f}x (median)")
PY
