#!/usr/bin/env bash
# Media delivery: full and range GETs of a 2 MiB and a 50 MiB object, 1 and 64 clients, through media-service
# directly, through the gateway, and from nginx serving the very same file from disk -- all in the same run.
# First the cold case (the first read of each object misses media-service's disk cache), then the timed runs,
# all of which find the copy in the cache (warm).
# Needs a running system (bench/run-all.sh starts one; or start ./run.sh yourself with the bench ports and
# VIDEOGEN_DATA_DIR exported). Output: $RESULTS/media/*.txt (raw wrk output, RSS samples).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${VIDEOGEN_DATA_DIR:?export VIDEOGEN_DATA_DIR of the running system}"
DUR="${BENCH_MEDIA_SECONDS:-4}"
CLIENTS="${BENCH_MEDIA_CLIENTS:-1 64}"
OUT="$RESULTS/media"; mkdir -p "$OUT"
build_if_needed
s3_env
OWNER="bench-media"
COOKIE="videogen_owner=$(owner_cookie "$OWNER")"
RANGE="bytes=1000000-1999999"

# --- the objects: random bytes (an encoded video is incompressible too), as videos of two jobs of $OWNER ---
declare -A SIZE_BYTES=([2m]=$((2 * 1024 * 1024)) [50m]=$((50 * 1024 * 1024)))
mkdir -p "$DATA_ROOT/files"
s3_curl -o /dev/null -X PUT "$S3_ENDPOINT/videos" || true   # the bucket (exists already if a worker ran)
for size in 2m 50m; do
  f="$DATA_ROOT/files/$size.bin"
  [ -f "$f" ] || head -c "${SIZE_BYTES[$size]}" /dev/urandom > "$f"
  put_media_object "$OWNER" "bench-media-$size" "$f" 2>>"$OUT/tool.log"
done
for size in 2m 50m; do await_media_owner "$OWNER" "bench-media-$size"; done # then check bytes on every path

# --- nginx on the object store's own file of the same object (S3Proxy keeps objects as plain files) ---
ROOT_DIR="$VIDEOGEN_DATA_DIR/s3/videos"
cmp -s "$ROOT_DIR/bench-media-2m.mp4" "$DATA_ROOT/files/2m.bin" || { echo "object file not found under $ROOT_DIR" >&2; exit 1; }
start_nginx "$DATA_ROOT/nginx" "$NGINX_PORT" /api/video-blob/ "$ROOT_DIR"
trap 'kill -QUIT $NGINX_PID 2>/dev/null; wait $NGINX_PID 2>/dev/null; rss_sampler_stop' EXIT
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && break; sleep 0.1; done

url_of() { # target size
  case "$1" in
    nginx) echo "http://127.0.0.1:$NGINX_PORT/api/video-blob/bench-media-$2.mp4" ;;
    media) echo "$MEDIA/api/video-blob/bench-media-$2" ;;
    gateway) echo "$GATEWAY/api/video-blob/bench-media-$2" ;;
  esac
}
auth_of() { case "$1" in media) echo "X-Videogen-Owner: $OWNER" ;; gateway) echo "Cookie: $COOKIE" ;; *) echo "X-Bench: 1" ;; esac; }

# --- cold and warm cache: the first read of an object misses media-service's disk cache and streams from the
# object store while a copy is made in the background; once the copy is in place, reads are sendfile from it ---
fills_idle() { curl -s "$MEDIA/actuator/prometheus" | grep -Eq '^videogen_media_cache_fills_active(\{[^}]*\})? 0(\.0)?$'; }
: > "$OUT/cold-warm.txt"
for size in 2m 50m; do
  for attempt in miss hit; do
    echo "$size $attempt $(curl -s -o /dev/null -w '%{http_code} %{time_total} %{speed_download}' \
      -H "X-Videogen-Owner: $OWNER" "$(url_of media "$size")")" >> "$OUT/cold-warm.txt"
    for _ in $(seq 1 300); do fills_idle && break; sleep 0.1; done
  done
done
curl -s "$MEDIA/actuator/prometheus" | grep -E '^videogen_media_cache_(fills|requests|size|entries)' > "$OUT/cache-metrics-cold.txt" || true

# --- correctness first: the same bytes on every path ---
for size in 2m 50m; do
  want_full=$(sha256sum < "$DATA_ROOT/files/$size.bin")
  want_range=$(dd if="$DATA_ROOT/files/$size.bin" bs=1000000 skip=1 count=1 status=none | sha256sum)
  for target in nginx media gateway; do
    got_full=$(curl -sf -H "$(auth_of $target)" "$(url_of $target $size)" | sha256sum)
    got_range=$(curl -sf -H "$(auth_of $target)" -H "Range: $RANGE" "$(url_of $target $size)" | sha256sum)
    [ "$got_full" = "$want_full" ] && [ "$got_range" = "$want_range" ] || { echo "bytes differ: $target $size" >&2; exit 1; }
  done
done
note "media: bytes identical on nginx, media-service and gateway; load $(loadavg)"
record_load media-start

MEDIA_PID=$(pid_of_port "$VIDEOGEN_MEDIA_PORT")
GATEWAY_PID=$(pid_of_port "$VIDEOGEN_PORT")
# user and system CPU seconds of the processes that serve a target (nginx: its workers; the gateway: itself, not the
# media-service behind it); "$name.cpu" holds them before and after each cell: user0 sys0 user1 sys1
cpu_of_target() {
  local pids
  case $1 in nginx) pids=$(pgrep -P "$NGINX_PID" | tr '\n' ' ') ;; media) pids=$MEDIA_PID ;; gateway) pids=$GATEWAY_PID ;; esac
  for p in $pids; do cat "/proc/$p/stat" 2>/dev/null; done \
    | awk -v hz="$(getconf CLK_TCK)" '{u += $14; s += $15} END {printf "%.2f %.2f", u / hz, s / hz}'
}
echo "before $(rss_kb "$MEDIA_PID")" > "$OUT/media-rss.txt"
# warm-up (JIT, connection pools), not recorded: media-service and the gateway run the full JIT, whose C2 needs ~20-30 s
# of load here to compile the request path (BENCH_MEDIA_WARMUP_SECONDS each, default 20, half of it ranges)
WARM="${BENCH_MEDIA_WARMUP_SECONDS:-20}"
for target in media gateway; do
  wrk -t 2 -c 64 -d "$((WARM / 2))s" -H "$(auth_of $target)" -H "Range: $RANGE" "$(url_of $target 2m)" > /dev/null 2>&1 || true
  wrk -t 2 -c 64 -d "$((WARM - WARM / 2))s" -H "$(auth_of $target)" "$(url_of $target 2m)" > /dev/null 2>&1 || true
done
wrk -t 2 -c 8 -d 2s -H "$(auth_of nginx)" "$(url_of nginx 2m)" > /dev/null 2>&1 || true
echo "after-warmup $(rss_kb "$MEDIA_PID")" >> "$OUT/media-rss.txt"

# S3Proxy alone, 1 client (what media-service itself reads from): 5 sequential signed GETs of each object
for size in 2m 50m; do
  for _ in 1 2 3 4 5; do
    s3_curl -o /dev/null -w '%{speed_download} %{time_total}\n' "$S3_ENDPOINT/videos/bench-media-$size.mp4"
  done > "$OUT/s3proxy-$size.txt"
done

round=0
for size in 2m 50m; do
  for kind in full range; do
    for c in $CLIENTS; do
      threads=$(( c < 2 ? 1 : 2 ))
      # rotate the order so no target always runs first (or last) on a noisy machine
      case $((round % 3)) in 0) order="nginx media gateway" ;; 1) order="media gateway nginx" ;; *) order="gateway nginx media" ;; esac
      round=$((round + 1))
      for target in $order; do
        name="${size}_${kind}_c${c}_${target}"
        range_hdr=(); [ "$kind" = range ] && range_hdr=(-H "Range: $RANGE")
        rss_sampler_start "$name" "$OUT/rss-samples.txt"
        cpu0=$(cpu_of_target "$target")
        wrk -t "$threads" -c "$c" -d "${DUR}s" --timeout 30s --latency -H "$(auth_of $target)" "${range_hdr[@]}" \
            "$(url_of $target $size)" > "$OUT/$name.txt" 2>&1 || true
        echo "$cpu0 $(cpu_of_target "$target")" > "$OUT/$name.cpu"
        rss_sampler_stop
        echo "load $(loadavg)" >> "$OUT/$name.txt"
        # heap and direct buffers of media-service right after the load (is memory flat as clients grow?)
        [ "$target" = media ] && { curl -s "$MEDIA/actuator/prometheus" \
          | grep -E '^(jvm_buffer_memory_used_bytes|jvm_memory_used_bytes\{area="heap"|videogen_media_cache_(requests|size))' \
          > "$OUT/$name.metrics.txt" || true; }
        note "media $name: $(grep -E 'Requests/sec|Transfer/sec' "$OUT/$name.txt" | tr -s ' ' | tr '\n' ' ')"
      done
    done
  done
done
# the fixed cost of a request without a body: a conditional GET answered 304 (media-service: owner check, remembered or in Redis,
# and the cache look-up; nginx: its own ETag), 1 client
for target in nginx media; do
  etag=$(curl -sI -H "$(auth_of $target)" "$(url_of $target 2m)" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
  wrk -t 1 -c 1 -d "${DUR}s" --latency -H "$(auth_of $target)" -H "If-None-Match: $etag" "$(url_of $target 2m)" \
      > "$OUT/304_c1_$target.txt" 2>&1 || true
  echo "load $(loadavg)" >> "$OUT/304_c1_$target.txt"
  note "media 304_c1_$target: $(grep -E 'Requests/sec|Non-2xx' "$OUT/304_c1_$target.txt" | tr -s ' ' | tr '\n' ' ')"
done
echo "after $(rss_kb "$MEDIA_PID")" >> "$OUT/media-rss.txt"
curl -s "$MEDIA/actuator/prometheus" | grep -E '^videogen_media_(cache|s3)_' > "$OUT/cache-metrics-end.txt" || true
record_load media-end
