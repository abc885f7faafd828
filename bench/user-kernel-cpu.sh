#!/usr/bin/env bash
# The user and the kernel CPU time one end-to-end server spends per request over a wrk run
# (docs/benchmarks.md, "Transports: where the CPU goes"). The server is pinned to CPU 1, wrk to CPU 0.
#
#   bench/user-kernel-cpu.sh IMPL WORKLOAD DEPTH CONNS SECONDS
#   bench/user-kernel-cpu.sh gnetj-epoll stripped 16 256 10
#
# IMPL: gnetj, gnetj-epoll, netty-nio, netty-epoll; WORKLOAD: stripped, http, ... (ServerMain's);
# DEPTH: requests per write. Needs gnetj-bench/target/gnetj-bench.jar (bench/e2e.sh builds it),
# wrk, taskset, and a JDK 22+ (JAVA_HOME, else the newest under /usr/lib/jvm).
set -euo pipefail
cd "$(dirname "$0")/.."
impl=$1; workload=$2; depth=$3; conns=$4; secs=$5
java_home=${JAVA_HOME:-$(ls -d /usr/lib/jvm/*/ | tail -1)}
jar=gnetj-bench/target/gnetj-bench.jar
work=$(mktemp -d)
trap 'kill "${server:-}" "${keep:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
unzip -p "$jar" io/gnetj/bench/e2e/pipeline.lua > "$work/pipeline.lua"
port=$((20000 + RANDOM % 20000))
mkfifo "$work/in"
( sleep 3600 > "$work/in" ) & keep=$!
taskset -c 1 "$java_home/bin/java" -Xms256m -Xmx256m -XX:+UseSerialGC -XX:MaxDirectMemorySize=256m \
    -XX:AutoBoxCacheMax=65536 -Dio.gnetj.leakDetection=disabled -Dio.netty.leakDetection.level=disabled \
    --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -cp "$jar" io.gnetj.bench.e2e.ServerMain "$impl" "$workload" --port "$port" --loops 1 < "$work/in" > "$work/out" 2>&1 &
server=$!
for _ in $(seq 1 100); do grep -q READY "$work/out" && break; sleep 0.1; done
grep -q READY "$work/out" || { cat "$work/out"; exit 1; }
load() { taskset -c 0 wrk -t1 -c"$conns" -d"$1"s -s "$work/pipeline.lua" "http://127.0.0.1:$port/plaintext" -- "$depth"; }
load 8 > /dev/null # warm-up
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$server/stat")
out=$(load "$secs")
read -r u2 s2 < <(awk '{print $14, $15}' "/proc/$server/stat")
requests=$(echo "$out" | awk '/requests in/ {print $1}')
python3 -c "
u=($u2-$u1)/100; s=($s2-$s1)/100; r=$requests
print(f'$impl $workload depth=$depth: {r/$secs:,.0f} req/s, user {u*1e6/r:.3f} us/req, kernel {s*1e6/r:.3f} us/req, total {(u+s)*1e6/r:.3f}')"
