#!/usr/bin/env bash
# Where the CPU of a 1 MB range request goes, 64 clients: media-service, a bare corked Reactor Netty server
# (bench/java/BareMedia.java, the floor of media-service's stack) and nginx, all three serving the very same file
# (media-service's cached copy of a 2 MiB object) in the same rounds, the order rotating. For each target and round:
# requests/s, the serving process's user and system CPU per request, wrk's own CPU per request (the client shares
# the two cores), the serving threads' voluntary and involuntary context switches per request, and the machine's
# idle share. Starts its own system (./run.sh, bench ports); ports 26160-26161 for the bare server and nginx.
#   usage: bench/media-cpu.sh [ROUNDS]   (default 3; BENCH_MEDIA_SECONDS per cell, default 6; BENCH_WARMUP_SECONDS of
#   load on each target before the first round, default 20: C2 needs that long here to compile the hot path)
#   BENCH_CPU_ARMS="a b": more media-service processes in the same rounds, arm L with the JVM options in
#   BENCH_CPU_OPTS_L (e.g. BENCH_CPU_OPTS_noobs="-Dmanagement.observations.enable.http.server=false"), each through
#   ./run.sh component media-service (./run.sh's flags, then these) on ports 26170 and up, with its own cache
#   -> $RESULTS/media-cpu/results.txt (one line per cell) and medians on stdout
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ROUNDS="${1:-3}"
DUR="${BENCH_MEDIA_SECONDS:-6}"
OUT="$RESULTS/media-cpu"; mkdir -p "$OUT"
build_if_needed
export VIDEOGEN_DATA_DIR="$DATA_ROOT/system-media-cpu"
start_system media-cpu 0 0 "$VIDEOGEN_DATA_DIR"
BARE=""; NGINX_PID=""; ARM_PIDS=()
stop_all() {
  [ -n "$BARE" ] && kill "$BARE"; [ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID"
  stop_arms; stop_system
}
trap 'set +e; stop_all' EXIT
s3_env
OWNER=bench-media
RANGE="bytes=1000000-1999999"
f=$(put_media_2m "$OWNER" "$OUT/tool.log")
curl -s -o /dev/null -H "X-Videogen-Owner: $OWNER" "$MEDIA/api/video-blob/bench-media-2m"   # the copy is made
copy=$(cached_copy "$VIDEOGEN_DATA_DIR/media-cache") && cmp -s "$copy" "$f" \
  || { echo "media-service made no copy of the object" >&2; exit 1; }

W="$DATA_ROOT/media-cpu"; rm -rf "$W"; mkdir -p "$W"
bare_media_libs "$W"
start_bare_media "$W/lib" 26160 "$copy" "$OUT/bare.log" -Dbare.cork=true
BARE=$!
start_nginx "$W/ngx" 26161 /n/ "$(dirname "$copy")"
declare -A URL=([media]="$MEDIA/api/video-blob/bench-media-2m" [bare]="http://127.0.0.1:26160/x"
  [nginx]="http://127.0.0.1:26161/n/$(basename "$copy")")
declare -A PID_OF=([media]="$(pid_of_port "$VIDEOGEN_MEDIA_PORT")" [bare]="$BARE")
start_arms media 26170 BENCH_CPU "$OUT"
for a in "${ARMS[@]}"; do  # its own copy made (a first read), so that every arm sends from its cache
  URL[$a]="http://127.0.0.1:${PORT[$a]}/api/video-blob/bench-media-2m"
  curl -s -o /dev/null -H "X-Videogen-Owner: $OWNER" "${URL[$a]}"
  cached_copy "$VIDEOGEN_DATA_DIR/media-cache-$a" > /dev/null || { echo "arm $a made no copy" >&2; exit 1; }
  PID_OF[$a]=$(pid_of_port "${PORT[$a]}")
done
for t in bare nginx; do await_url "${URL[$t]}" || { echo "$t did not start" >&2; exit 1; }; done
TARGETS=(media "${ARMS[@]}" bare nginx)
want=$(dd if="$f" bs=1000000 skip=1 count=1 status=none | sha256sum)
for t in "${TARGETS[@]}"; do
  got=$(curl -s -H "X-Videogen-Owner: $OWNER" -H "Range: $RANGE" "${URL[$t]}" | sha256sum)
  [ "$got" = "$want" ] || { echo "bytes differ: $t" >&2; exit 1; }
done
load() { wrk -t 2 -c 64 -d "$2" -H "X-Videogen-Owner: $OWNER" -H "Range: $RANGE" "${URL[$1]}"; }
for t in "${TARGETS[@]}"; do load "$t" "${BENCH_WARMUP_SECONDS:-20}s" > /dev/null; done   # warm-up (JIT, page cache)
note "media-cpu: bytes identical, warmed up; load $(loadavg)"

# per process: utime stime (clock ticks); per thread of the serving processes: voluntary and involuntary switches
cpu_ticks() { for p in $1; do cat "/proc/$p/stat"; done | awk '{u += $14; s += $15} END {print u, s}'; }
switches() {
  for p in $1; do for task in /proc/"$p"/task/*; do awk '/^voluntary_ctxt/ {v = $2} /^nonvoluntary_ctxt/ {n = $2}
    END {print v, n}' "$task/status"; done; done 2>/dev/null | awk '{v += $1; n += $2} END {print v, n}'
}
idle_total() { awk '/^cpu / {print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
hz=$(getconf CLK_TCK)
: > "$OUT/results.txt"
for r in $(seq 1 "$ROUNDS"); do
  # rotate the order so no target always runs first (or last)
  order=("${TARGETS[@]:r % ${#TARGETS[@]}}" "${TARGETS[@]:0:r % ${#TARGETS[@]}}")
  for t in "${order[@]}"; do
    pids=$(serving_pids "$t")
    read -r u0 s0 < <(cpu_ticks "$pids"); read -r v0 n0 < <(switches "$pids"); read -r i0 a0 < <(idle_total)
    /usr/bin/time -f "%U %S" -o "$OUT/wrk-time" wrk -t 2 -c 64 -d "${DUR}s" -H "X-Videogen-Owner: $OWNER" \
      -H "Range: $RANGE" "${URL[$t]}" > "$OUT/r$r-$t.txt"
    read -r u1 s1 < <(cpu_ticks "$pids"); read -r v1 n1 < <(switches "$pids"); read -r i1 a1 < <(idle_total)
    rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/r$r-$t.txt")
    read -r wu ws < "$OUT/wrk-time"
    awk -v r="$r" -v t="$t" -v rps="$rps" -v d="$DUR" -v hz="$hz" -v u="$((u1 - u0))" -v s="$((s1 - s0))" \
        -v w="$wu $ws" -v v="$((v1 - v0))" -v n="$((n1 - n0))" -v idle="$((i1 - i0))" -v all="$((a1 - a0))" -v load="$(loadavg | cut -d' ' -f1)" \
      'BEGIN {split(w, ww, " "); q = rps * d;
        printf "round=%s target=%s rps=%s user_ms=%.3f sys_ms=%.3f wrk_ms=%.3f vol_cs=%.2f invol_cs=%.2f idle=%.3f load=%s\n",
          r, t, rps, 1000 * u / hz / q, 1000 * s / hz / q, 1000 * (ww[1] + ww[2]) / q, v / q, n / q, idle / all, load}' \
      | tee -a "$OUT/results.txt"
  done
done
# medians per target, and media-service's and the bare server's requests/s as a ratio to nginx's in the same round
/usr/bin/python3 - "$OUT/results.txt" "${TARGETS[@]}" <<'PY' | tee "$OUT/summary.txt"
import statistics, sys
rows = [dict(kv.split("=") for kv in line.split()) for line in open(sys.argv[1]) if line.strip()]
nginx = {r["round"]: float(r["rps"]) for r in rows if r["target"] == "nginx"}
print("target    rps/nginx  user_ms  sys_ms  wrk_ms  vol_cs  invol_cs  (medians per request over %d rounds)" % len(nginx))
for t in sys.argv[2:]:
    mine = [r for r in rows if r["target"] == t]
    med = lambda k: statistics.median(float(r[k]) for r in mine)
    ratio = statistics.median(float(r["rps"]) / nginx[r["round"]] for r in mine)
    print(f"{t:8}  {ratio:9.2f}  {med('user_ms'):7.3f}  {med('sys_ms'):6.3f}  {med('wrk_ms'):6.3f}  {med('vol_cs'):6.2f}  {med('invol_cs'):8.2f}")
PY
