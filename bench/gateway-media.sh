#!/usr/bin/env bash
# What browsers get: a 2 MiB video through the gateway (cookie, owner check, proxy to media-service) against
# media-service directly and nginx serving the object store's own file of it, in the same rounds. Cells: full reads
# and 1 MB ranges, 64 and 1 clients; the order of the targets rotates from round to round. Per target and cell:
# requests/s as a ratio to nginx's in the same round, and the serving process's user + system CPU per request
# (the gateway's own, not media-service's behind it). Starts its own system (./run.sh, bench ports); nginx on 26162.
#   usage: bench/gateway-media.sh [ROUNDS]   (default 4; BENCH_MEDIA_SECONDS per cell, default 4;
#          BENCH_WARMUP_SECONDS of 64-client load on each target first, default 20)
#   BENCH_GW_ARMS="a b": more gateway processes in the same rounds, arm L with the JVM options in BENCH_GW_OPTS_L
#   (e.g. BENCH_GW_OPTS_c2="-XX:TieredStopAtLevel=4"), each through ./run.sh component gateway-service (./run.sh's
#   flags, then these) on ports 26175 and up, in front of the same media-service
#   -> $RESULTS/gateway-media/results.txt (one line per cell and round) and medians on stdout (summary.txt)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ROUNDS="${1:-4}"
DUR="${BENCH_MEDIA_SECONDS:-4}"
OUT="$RESULTS/gateway-media"; mkdir -p "$OUT"
build_if_needed
export VIDEOGEN_DATA_DIR="$DATA_ROOT/system-gateway-media"
start_system gateway-media 0 0 "$VIDEOGEN_DATA_DIR"
NGINX_PID=""; ARM_PIDS=()
stop_all() {
  [ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID"
  stop_arms; stop_system
}
trap 'set +e; stop_all' EXIT
s3_env
OWNER=bench-media
COOKIE="Cookie: videogen_owner=$(owner_cookie "$OWNER")"
RANGE="bytes=1000000-1999999"
f=$(put_media_2m "$OWNER" "$OUT/tool.log")
start_nginx "$DATA_ROOT/gateway-media-ngx" 26162 /n/ "$VIDEOGEN_DATA_DIR/s3/videos"
declare -A URL=([gateway]="$GATEWAY/api/video-blob/bench-media-2m" [media]="$MEDIA/api/video-blob/bench-media-2m"
  [nginx]="http://127.0.0.1:26162/n/bench-media-2m.mp4")
declare -A AUTH=([gateway]="$COOKIE" [media]="X-Videogen-Owner: $OWNER" [nginx]="X-Nothing: 1")
declare -A PID_OF=([gateway]="$(pid_of_port "$VIDEOGEN_PORT")" [media]="$(pid_of_port "$VIDEOGEN_MEDIA_PORT")")
start_arms gateway 26175 BENCH_GW "$OUT"
for a in "${ARMS[@]}"; do
  URL[$a]="http://127.0.0.1:${PORT[$a]}/api/video-blob/bench-media-2m"; AUTH[$a]="$COOKIE"
  PID_OF[$a]=$(pid_of_port "${PORT[$a]}")
done
await_url "${URL[nginx]}" || { echo "nginx did not start" >&2; exit 1; }
TARGETS=(gateway "${ARMS[@]}" media nginx)
# every target sends the object's bytes, whole and the range (the first request also makes media-service's copy)
want_full=$(sha256sum < "$f"); want_range=$(dd if="$f" bs=1000000 skip=1 count=1 status=none | sha256sum)
for t in "${TARGETS[@]}"; do
  [ "$(curl -s -H "${AUTH[$t]}" "${URL[$t]}" | sha256sum)" = "$want_full" ] || { echo "bytes differ: $t" >&2; exit 1; }
  [ "$(curl -s -H "${AUTH[$t]}" -H "Range: $RANGE" "${URL[$t]}" | sha256sum)" = "$want_range" ] \
    || { echo "range bytes differ: $t" >&2; exit 1; }
done
cached_copy "$VIDEOGEN_DATA_DIR/media-cache" > /dev/null || { echo "media-service made no copy" >&2; exit 1; }
WARM="${BENCH_WARMUP_SECONDS:-20}"
for t in "${TARGETS[@]}"; do   # JIT (C2 needs ~20-30 s of load here), connection pools, page cache
  wrk -t 2 -c 64 -d "$((WARM / 2))s" -H "${AUTH[$t]}" -H "Range: $RANGE" "${URL[$t]}" > /dev/null
  wrk -t 2 -c 64 -d "$((WARM - WARM / 2))s" -H "${AUTH[$t]}" "${URL[$t]}" > /dev/null
done
note "gateway-media: bytes identical, warmed up; load $(loadavg)"

cpu_ticks() { for p in $1; do cat "/proc/$p/stat"; done | awk '{u += $14; s += $15} END {print u + s}'; }
hz=$(getconf CLK_TCK)
: > "$OUT/results.txt"
for r in $(seq 1 "$ROUNDS"); do
  order=("${TARGETS[@]:r % ${#TARGETS[@]}}" "${TARGETS[@]:0:r % ${#TARGETS[@]}}")
  for cell in c64-full c64-range c1-full c1-range; do
    c="${cell%%-*}"; c="${c#c}"; threads=$(( c < 2 ? 1 : 2 ))
    hdr=(); [ "${cell#*-}" = range ] && hdr=(-H "Range: $RANGE")
    for t in "${order[@]}"; do
      pids=$(serving_pids "$t"); t0=$(cpu_ticks "$pids")
      rps=$(wrk -t "$threads" -c "$c" -d "${DUR}s" -H "${AUTH[$t]}" "${hdr[@]}" "${URL[$t]}" \
        | awk '/Requests\/sec/ {print $2}')
      t1=$(cpu_ticks "$pids")
      awk -v r="$r" -v cell="$cell" -v t="$t" -v rps="$rps" -v d="$DUR" -v hz="$hz" -v ticks="$((t1 - t0))" \
          -v load="$(loadavg | cut -d' ' -f1)" \
        'BEGIN {printf "round=%s cell=%s target=%s rps=%s cpu_ms=%.3f load=%s\n", r, cell, t, rps, 1000 * ticks / hz / (rps * d), load}' \
        | tee -a "$OUT/results.txt"
    done
  done
done
for t in "${TARGETS[@]}"; do   # resident memory of each serving process after all rounds (nginx: its workers)
  echo "rss_mib $t $(for p in $(serving_pids "$t"); do rss_kb "$p"; done | awk '{s += $1} END {printf "%.0f", s / 1024}')"
done > "$OUT/rss.txt"
/usr/bin/python3 - "$OUT/results.txt" "${TARGETS[@]}" <<'PY' | tee "$OUT/summary.txt"
import statistics, sys
rows = [dict(kv.split("=") for kv in line.split()) for line in open(sys.argv[1]) if line.strip()]
cells = list(dict.fromkeys(r["cell"] for r in rows))
nginx = {(r["round"], r["cell"]): float(r["rps"]) for r in rows if r["target"] == "nginx"}
print("target / nginx (median of %d rounds), and the process's CPU ms per request" % len({r["round"] for r in rows}))
print("target     " + "".join(f"{c:>20}" for c in cells))
for t in sys.argv[2:]:
    out = []
    for c in cells:
        mine = [r for r in rows if r["target"] == t and r["cell"] == c]
        ratio = statistics.median(float(r["rps"]) / nginx[(r["round"], c)] for r in mine)
        cpu = statistics.median(float(r["cpu_ms"]) for r in mine)
        out.append(f"{ratio:8.2f} {cpu:7.3f} ms")
    print(f"{t:10} " + "".join(f"{o:>20}" for o in out))
PY
cat "$OUT/rss.txt" | tee -a "$OUT/summary.txt"
