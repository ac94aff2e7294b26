#!/usr/bin/env bash
# Before/after for the gateway's submit path: bench/submit.sh against two more gateway processes on one running system
# (same Kafka, Redis and object store), alternating which goes first each round, so both see the same machine.
#   BENCH_AB_ARMS="c1 c2"   two labels; BENCH_AB_OPTS_<label>: JVM options appended to ./run.sh's for that gateway
#                           (as VIDEOGEN_JVM_OPTS_GATEWAY), e.g. BENCH_AB_OPTS_c1="-XX:TieredStopAtLevel=1"
#   BENCH_AB_ROUNDS=3       BENCH_SUBMIT_WARMUP_SECONDS (default here 20: C2 needs that long) and BENCH_SUBMIT_* as
#                           for submit.sh
# Ports: the arms listen on 26175 and 26176. Every submit.sh run holds /tmp/videogen-bench.lock.
# Results: $RESULTS/<label>-r<round>/submit/, and per arm and concurrency the requests/s and p99 of every round and
# their medians in $RESULTS/summary-submit-ab.txt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_if_needed
export VIDEOGEN_DATA_DIR="$DATA_ROOT/system-submit-ab"
export VIDEOGEN_RATE_LIMIT_PER_MINUTE="${BENCH_RATE_LIMIT:-1000000}"   # as start_system gives its own gateway
export BENCH_SUBMIT_WARMUP_SECONDS="${BENCH_SUBMIT_WARMUP_SECONDS:-20}"
start_system submit-ab 0 0 "$VIDEOGEN_DATA_DIR"
ARM_PIDS=()
trap 'stop_arms; stop_system' EXIT
start_ab_arms gateway 26175
ab_rounds "${BENCH_AB_ROUNDS:-3}" VIDEOGEN_PORT submit.sh
/usr/bin/python3 - "$RESULTS" "${ARMS[@]}" <<'PY' | tee "$RESULTS/summary-submit-ab.txt"
import glob, os, re, statistics, sys
res, arms = sys.argv[1], sys.argv[2:]
def ms(v):  # wrk's latency: 850.12us, 73.40ms, 3.85s
    n, unit = re.match(r"([\d.]+)(us|ms|s|m)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
print("submit of a 500 KB PNG, per arm and clients: requests/s and p99 ms of every round, and the medians")
for arm in arms:
    for f in sorted(glob.glob(f"{res}/{arm}-r1/submit/submit-c*.txt"), key=lambda p: int(re.search(r"-c(\d+)\.txt$", p)[1])):
        name = os.path.basename(f)
        rps, p99 = [], []
        for rf in sorted(glob.glob(f"{res}/{arm}-r*/submit/{name}")):
            text = open(rf).read()
            rps.append(float(re.search(r"Requests/sec:\s+([\d.]+)", text)[1]))
            p99.append(ms(re.search(r"^\s+99%\s+(\S+)", text, re.M)[1]))
        print(f"{arm:6} {name[7:-4]:>4}  rps {' / '.join(f'{x:.1f}' for x in rps):30} median {statistics.median(rps):7.1f}"
              f"   p99 ms {' / '.join(f'{x:.0f}' for x in p99):24} median {statistics.median(p99):7.0f}")
PY
note "results: $RESULTS"
