#!/bin/bash
# Not part of `make bench`: how the handout's C comparison was measured, for whoever has the C yardsticks
# (echoload.c, a closed-loop load generator, and cepoll_echo.c, a bare epoll echo server).
#
#   Labs/04-multiplexed-echo/compare-with-c.sh DIR CONNS MSGS SIZE RUNS [c swift spin python blocking]
#
# Builds both C programs from DIR, then runs the servers one after the other, RUNS times, each on a fresh process,
# with echoload as the client; prints echoload's line and the server's CPU time. Run `make bench` first (it builds
# the release servers).
set -u
DIR=$1; CONNS=$2; MSGS=$3; SIZE=$4; RUNS=$5; shift 5
SERVERS=${*:-c swift}
BIN=$(swift build -c release --scratch-path .build-release --show-bin-path)
TOOLS=$(mktemp -d)
trap 'rm -rf "$TOOLS"' EXIT
cc -O2 -o "$TOOLS/echoload" "$DIR/echoload.c" && cc -O2 -o "$TOOLS/cepoll_echo" "$DIR/cepoll_echo.c" || exit 1
ulimit -n "$(ulimit -Hn)"

start() {  # starts server $1; sets PID and PORT
    rm -f "$TOOLS/out"
    case $1 in
        c) PORT=$((20000 + RANDOM % 20000)); "$TOOLS/cepoll_echo" $PORT & PID=$!; sleep 0.2; return ;;
        swift) "$BIN/lab4-mux-server-solution" --quiet --port 0 > "$TOOLS/out" & PID=$! ;;
        spin) "$BIN/lab4-mux-server-solution" --quiet --always-writable --port 0 > "$TOOLS/out" & PID=$! ;;
        python) python3 Labs/04-multiplexed-echo/lecture_selectors_echo.py 0 > "$TOOLS/out" & PID=$! ;;
        blocking) "$BIN/lab3-echo-server-solution" --port 0 > "$TOOLS/out" & PID=$! ;;
    esac
    for _ in $(seq 50); do grep -q "listening on" "$TOOLS/out" 2>/dev/null && break; sleep 0.1; done
    PORT=$(grep -m1 "listening on" "$TOOLS/out" | sed 's/.*://')
}

for _ in $(seq "$RUNS"); do
    for server in $SERVERS; do
        start "$server"
        before=$(awk '{print $14 + $15}' "/proc/$PID/stat")
        line=$(timeout 40 "$TOOLS/echoload" 127.0.0.1 "$PORT" "$CONNS" "$MSGS" "$SIZE" || true)
        after=$(awk '{print $14 + $15}' "/proc/$PID/stat")
        echo "$server ${line:-did not finish in 40 s} server_cpu_ticks=$((after - before))"
        kill "$PID"; wait "$PID" 2>/dev/null
    done
done
