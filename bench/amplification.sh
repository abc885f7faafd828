#!/usr/bin/env bash
# Memory amplification: how much resident memory an example server spends on connections that
# each hold an unfinished frame of a few bytes (see docs/reliability.md and the javadoc of
# io.gnetj.bench.mem.AmplificationProbe).
#
#   bench/amplification.sh                                  every case, 4,000 connections, this JDK
#   bench/amplification.sh --conns 4000,10000 --append docs/amplification-before.md
#   bench/amplification.sh --cases http --java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java
#   bench/amplification.sh --cases redis --nmt              ... and where the memory went (NMT)
#
# Every flag goes to the probe: --cases, --conns, --held, --java, --jvm-flags, --loops, --warmup,
# --settle-ms, --no-gc, --nmt, --histogram, --append, --out. Needs Linux (/proc). Builds
# gnetj-bench (and the examples jar) first unless AMP_NO_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."

# The probe holds one socket per connection and so does the server (a child, inheriting this
# limit): each needs N descriptors and some. Raise the soft limit as far as the hard one allows;
# the probe says what to do if that is still too low.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

if [ "${AMP_NO_BUILD:-0}" != 1 ]; then
  mvn -B -q -pl gnetj-bench -am package -DskipTests
fi

export AMP_COMMAND="bench/amplification.sh $*"
exec java -Xmx1g -cp gnetj-bench/target/gnetj-bench.jar io.gnetj.bench.mem.AmplificationProbe "$@"
