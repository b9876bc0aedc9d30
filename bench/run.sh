#!/usr/bin/env bash
# Runs the same load against ballastd and the reference nats-server, in the
# same run on the same machine, and prints throughput and memory side by side.
#
#   bench/run.sh [--quick] [--reps N]
#
# Environment:
#   BALLASTD     ballastd binary    (default: <repo>/build/server/ballastd)
#   BENCH        ballast-bench      (default: <repo>/build/bench/ballast-bench)
#   NATS_SERVER  reference server   (default: /usr/sbin/nats-server)
#   BUILD_DIR    where to build the defaults if missing (default: <repo>/build)
#   BENCH_OUT    directory for raw result lines and server logs
#                (default: a fresh mktemp -d, printed at the end)
#
# Both servers are started with nats-server's flags (-a 127.0.0.1 -p PORT) on
# free loopback ports and stay up for the whole run. Each scenario runs REPS
# times against each server, alternating which goes first, and the table
# shows the median. A lost, duplicated or reordered message, a stall of 10 s,
# or a server that dies makes the script exit non-zero.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
NATS_SERVER=${NATS_SERVER:-/usr/sbin/nats-server}
QUICK=0
REPS=3
RUN_TIMEOUT_S=300 # outer safety net; ballast-bench has its own idle timeout

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case "$1" in
    --quick) QUICK=1 ;;
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
NAMES=(nats-server ballastd)
BINS=("$NATS_SERVER" "$BALLASTD")
PIDS=()
PORTS=()

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() {
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

can_connect() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start_server INDEX: starts BINS[INDEX] on a free port, sets PIDS/PORTS.
start_server() {
    local i=$1 port pid
    for _ in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 40000))
        port_in_use "$port" && continue
        "${BINS[$i]}" -a 127.0.0.1 -p "$port" \
            >>"$OUT/${NAMES[$i]}.log" 2>&1 &
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
    done
    echo "run.sh: could not start ${NAMES[$i]} (${BINS[$i]}); see" \
        "$OUT/${NAMES[$i]}.log" >&2
    exit 1
}

# proc_kib PID FIELD: VmRSS or VmHWM of a process in KiB.
proc_kib() {
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

check_alive() {
    local i
    for i in 0 1; do
        if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
            echo "run.sh: ${NAMES[$i]} (pid ${PIDS[$i]}) died; see" \
                "$OUT/${NAMES[$i]}.log" >&2
            exit 1
        fi
    done
}

start_server 0
start_server 1

# --- scenarios --------------------------------------------------------------
# label | ballast-bench arguments | messages (full run)
SCENARIOS=(
    "pubsub 1->1 16B|--scenario pubsub --size 16|2000000"
    "pubsub 1->1 1KiB|--scenario pubsub --size 1024|500000"
    "fanout 1->10 16B|--scenario fanout --size 16 --subs 10|1000000"
    "queue 1->4 16B|--scenario queue --size 16 --subs 4|2000000"
    "publish-only 16B|--scenario pub --size 16|4000000"
)

FAILED=0
declare -A RESULT # "<scenario index>,<server index>,<rep>" -> raw line
declare -A RSS    # "<point>,<server index>" -> KiB

field() { # field LINE KEY
    tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'
}

for i in 0 1; do
    RSS["idle,$i"]=$(proc_kib "${PIDS[$i]}" VmRSS)
done

echo "nats-server: ${BINS[0]} (pid ${PIDS[0]}, port ${PORTS[0]})"
echo "ballastd:    ${BINS[1]} (pid ${PIDS[1]}, port ${PORTS[1]})"
echo "machine:     $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo "mode:        $([ $QUICK = 1 ] && echo quick || echo full), $REPS reps per server, median reported"
echo

for s in "${!SCENARIOS[@]}"; do
    IFS='|' read -r label args msgs <<<"${SCENARIOS[$s]}"
    [ "$QUICK" = 1 ] && msgs=$((msgs / 10))
    for rep in $(seq 1 "$REPS"); do
        # Alternate who goes first so warm caches or a noisy neighbour do
        # not always favour the same server.
        order="0 1"
        [ $((rep % 2)) = 0 ] && order="1 0"
        for i in $order; do
            # shellcheck disable=SC2086 # args is a word list on purpose
            line=$(timeout "$RUN_TIMEOUT_S" "$BENCH" \
                --url "nats://127.0.0.1:${PORTS[$i]}" $args --msgs "$msgs" \
                2>>"$OUT/bench.err") || {
                rc=$?
                FAILED=1
                [ -n "$line" ] || line="status=fail reason=exit_code_$rc"
            }
            echo "server=${NAMES[$i]} rep=$rep $line" >>"$RAW"
            printf '  %-18s rep %d %-11s %s\n' "$label" "$rep" \
                "${NAMES[$i]}" "$(field "$line" msgs_per_sec) msgs/s $(field "$line" status) $(field "$line" reason)" >&2
            RESULT["$s,$i,$rep"]=$line
            check_alive
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

# --- report -----------------------------------------------------------------
# median S I KEY: median over reps of KEY, or FAIL if any rep failed.
median() {
    local s=$1 i=$2 key=$3 rep line vals=()
    for rep in $(seq 1 "$REPS"); do
        line=${RESULT["$s,$i,$rep"]}
        if [ "$(field "$line" status)" != ok ]; then
            echo FAIL
            return
        fi
        vals+=("$(field "$line" "$key")")
    done
    printf '%s\n' "${vals[@]}" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

fmt_row() { # label a b unit-format
    awk -v l="$1" -v a="$2" -v b="$3" -v f="$4" 'function g(x) {
            if (x == "FAIL" || x == "") return "FAIL"
            if (f == "int") { s = sprintf("%.0f", x); o = ""
                while (length(s) > 3) {
                    o = "," substr(s, length(s) - 2) o
                    s = substr(s, 1, length(s) - 3) }
                return s o }
            return sprintf(f, x) }
        BEGIN { r = (a + 0 > 0 && a != "FAIL" && b != "FAIL") ? sprintf("%.2f", b / a) : "-"
            printf "| %-34s | %18s | %18s | %6s |\n", l, g(a), g(b), r }'
}

echo "Throughput (median of $REPS; ratio = ballastd / nats-server, higher is better for ballastd)"
echo
printf '| %-34s | %18s | %18s | %6s |\n' scenario "nats-server msgs/s" "ballastd msgs/s" ratio
echo "|------------------------------------|--------------------|--------------------|--------|"
for s in "${!SCENARIOS[@]}"; do
    IFS='|' read -r label _ _ <<<"${SCENARIOS[$s]}"
    case "$label" in
    fanout* | queue*)
        fmt_row "$label, total" "$(median "$s" 0 msgs_per_sec)" "$(median "$s" 1 msgs_per_sec)" int
        fmt_row "$label, per subscriber" "$(median "$s" 0 per_sub_msgs_per_sec)" "$(median "$s" 1 per_sub_msgs_per_sec)" int
        ;;
    *)
        fmt_row "$label" "$(median "$s" 0 msgs_per_sec)" "$(median "$s" 1 msgs_per_sec)" int
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
    fmt_row "$label" "$(median "$s" 0 mb_per_sec)" "$(median "$s" 1 mb_per_sec)" "%.2f"
done
echo
echo "Server memory (MiB; VmRSS after each scenario's runs, VmHWM = peak; ratio = ballastd / nats-server, lower is better for ballastd)"
echo
printf '| %-34s | %18s | %18s | %6s |\n' point "nats-server MiB" "ballastd MiB" ratio
echo "|------------------------------------|--------------------|--------------------|--------|"
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
fmt_row "idle, before load (VmRSS)" "$(mib "${RSS[idle,0]}")" "$(mib "${RSS[idle,1]}")" "%.1f"
for s in "${!SCENARIOS[@]}"; do
    IFS='|' read -r label _ _ <<<"${SCENARIOS[$s]}"
    fmt_row "after $label" "$(mib "${RSS[$s,0]}")" "$(mib "${RSS[$s,1]}")" "%.1f"
done
fmt_row "peak (VmHWM)" "$(mib "${RSS[peak,0]}")" "$(mib "${RSS[peak,1]}")" "%.1f"
echo
echo "raw results: $RAW (server logs and ballast-bench stderr in $OUT)"

if [ "$FAILED" != 0 ]; then
    echo "run.sh: FAILED: at least one run lost messages, stalled or errored;" \
        "see $RAW and $OUT/bench.err:" >&2
    grep -v 'status=ok' "$RAW" >&2 || true
    exit 1
fi
