#!/usr/bin/env bash
# The end-to-end comparison of gnetj with Netty (see docs/benchmarks.md, "End-to-end servers").
#
#   bench/e2e.sh --smoke                 every server starts and answers; ~30 s; report in gnetj-bench/target/e2e
#   bench/e2e.sh                         the full run: JDK 17 and the newest JDK, 3 rounds per case
#   bench/e2e.sh --docs docs/benchmarks.md   ... and write the tables and chart into the docs
#
# Every other flag goes to io.gnetj.bench.e2e.Runner (its javadoc lists them: --jdk, --rounds,
# --warmup, --measure, --cases, --idle-conns, --jfr, ...). Needs Linux, wrk (apt-get install -y
# wrk) and taskset; builds gnetj-bench first unless E2E_NO_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
  echo "e2e: wrk is not installed (apt-get install -y wrk); the HTTP cases will be skipped" >&2
fi

# 10,000 idle connections need 10,000 descriptors in the server and as many in the load generator.
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt 12000 ]; then
  echo "e2e: the hard limit on open files is $hard; the 10,000-connection case needs ~12,000" >&2
fi
ulimit -n "$hard" 2>/dev/null || true

if [ "${E2E_NO_BUILD:-0}" != 1 ]; then
  # gnetj's epoll transport (the gnetj-epoll servers) compiles with a JDK 22+ javac: the newest
  # under /usr/lib/jvm, if Maven's own JDK is older.
  jdk22=()
  for j in /usr/lib/jvm/*/; do
    v=$("$j/bin/java" -version 2>&1 | head -1 | sed -E 's/.*version "([0-9]+).*/\1/')
    if [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge 22 ]; then jdk22=(-Dgnetj.jdk22="${j%/}"); fi
  done
  mvn -B -q -pl gnetj-bench -am package -DskipTests "${jdk22[@]}"
fi

# The runner itself shares the load generator's core, so the server's core stays its own.
pin=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
  pin=(taskset -c 0)
fi
export E2E_COMMAND="bench/e2e.sh $*"
exec "${pin[@]}" java -Xmx512m -cp gnetj-bench/target/gnetj-bench.jar io.gnetj.bench.e2e.Runner "$@"
