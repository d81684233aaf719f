#!/usr/bin/env bash
# One encoder layer (d 128, 1 head, ff 128, GELU, dropout 0.5, train mode) forward + backward at
# batch 1024, sequence = nbit: ours (JMH AttentionBenchmark) next to PyTorch 1.13 CPU, same threads,
# alternating peer and ours per nbit so both sample the same machine load.
# Usage: tools/bench_attention.sh [THREADS=2] [NBITS="16 32 64 128"]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}; nbits=${2:-16 32 64 128}
source bin/jdk25.sh
jar=bench/target/benchmarks.jar
[ -f "$jar" ] || bin/mvn25 -B -q -DskipTests -pl bench -am package
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Debian's OpenBLAS 0.3.21 takes this EPYC for an older core unless told; the peer runs the AVX-512 kernel
# (PEER_CORETYPE chooses another), and the core it reports is printed.
export OPENBLAS_CORETYPE=${PEER_CORETYPE:-COOPERLAKE}
echo "PyTorch's OpenBLAS core: $(/usr/bin/python3 tools/openblas_core.py)"
for nb in $nbits; do
  /usr/bin/python3 tools/attention_peer.py "$nb" 1024 "$threads" 5 >>"$tmp/peer.txt"
  # -Djmh.ignoreLock: on our shared machine other JMH runs hold the lock for long stretches
  "$JAVA25/bin/java" -Djmh.ignoreLock=true -jar "$jar" 'io.bsth.bench.AttentionBenchmark' -p nbit="$nb" -p threads="$threads" \
    -f 1 -wi 3 -w 1s -i 5 -r 1s -rf json -rff "$tmp/ours$nb.json" >"$tmp/jmh.log" 2>&1 \
    || { tail -20 "$tmp/jmh.log"; exit 1; }
done
/usr/bin/python3 - "$tmp" "$threads" <<'PY'
import json, statistics, sys
tmp, threads = sys.argv[1], sys.argv[2]
print(f"encoder layer fwd+bwd, batch 1024, width 128, 1 head, {threads} threads (ms per call; median, best)")
print("| nbit | ours median | ours best | PyTorch median | PyTorch best | PyTorch / ours (median) |")
print("| --- | --- | --- | --- | --- | --- |")
for line in open(tmp + "/peer.txt"):
    nb, *t = line.split()
    peer = [float(v) for v in t]
    raw = [v for it in json.load(open(f"{tmp}/ours{nb}.json"))[0]["primaryMetric"]["rawData"] for v in it]
    mo, mp = statistics.median(raw), statistics.median(peer)
    print(f"| {nb} | {mo:.1f} | {min(raw):.1f} | {mp:.1f} | {min(peer):.1f} | {mp / mo:.2f} |")
PY
