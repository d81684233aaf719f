#!/usr/bin/env bash
# Load benchmark of `bsth serve` (loopback only, bounded): a 1M-code 64-bit index, /search by code and
# by features at 1, 8 and 64 concurrent clients, the server's RSS, and FAISS's per-query latency on the
# same codes as the peer for search by code.
# usage: bench/serve_load.sh MODEL.safetensors WORKDIR [REQUESTS_PER_LEVEL] [MAX_SECONDS_PER_LEVEL]
# MODEL must be a 64-bit model (e.g. bin/bsth train --data synthetic --nbit 64 ... --save MODEL).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
model=$1; work=$2; reqs=${3:-2000}; secs=${4:-60}
mkdir -p "$work"
bsth="$root/bin/bsth"
. "$root/bin/jdk25.sh"
if [ ! -f "$work/db.bidx" ]; then
  /usr/bin/python3 -c "import numpy as np; np.save('$work/db.npy', np.where(np.random.default_rng(1).random((1000000, 64)) < 0.5, 1, -1).astype(np.int8))"
  "$bsth" index create --nbit 64 --index "$work/db.bidx"
  "$bsth" index add --index "$work/db.bidx" --codes "$work/db.npy"
fi
dims=$(/usr/bin/python3 - "$model" <<'PY'
import json, struct, sys
f = open(sys.argv[1], "rb"); n = struct.unpack("<Q", f.read(8))[0]; h = json.loads(f.read(n))
print(h["imageMLP.mlp.linear1.weight"]["shape"][1], h["textMLP.mlp.linear1.weight"]["shape"][1])
PY
)
read -r idim tdim <<<"$dims"
"$bsth" serve --model "$model" --index "$work/db.bidx" --port 0 --threads 2 > "$work/serve.log" 2>&1 &
spid=$!
jpid=""
trap 'kill -TERM $spid ${jpid} 2>/dev/null || true; wait $spid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do grep -q "listening on" "$work/serve.log" && break; sleep 1; done
url=$(grep -o "http://127.0.0.1:[0-9]*" "$work/serve.log" | head -1)
jpid=$(pgrep -P "$spid" java || pgrep -f "bsth-cli.*serve --model $model" | head -1)
echo "server $url (pid $jpid), $(uname -n), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "RSS after start: $(grep VmRSS /proc/$jpid/status)"
for mode in codes features; do
  for c in 1 8 64; do
    "$JAVA25/bin/java" -cp "$root/bench/target/benchmarks.jar" io.bsth.bench.ServeLoad "$url" $mode $c $reqs $secs 64 $idim $tdim
  done
done
echo "RSS after load: $(grep VmRSS /proc/$jpid/status), peak $(grep VmHWM /proc/$jpid/status)"
rm -f "$work/db.faiss" "$work/db.faiss.ids.npy"
"$bsth" export --index "$work/db.bidx" --format faiss --out "$work/db.faiss" >/dev/null
/usr/bin/python3 "$root/tools/faiss_query_latency.py" "$work/db.faiss" 500 2 10
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
