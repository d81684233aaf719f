#!/usr/bin/env bash
# The GPU check, one go, about 8 minutes at most; builds nothing. Needs an NVIDIA driver (libcuda.so.1),
# the CLI fat jar and a Java 25 runtime (prepare both with native-cuda/gpu-bundle.sh on a machine with
# a JDK and carry them; or set BSTH_JAVA to a java 25+ binary). Writes its log to ${OUT:-gpu-check-out}/.
#
#   native-cuda/gpu-check.sh [DB_CODES [QUERIES [CPU_THREADS]]]     (defaults 1000000 1000 2)
#
# Steps (each with its own time limit):
#   1. nvidia-smi: which GPU and driver;
#   2. io.bsth.cli.GpuCheck: every CUDA kernel against the CPU backend; bsth search --device cuda
#      against --device cpu (same bytes); Hamming top-k of QUERIES x DB_CODES 64-bit codes, CUDA
#      against the CPU search on CPU_THREADS threads (same results, both timed in the same run);
#      a 2048^3 sgemm, CUDA against the CPU kernel;
#   3. bsth train --device cuda: reports what the CLI does on a GPU today (refuses: see docs/GPU.md);
#   4. tools/gpu_peer.py, when python3 with a CUDA torch is there: cuBLAS sgemm and a torch Hamming
#      top-k on the same GPU and shapes (timing peers).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
out=${OUT:-$root/gpu-check-out}
mkdir -p "$out"
log=$out/gpu-check.log
: > "$log"
say() { echo "$@" | tee -a "$log"; }

java=${BSTH_JAVA:-}
if [[ -z $java && -x $here/target/gpu-runtime/bin/java ]]; then java=$here/target/gpu-runtime/bin/java; fi
if [[ -z $java ]] && command -v java >/dev/null; then java=$(command -v java); fi
[[ -n $java ]] || { say "gpu-check: no Java runtime (run native-cuda/gpu-bundle.sh where a JDK is and carry native-cuda/target/gpu-runtime)"; exit 2; }
jar=$(ls "$root"/bsth/cli/target/bsth-cli-*-all.jar 2>/dev/null | head -n1)
[[ -n $jar ]] || { say "gpu-check: no bsth/cli/target/bsth-cli-*-all.jar (run native-cuda/gpu-bundle.sh and carry it)"; exit 2; }
jvm=("$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m -Xmx16g)

say "== $(date -u +%FT%TZ) gpu-check on $(hostname), java $("$java" -version 2>&1 | head -n1)"
say "== 1. nvidia-smi"
timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 | tee -a "$log"

say "== 2. kernels, CLI search, search and sgemm timings"
start=$(date +%s)
timeout 300 "${jvm[@]}" -cp "$jar" io.bsth.cli.GpuCheck "${1:-1000000}" "${2:-1000}" "${3:-2}" 2>&1 | tee -a "$log"
status=${PIPESTATUS[0]}
say "GpuCheck exit status $status after $(( $(date +%s) - start )) s (0 all agree, 1 a comparison differs, 3 no GPU, 124 time limit)"

say "== 3. bsth train --device cuda (expected today: one line refusing, because training is CPU-only)"
timeout 30 "${jvm[@]}" -jar "$jar" train --device cuda --nbit 16 --epochs 1 --epochs-pre 1 2>&1 | tee -a "$log"
say "== 4. PyTorch peers on the same GPU"
if timeout 30 python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  timeout 90 python3 "$root/tools/gpu_peer.py" "${1:-1000000}" "${2:-1000}" 100 2>&1 | tee -a "$log"
else
  say "no python3 with a CUDA build of torch: peers skipped"
fi
say "== done; log: $log"
exit "$status"
