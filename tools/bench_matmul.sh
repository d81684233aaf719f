#!/usr/bin/env bash
# SGEMM GFLOP/s: ours (JMH MatmulBenchmark) next to OpenBLAS (Debian numpy), same machine, same run.
# Usage: tools/bench_matmul.sh [SHAPE=1024x4096x2048] [THREADS=2] [FORKS=5] [TRANS=NN]
# TRANS (NN, NT, TN, TT): which operands are stored transposed (A (K,M), B (N,K)), on both sides.
# The peer runs OpenBLAS's Cooper Lake (AVX-512) kernel: Debian's OpenBLAS 0.3.21 otherwise picks
# Haswell (AVX2) on this CPU, and so does an OPENBLAS_CORETYPE=Haswell in the environment (the
# script overrides it; PEER_CORETYPE picks another core). The core used is printed.
# BENCH_JVM_ARGS (optional) is appended to our JVM's arguments (e.g. -Dbsth.gemm.kc=256).
# BENCH_JAR (optional) runs another build of the benchmarks jar (e.g. a copy made before a change).
# Each side runs FORKS separate processes (JVM launches are bimodal on our machines); per process we
# take the median GFLOP/s of its measured calls, then print the best and the median over processes.
# The two sides alternate process by process (peer, ours, peer, ours, ...) so that both sample the
# same machine load; on a shared machine compare the best figures, and the pairs.
set -euo pipefail
cd "$(dirname "$0")/.."
shape=${1:-1024x4096x2048}; threads=${2:-2}; forks=${3:-5}; trans=${4:-NN}
export OPENBLAS_CORETYPE=${PEER_CORETYPE:-COOPERLAKE}
source bin/jdk25.sh
jar=${BENCH_JAR:-bench/target/benchmarks.jar}
[ -f "$jar" ] || bin/mvn25 -B -q -DskipTests -pl bench -am package
IFS=x read -r m k n <<<"$shape"
flops=$((2 * m * n * k))
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for ((i = 0; i < forks; i++)); do
  OPENBLAS_NUM_THREADS=$threads /usr/bin/python3 tools/matmul_peer.py "$shape" 10 "$trans" >>"$tmp/peer.txt"
  # JMH allows one run per machine (/tmp/jmh.lock): wait for another run to finish, unless
  # JMH_IGNORE_LOCK=1 (then both runs share the machine; the alternation keeps the comparison fair)
  until "$JAVA25/bin/java" ${JMH_IGNORE_LOCK:+-Djmh.ignoreLock=true} -jar "$jar" 'io.bsth.bench.MatmulBenchmark.sgemm$' -p shape="$shape" -p threads="$threads" \
      -p trans="$trans" ${BENCH_JVM_ARGS:+-jvmArgsAppend "$BENCH_JVM_ARGS"} -f 1 -wi 6 -w 1s -i 5 -r 1s -rf json -rff "$tmp/ours$i.json" >"$tmp/jmh.log" 2>&1; do
    grep -q 'Unable to acquire the JMH lock' "$tmp/jmh.log" || { tail -20 "$tmp/jmh.log"; exit 1; }
    echo "bench_matmul: another JMH run holds /tmp/jmh.lock; waiting" >&2
    sleep 15
  done
done
/usr/bin/python3 - "$tmp" "$flops" "$shape" "$threads" "$trans" <<'PY'
import json, statistics, sys
tmp, flops, shape, threads, trans = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
import glob
ours = [flops / (statistics.median(f) * 1e-3) / 1e9
        for p in sorted(glob.glob(tmp + "/ours*.json"), key=lambda p: int(p[len(tmp) + 5:-5]))
        for f in json.load(open(p))[0]["primaryMetric"]["rawData"]]
core, peer = "", []
for line in open(tmp + "/peer.txt"):
    core, *g = line.split()
    peer.append(statistics.median(float(x) for x in g))
bo, mo, bp, mp = max(ours), statistics.median(ours), max(peer), statistics.median(peer)
print(f"sgemm {shape} (MxKxN) {trans}, {threads} threads, {len(ours)} JVM forks / {len(peer)} python processes")
print(f"  ours (Java Vector API): best {bo:6.1f}  median {mo:6.1f} GFLOP/s   per fork: " + " ".join(f"{x:.0f}" for x in ours))
print(f"  OpenBLAS ({core}):  best {bp:6.1f}  median {mp:6.1f} GFLOP/s   per process: " + " ".join(f"{x:.0f}" for x in peer))
print(f"  ratio ours/OpenBLAS: best {bo / bp:.2f}  median {mo / mp:.2f}   pairs (peer then ours): "
      + " ".join(f"{o / p:.2f}" for o, p in zip(ours, peer)))
PY
