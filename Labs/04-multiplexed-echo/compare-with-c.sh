#!/bin/bash
# The handout's measurements beyond `make bench` (Linux: epoll and /proc): the kit's echo servers beside a C epoll
# echo server, loaded by a C load generator, and the reference server with and without --always-writable.
#
#   Labs/04-multiplexed-echo/compare-with-c.sh CONNS MSGS SIZE RUNS [SERVER...]
#
# SERVER: c (c/cepoll_echo.c), swift (lab 4's reference server), spin (the same with --always-writable), python
# (the lecture's, lecture_selectors_echo.py), blocking (lab 3's reference server); c and swift when none is named.
# RUNS times, each server in turn is started afresh and loaded by c/echoload.c: CONNS connections, each sending a
# SIZE-byte message and waiting for it to come back, MSGS times. Prints echoload's line and the server's CPU time.
# IDLE=N holds N idle connections open to the server meanwhile; CONNS 0 measures the idle server alone, over 5 s.
#
# The handout's tables, row by row:
#   compare-with-c.sh 1 20000 64 3 c swift python blocking      (then 100 1000, 1000 100, 5000 20; 10000 20 c swift)
#   compare-with-c.sh 1000 300 64 5 c swift
#   IDLE=100 compare-with-c.sh 0 0 64 1 swift spin
#   IDLE=1000 compare-with-c.sh 10 5000 64 1 swift spin
#   compare-with-c.sh 1000 300 64 5 swift spin
#
# The reference servers: in the instructor's copy, built optimised as make bench builds them (.build-release/); in
# the student copy, the built ones of Labs/reference/PLATFORM/.
set -u
cd "$(dirname "$0")/../.." || exit 1
HERE=Labs/04-multiplexed-echo
if [ $# -lt 4 ]; then
    sed -n '2,/^set/s/^# \{0,1\}//p' "$HERE/compare-with-c.sh"
    exit 2
fi
[ "$(uname -s)" = Linux ] || { echo "compare-with-c.sh measures with epoll and /proc/PID/stat: Linux only"; exit 2; }
CONNS=$1 MSGS=$2 SIZE=$3 RUNS=$4
shift 4
SERVERS=${*:-c swift}
IDLE=${IDLE:-0}

if [ -d Solutions ]; then
    for product in lab3-echo-server-solution lab4-mux-server-solution; do
        swift build -q -c release --scratch-path .build-release --product $product || exit 1
    done
    BIN=$(swift build -c release --scratch-path .build-release --show-bin-path)
else
    BIN=Labs/reference/$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m)  # the Makefile's REFERENCE
    [ -d "$BIN" ] || { echo "this copy of the kit has no reference programs for this machine ($BIN)"; exit 2; }
fi

TOOLS=$(mktemp -d)
PID="" IDLER=""
stop() { for p in $IDLER $PID; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done; IDLER="" PID=""; }
trap 'stop; rm -rf "$TOOLS"' EXIT
trap 'exit 130' INT TERM
cc -O2 -o "$TOOLS/echoload" "$HERE/c/echoload.c" && cc -O2 -o "$TOOLS/cepoll_echo" "$HERE/c/cepoll_echo.c" || exit 1
ulimit -n "$(ulimit -Hn)"
TICKS=$(getconf CLK_TCK)

start() {  # starts server $1 on a free port, as every kit server starts (--port 0); sets PID and PORT
    case $1 in
        c) set -- "$TOOLS/cepoll_echo" 0 ;;
        swift) set -- "$BIN/lab4-mux-server-solution" --quiet --port 0 ;;
        spin) set -- "$BIN/lab4-mux-server-solution" --quiet --always-writable --port 0 ;;
        python) set -- python3 "$HERE/lecture_selectors_echo.py" 0 ;;
        blocking) set -- "$BIN/lab3-echo-server-solution" --port 0 ;;
        *) echo "unknown server $1: c, swift, spin, python or blocking"; exit 2 ;;
    esac
    : > "$TOOLS/out"
    "$@" > "$TOOLS/out" & PID=$!
    for _ in $(seq 100); do grep -q "^listening on" "$TOOLS/out" && break; sleep 0.1; done
    PORT=$(grep -m1 "^listening on" "$TOOLS/out" | sed 's/.*://')
    [ -n "$PORT" ] || { echo "$* did not say where it listens"; exit 1; }
}

hold_idle() {  # opens $IDLE connections to the server that send nothing, until stopped
    : > "$TOOLS/idle"
    python3 -c '
import signal, socket, sys
held = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(int(sys.argv[2]))]
print("ready", flush=True)
signal.pause()' "$PORT" "$IDLE" > "$TOOLS/idle" & IDLER=$!
    for _ in $(seq 300); do grep -q ready "$TOOLS/idle" && return; sleep 0.1; done
    echo "could not open $IDLE idle connections"; exit 1
}

cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }  # the server's utime + stime, in clock ticks

for _ in $(seq "$RUNS"); do
    for server in $SERVERS; do
        start "$server"
        [ "$IDLE" -gt 0 ] && hold_idle
        before=$(cpu)
        if [ "$CONNS" -eq 0 ]; then
            sleep 5
            line="idle=$IDLE for 5 s"
        else
            line=$(timeout 40 "$TOOLS/echoload" 127.0.0.1 "$PORT" "$CONNS" "$MSGS" "$SIZE" || true)
            line="${line:-did not finish in 40 s}$([ "$IDLE" -gt 0 ] && echo " idle=$IDLE")"
        fi
        after=$(cpu)
        echo "$server $line server_cpu_s=$(awk -v t=$((after - before)) -v hz="$TICKS" 'BEGIN { printf "%.2f", t / hz }')"
        stop
    done
done
