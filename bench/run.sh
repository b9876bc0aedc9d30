#!/usr/bin/env bash
# Runs the same load against ballastd and the reference nats-server, in the
# same run on the same machine, and prints throughput and memory side by side:
# first core NATS, then JetStream with file storage.
#
#   bench/run.sh [--quick] [--reps N] [--core-only | --js-only]
#
# Environment:
#   BALLASTD     ballastd binary    (default: <repo>/build/server/ballastd)
#   BENCH        ballast-bench      (default: <repo>/build/bench/ballast-bench)
#   NATS_SERVER  reference server   (default: /usr/sbin/nats-server)
#   BUILD_DIR    where to build the defaults if missing (default: <repo>/build)
#   BENCH_OUT    directory for raw result lines and server logs
#                (default: a fresh mktemp -d, printed at the end)
#
# Core: both servers are started with nats-server's flags (-a 127.0.0.1 -p
# PORT) on free loopback ports and stay up for the core section.
# JetStream: three fresh servers, each with its own fresh store directory:
#   nats-server -js -sd DIR          (2.9.10 syncs to disk every 2 minutes and
#                                     cannot be told otherwise)
#   ballastd -c CONF                 (CONF: jetstream { store_dir: DIR,
#                                     sync_interval: "2m" }, the same policy)
#   ballastd -js -sd DIR             (its default: fsync before every ack)
# Each scenario runs REPS times against each server, rotating which goes
# first, and the tables show the median. A lost, duplicated, reordered or
# failed message or ack, a stall of 10 s, or a server that dies makes the
# script exit non-zero.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
NATS_SERVER=${NATS_SERVER:-/usr/sbin/nats-server}
QUICK=0
REPS=3
RUN_CORE=1
RUN_JS=1
RUN_TIMEOUT_S=300 # outer safety net; ballast-bench has its own idle timeout

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case "$1" in
    --quick) QUICK=1 ;;
    --core-only) RUN_JS=0 ;;
    --js-only) RUN_CORE=0 ;;
    --reps)
        REPS=${2:?--reps needs a number}
        shift
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        echo "run.sh: unknown argument '$1'" >&2
        usage >&2
        exit 2
        ;;
    esac
    shift
done
case "$REPS" in
'' | *[!0-9]* | 0)
    echo "run.sh: --reps must be a positive integer" >&2
    exit 2
    ;;
esac
if [ "$RUN_CORE" = 0 ] && [ "$RUN_JS" = 0 ]; then
    echo "run.sh: --core-only and --js-only exclude each other" >&2
    exit 2
fi

# --- binaries ---------------------------------------------------------------
targets=()
if [ -z "${BALLASTD:-}" ]; then
    BALLASTD=$BUILD_DIR/server/ballastd
    targets+=(ballastd)
fi
if [ -z "${BENCH:-}" ]; then
    BENCH=$BUILD_DIR/bench/ballast-bench
    targets+=(ballast-bench)
fi
if [ ${#targets[@]} -gt 0 ]; then
    # Incremental, so cheap when already up to date.
    if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
        cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            >/dev/null
    fi
    cmake --build "$BUILD_DIR" -j2 --target "${targets[@]}" >/dev/null
fi
for bin in "$BALLASTD" "$BENCH" "$NATS_SERVER"; do
    if [ ! -x "$bin" ]; then
        echo "run.sh: $bin: not an executable" >&2
        exit 2
    fi
done

OUT=${BENCH_OUT:-$(mktemp -d /tmp/ballast-bench.XXXXXX)}
mkdir -p "$OUT"
RAW=$OUT/raw.txt
: >"$RAW"

# --- servers ----------------------------------------------------------------
# Slots 0-1 serve the core section, 2-4 the JetStream one. ARGS[i] holds a
# slot's extra flags, one per line.
NAMES=(nats-server ballastd nats-server ballastd ballastd)
BINS=("$NATS_SERVER" "$BALLASTD" "$NATS_SERVER" "$BALLASTD" "$BALLASTD")
LOGS=(nats-server ballastd js-nats-server js-ballastd-2m js-ballastd-always)
ARGS=("" "" "" "" "")
PIDS=()
PORTS=()

cleanup() {
    local i
    for i in "${!PIDS[@]}"; do
        if [ -n "${PIDS[$i]}" ]; then
            kill "${PIDS[$i]}" 2>/dev/null || true
        fi
    done
    for i in "${!PIDS[@]}"; do
        if [ -n "${PIDS[$i]}" ]; then
            wait "${PIDS[$i]}" 2>/dev/null || true
        fi
    done
    rm -rf "$OUT/js-store"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() {
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

can_connect() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start_server SLOT: starts BINS[SLOT] on a free port, sets PIDS/PORTS.
start_server() {
    local i=$1 port pid extra=()
    [ -n "${ARGS[$i]}" ] && mapfile -t extra <<<"${ARGS[$i]}"
    for _ in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 40000))
        port_in_use "$port" && continue
        "${BINS[$i]}" -a 127.0.0.1 -p "$port" "${extra[@]}" \
            >>"$OUT/${LOGS[$i]}.log" 2>&1 &
        pid=$!
        for _ in $(seq 1 100); do
            if ! kill -0 "$pid" 2>/dev/null; then
                break
            fi
            if can_connect "$port"; then
                PIDS[i]=$pid
                PORTS[i]=$port
                return 0
            fi
            sleep 0.1
        done
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        # A server that rejects its flags will not do better on another port.
        grep -q 'unknown field\|unknown flag\|Usage' \
            "$OUT/${LOGS[$i]}.log" 2>/dev/null && break
    done
    if [ -z "${START_QUIET:-}" ]; then
        echo "run.sh: could not start ${NAMES[$i]} (${BINS[$i]}); see" \
            "$OUT/${LOGS[$i]}.log" >&2
    fi
    return 1
}

stop_server() {
    local i=$1
    kill "${PIDS[$i]}" 2>/dev/null || true
    wait "${PIDS[$i]}" 2>/dev/null || true
    PIDS[i]=
}

# proc_kib PID FIELD: VmRSS or VmHWM of a process in KiB.
proc_kib() {
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

check_alive() { # check_alive SLOT...
    local i
    for i in "$@"; do
        if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
            echo "run.sh: ${NAMES[$i]} (pid ${PIDS[$i]}) died; see" \
                "$OUT/${LOGS[$i]}.log" >&2
            exit 1
        fi
    done
}

FAILED=0
declare -A RESULT # "<section>,<scenario index>,<slot>,<rep>" -> raw line
declare -A RSS    # "<point>,<slot>" -> KiB

field() { # field LINE KEY
    tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'
}

# run_bench SECTION SCENARIO SLOT REP LABEL MSGS ARGS...: one ballast-bench
# run, recorded in RESULT and the raw file.
run_bench() {
    local sec=$1 s=$2 i=$3 rep=$4 label=$5 msgs=$6 line rc lat=""
    shift 6
    line=$(timeout "$RUN_TIMEOUT_S" "$BENCH" \
        --url "nats://127.0.0.1:${PORTS[$i]}" "$@" --msgs "$msgs" \
        2>>"$OUT/bench.err") || {
        rc=$?
        FAILED=1
        [ -n "$line" ] || line="status=fail reason=exit_code_$rc"
    }
    echo "section=$sec server=${LOGS[$i]} rep=$rep $line" >>"$RAW"
    [ -n "$(field "$line" p99_us)" ] &&
        lat=" p50 $(field "$line" p50_us) us p99 $(field "$line" p99_us) us"
    printf '  %-18s rep %d %-19s %s\n' "$label" "$rep" "${LOGS[$i]}" \
        "$(field "$line" msgs_per_sec) msgs/s$lat $(field "$line" status) $(field "$line" reason)" >&2
    RESULT["$sec,$s,$i,$rep"]=$line
}

# median SECTION S SLOT KEY: median over reps of KEY, or FAIL if any rep
# failed.
median() {
    local sec=$1 s=$2 i=$3 key=$4 rep line vals=()
    for rep in $(seq 1 "$REPS"); do
        line=${RESULT["$sec,$s,$i,$rep"]}
        if [ "$(field "$line" status)" != ok ]; then
            echo FAIL
            return
        fi
        vals+=("$(field "$line" "$key")")
    done
    printf '%s\n' "${vals[@]}" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# fmt_row LABEL FORMAT A B [C]: a table row of values A, B (and C) with the
# ratios B/A (and C/A).
fmt_row() {
    awk -v l="$1" -v f="$2" -v a="$3" -v b="$4" -v c="${5-NONE}" 'function g(x) {
            if (x == "FAIL" || x == "") return "FAIL"
            if (f == "int") { s = sprintf("%.0f", x); o = ""
                while (length(s) > 3) {
                    o = "," substr(s, length(s) - 2) o
                    s = substr(s, 1, length(s) - 3) }
                return s o }
            return sprintf(f, x) }
        function r(x) {
            if (a + 0 > 0 && a != "FAIL" && x != "FAIL" && x != "")
                return sprintf("%.2f", x / a)
            return "-" }
        BEGIN { if (c == "NONE")
                printf "| %-34s | %18s | %18s | %6s |\n", l, g(a), g(b), r(b)
            else
                printf "| %-22s | %24s | %21s | %6s | %24s | %6s |\n", l, g(a), g(b), r(b), g(c), r(c) }'
}

machine_line() {
    echo "machine:     $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "mode:        $([ $QUICK = 1 ] && echo quick || echo full), $REPS reps per server, median reported"
}

# --- core NATS --------------------------------------------------------------
# label | ballast-bench arguments | messages (full run)
SCENARIOS=(
    "pubsub 1->1 16B|--scenario pubsub --size 16|2000000"
    "pubsub 1->1 1KiB|--scenario pubsub --size 1024|500000"
    "fanout 1->10 16B|--scenario fanout --size 16 --subs 10|1000000"
    "queue 1->4 16B|--scenario queue --size 16 --subs 4|2000000"
    "publish-only 16B|--scenario pub --size 16|4000000"
)

run_core() {
    local s i rep order label args msgs
    start_server 0 || exit 1
    start_server 1 || exit 1
    for i in 0 1; do
        RSS["idle,$i"]=$(proc_kib "${PIDS[$i]}" VmRSS)
    done

    echo "== Core NATS"
    echo
    echo "nats-server: ${BINS[0]} (pid ${PIDS[0]}, port ${PORTS[0]})"
    echo "ballastd:    ${BINS[1]} (pid ${PIDS[1]}, port ${PORTS[1]})"
    machine_line
    echo

    for s in "${!SCENARIOS[@]}"; do
        IFS='|' read -r label args msgs <<<"${SCENARIOS[$s]}"
        [ "$QUICK" = 1 ] && msgs=$((msgs / 10))
        for rep in $(seq 1 "$REPS"); do
            # Alternate who goes first so warm caches or a noisy neighbour
            # do not always favour the same server.
            order="0 1"
            [ $((rep % 2)) = 0 ] && order="1 0"
            for i in $order; do
                # shellcheck disable=SC2086 # args is a word list on purpose
                run_bench core "$s" "$i" "$rep" "$label" "$msgs" $args
                check_alive 0 1
            done
        done
        for i in 0 1; do
            RSS["$s,$i"]=$(proc_kib "${PIDS[$i]}" VmRSS)
        done
    done
    for i in 0 1; do
        RSS["peak,$i"]=$(proc_kib "${PIDS[$i]}" VmHWM)
    done
    echo >&2
    # The JetStream section should have the machine to itself.
    stop_server 0
    stop_server 1

    echo "Throughput (median of $REPS; ratio = ballastd / nats-server, higher is better for ballastd)"
    echo
    printf '| %-34s | %18s | %18s | %6s |\n' scenario "nats-server msgs/s" "ballastd msgs/s" ratio
    echo "|------------------------------------|--------------------|--------------------|--------|"
    for s in "${!SCENARIOS[@]}"; do
        IFS='|' read -r label _ _ <<<"${SCENARIOS[$s]}"
        case "$label" in
        fanout* | queue*)
            fmt_row "$label, total" int "$(median core "$s" 0 msgs_per_sec)" "$(median core "$s" 1 msgs_per_sec)"
            fmt_row "$label, per subscriber" int "$(median core "$s" 0 per_sub_msgs_per_sec)" "$(median core "$s" 1 per_sub_msgs_per_sec)"
            ;;
        *)
            fmt_row "$label" int "$(median core "$s" 0 msgs_per_sec)" "$(median core "$s" 1 msgs_per_sec)"
            ;;
        esac
    done
    echo
    echo "Payload bandwidth (median, MB/s = 10^6 payload bytes per second, delivered; publish-only: accepted)"
    echo
    printf '| %-34s | %18s | %18s | %6s |\n' scenario "nats-server MB/s" "ballastd MB/s" ratio
    echo "|------------------------------------|--------------------|--------------------|--------|"
    for s in "${!SCENARIOS[@]}"; do
        IFS='|' read -r label _ _ <<<"${SCENARIOS[$s]}"
        fmt_row "$label" "%.2f" "$(median core "$s" 0 mb_per_sec)" "$(median core "$s" 1 mb_per_sec)"
    done
    echo
    echo "Server memory (MiB; VmRSS after each scenario's runs, VmHWM = peak; ratio = ballastd / nats-server, lower is better for ballastd)"
    echo
    printf '| %-34s | %18s | %18s | %6s |\n' point "nats-server MiB" "ballastd MiB" ratio
    echo "|------------------------------------|--------------------|--------------------|--------|"
    fmt_row "idle, before load (VmRSS)" "%.1f" "$(mib "${RSS[idle,0]}")" "$(mib "${RSS[idle,1]}")"
    for s in "${!SCENARIOS[@]}"; do
        IFS='|' read -r label _ _ <<<"${SCENARIOS[$s]}"
        fmt_row "after $label" "%.1f" "$(mib "${RSS[$s,0]}")" "$(mib "${RSS[$s,1]}")"
    done
    fmt_row "peak (VmHWM)" "%.1f" "$(mib "${RSS[peak,0]}")" "$(mib "${RSS[peak,1]}")"
    echo
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# --- JetStream --------------------------------------------------------------
# File storage throughout; every run creates its own stream and deletes it.
# label | ballast-bench arguments | messages (full run)
JS_SCENARIOS=(
    "js-pub-sync 16B|--scenario js-pub-sync --size 16|10000"
    "js-pub-sync 1KiB|--scenario js-pub-sync --size 1024|10000"
    "js-pub-async 16B|--scenario js-pub-async --size 16 --window 256|200000"
    "js-pub-async 1KiB|--scenario js-pub-async --size 1024 --window 256|100000"
    "js-consume 16B|--scenario js-consume --size 16 --batch 100|100000"
    "js-consume 1KiB|--scenario js-consume --size 1024 --batch 100|50000"
)
JS_SLOTS=(2 3 4)
SYNC_NOTE=""

start_js_servers() {
    local dir=$OUT/js-store
    rm -rf "$dir"
    mkdir -p "$dir/nats-server" "$dir/ballastd-2m" "$dir/ballastd-always"
    ARGS[2]=$(printf '%s\n' -js -sd "$dir/nats-server")
    # nats-server's configuration syntax, which ballastd reads too.
    printf 'jetstream {\n  store_dir: "%s"\n  sync_interval: "2m"\n}\n' \
        "$dir/ballastd-2m" >"$OUT/ballastd-sync-2m.conf"
    ARGS[3]=$(printf '%s\n' -c "$OUT/ballastd-sync-2m.conf")
    ARGS[4]=$(printf '%s\n' -js -sd "$dir/ballastd-always")
    start_server 2 || exit 1
    if ! START_QUIET=1 start_server 3; then
        # nats-server before 2.10 (BALLASTD=nats-server for a harness check)
        # rejects sync_interval; its fixed default is the same 2 minutes.
        if ! grep -q 'unknown field "sync_interval"' "$OUT/${LOGS[3]}.log"; then
            echo "run.sh: could not start ${NAMES[3]} (${BINS[3]}); see" \
                "$OUT/${LOGS[3]}.log" >&2
            exit 1
        fi
        ARGS[3]=$(printf '%s\n' -js -sd "$dir/ballastd-2m")
        SYNC_NOTE="note: ${BINS[3]} rejects sync_interval; started with -js (its default sync)"
        start_server 3 || exit 1
    fi
    start_server 4 || exit 1
    # ballastd says which policy it runs; make sure the columns are what
    # their headers claim.
    sleep 0.2
    if grep -q 'jetstream enabled' "$OUT/${LOGS[3]}.log"; then
        if ! grep -q 'sync=interval' "$OUT/${LOGS[3]}.log" ||
            ! grep -q 'sync=always' "$OUT/${LOGS[4]}.log"; then
            echo "run.sh: ballastd did not start with the expected sync" \
                "policies; see $OUT/${LOGS[3]}.log and $OUT/${LOGS[4]}.log" >&2
            exit 1
        fi
    fi
}

run_js() {
    local s i k rep order label args msgs
    start_js_servers
    for i in "${JS_SLOTS[@]}"; do
        RSS["js-idle,$i"]=$(proc_kib "${PIDS[$i]}" VmRSS)
    done

    echo "== JetStream (file storage)"
    echo
    echo "nats-server, sync 2m (its fixed default):  ${BINS[2]} -js (pid ${PIDS[2]}, port ${PORTS[2]})"
    echo "ballastd, sync 2m (sync_interval: \"2m\"): ${BINS[3]} -c $OUT/ballastd-sync-2m.conf (pid ${PIDS[3]}, port ${PORTS[3]})"
    echo "ballastd, fsync always (its default):     ${BINS[4]} -js (pid ${PIDS[4]}, port ${PORTS[4]})"
    [ -n "$SYNC_NOTE" ] && echo "$SYNC_NOTE"
    echo "store:       $OUT/js-store ($(df -P "$OUT" | awk 'NR == 2 { print $1 }'))"
    machine_line
    echo

    for s in "${!JS_SCENARIOS[@]}"; do
        IFS='|' read -r label args msgs <<<"${JS_SCENARIOS[$s]}"
        [ "$QUICK" = 1 ] && msgs=$((msgs / 10))
        for rep in $(seq 1 "$REPS"); do
            # Rotate who goes first.
            order=""
            for k in 0 1 2; do
                order+=" ${JS_SLOTS[$(((k + rep - 1) % 3))]}"
            done
            for i in $order; do
                # shellcheck disable=SC2086 # args is a word list on purpose
                run_bench js "$s" "$i" "$rep" "$label" "$msgs" $args
                check_alive "${JS_SLOTS[@]}"
            done
        done
    done
    for i in "${JS_SLOTS[@]}"; do
        RSS["js-peak,$i"]=$(proc_kib "${PIDS[$i]}" VmHWM)
    done
    echo >&2

    local h1="nats-server (sync 2m)" h2="ballastd (sync 2m)"
    local h3="ballastd (fsync always)"
    local sep="|------------------------|--------------------------|-----------------------|--------|--------------------------|--------|"
    echo "JetStream throughput, msgs/s (median of $REPS; ratio = ballastd / nats-server, higher is better for ballastd)"
    echo
    printf '| %-22s | %24s | %21s | %6s | %24s | %6s |\n' scenario "$h1" "$h2" ratio "$h3" ratio
    echo "$sep"
    for s in "${!JS_SCENARIOS[@]}"; do
        IFS='|' read -r label _ _ <<<"${JS_SCENARIOS[$s]}"
        fmt_row "$label" int "$(median js "$s" 2 msgs_per_sec)" \
            "$(median js "$s" 3 msgs_per_sec)" "$(median js "$s" 4 msgs_per_sec)"
    done
    echo
    echo "JetStream publish ack latency, js-pub-sync, microseconds (median over $REPS runs of each run's percentile; ratio = ballastd / nats-server, lower is better for ballastd)"
    echo
    printf '| %-22s | %24s | %21s | %6s | %24s | %6s |\n' percentile "$h1" "$h2" ratio "$h3" ratio
    echo "$sep"
    for s in "${!JS_SCENARIOS[@]}"; do
        IFS='|' read -r label args _ <<<"${JS_SCENARIOS[$s]}"
        case "$args" in *js-pub-sync*) ;; *) continue ;; esac
        for k in p50 p99; do
            fmt_row "$k ${label#js-pub-sync }" "%.1f" "$(median js "$s" 2 ${k}_us)" \
                "$(median js "$s" 3 ${k}_us)" "$(median js "$s" 4 ${k}_us)"
        done
    done
    echo
    echo "JetStream server memory (MiB; ratio = ballastd / nats-server, lower is better for ballastd)"
    echo
    printf '| %-22s | %24s | %21s | %6s | %24s | %6s |\n' point "$h1" "$h2" ratio "$h3" ratio
    echo "$sep"
    fmt_row "idle (VmRSS)" "%.1f" "$(mib "${RSS[js-idle,2]}")" "$(mib "${RSS[js-idle,3]}")" "$(mib "${RSS[js-idle,4]}")"
    fmt_row "peak (VmHWM)" "%.1f" "$(mib "${RSS[js-peak,2]}")" "$(mib "${RSS[js-peak,3]}")" "$(mib "${RSS[js-peak,4]}")"
    echo
}

if [ "$RUN_CORE" = 1 ]; then
    run_core
fi
if [ "$RUN_JS" = 1 ]; then
    run_js
fi
echo "raw results: $RAW (server logs and ballast-bench stderr in $OUT)"

if [ "$FAILED" != 0 ]; then
    echo "run.sh: FAILED: at least one run lost messages or acks, stalled or" \
        "errored; see $RAW and $OUT/bench.err:" >&2
    grep -v 'status=ok' "$RAW" >&2 || true
    exit 1
fi
