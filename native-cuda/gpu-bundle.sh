#!/usr/bin/env bash
# Prepares what the GPU check carries to a GPU machine that may have no JDK and no Maven:
#   bsth/cli/target/bsth-cli-*-all.jar   the CLI fat jar (JCuda and its natives inside, ~13 MB)
#   native-cuda/target/gpu-runtime/      a jlink'd Java runtime (~45 MB)
# Run it here (where JDK 25 and Maven are), then carry both paths and run native-cuda/gpu-check.sh there.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
. "$root/bin/jdk25.sh"
"$root/bin/mvn25" -B -q -pl bsth/cli -am package -DskipTests
rm -rf "$here/target/gpu-runtime"
# java.base: everything; java.logging: JCuda's LibUtils; java.management and jdk.unsupported: the
# libraries' optional uses; jdk.incubator.vector: our SIMD kernels.
"$JAVA25/bin/jlink" --add-modules java.base,java.logging,java.management,jdk.unsupported,jdk.incubator.vector \
  --strip-debug --no-man-pages --no-header-files --compress=zip-6 --output "$here/target/gpu-runtime"
jar=$(ls "$root"/bsth/cli/target/bsth-cli-*-all.jar)
echo "jar:     ${jar#$root/} ($(du -sh "$jar" | cut -f1))"
echo "runtime: native-cuda/target/gpu-runtime ($(du -sh "$here/target/gpu-runtime" | cut -f1))"
echo "carry:   [\"${jar#$root/}\", \"native-cuda/target/gpu-runtime\"]   then run: native-cuda/gpu-check.sh"
