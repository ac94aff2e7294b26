#!/usr/bin/env bash
# Submit path: POST /api/generate-video with a ~500 KB PNG (multipart body built once) at 1, 16 and 64 clients (wrk),
# each beside GET /actuator/health on the same gateway in the same run (the reference). Then a cost breakdown:
# a 500 KB PUT to the object store and a Kafka publish (acks=all, idempotent), each timed alone against the same
# servers, and the gateway's own server-side time from /actuator/prometheus.
# Needs a running system with VIDEOGEN_WORKERS=0 and a big VIDEOGEN_RATE_LIMIT_PER_MINUTE (run-all.sh does both).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${VIDEOGEN_DATA_DIR:?export VIDEOGEN_DATA_DIR of the running system}"
OUT="$RESULTS/submit"; mkdir -p "$OUT"
build_if_needed
s3_env
DUR="${BENCH_SUBMIT_SECONDS:-6}"
CLIENTS="${BENCH_SUBMIT_CLIENTS:-1 16 64}"
COOKIE="videogen_owner=$(owner_cookie bench-submit)"

PNG="$DATA_ROOT/files/submit.png"; BODY="$DATA_ROOT/files/submit.body"; BOUNDARY="videogenbench7d1f3a"
mkdir -p "$DATA_ROOT/files"
[ -f "$PNG" ] || make_png "$PNG" 408 408 noise
{
  printf -- '--%s\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nA calm ocean at dawn\r\n' "$BOUNDARY"
  printf -- '--%s\r\nContent-Disposition: form-data; name="image"; filename="bench.png"\r\nContent-Type: image/png\r\n\r\n' "$BOUNDARY"
  cat "$PNG"
  printf -- '\r\n--%s--\r\n' "$BOUNDARY"
} > "$BODY"
echo "png_bytes=$(stat -c %s "$PNG") body_bytes=$(stat -c %s "$BODY")" > "$OUT/body.txt"
code=$(curl -s -o "$OUT/sample-response.json" -w '%{http_code}' -H "Cookie: $COOKIE" \
  -H "Content-Type: multipart/form-data; boundary=$BOUNDARY" --data-binary @"$BODY" "$GATEWAY/api/generate-video")
[ "$code" = 202 ] || { echo "submit answered $code: $(cat "$OUT/sample-response.json")" >&2; exit 1; }

# wrk rather than hey: `hey -z` waits for the request in flight at the deadline until its timeout, which skews
# requests/s; wrk stops on time. bench/post-body.lua sends the body built above, byte for byte.
export BENCH_BODY="$BODY" BENCH_BOUNDARY="$BOUNDARY" BENCH_COOKIE="$COOKIE"
post() { wrk -t "$(( $1 < 2 ? 1 : 2 ))" -c "$1" -d "$2" --timeout 30s --latency -s "$BENCH_DIR/post-body.lua" "$GATEWAY/api/generate-video"; }
health() { wrk -t "$(( $1 < 2 ? 1 : 2 ))" -c "$1" -d "$2" --timeout 30s --latency -H "Cookie: $COOKIE" "$GATEWAY/actuator/health"; }
post 4 "${BENCH_SUBMIT_WARMUP_SECONDS:-3}s" > /dev/null   # warm-up, not recorded
health 4 2s > /dev/null
record_load submit-start
# the gateway's own count and total time of successful submits (its http_server_requests metric)
server_time() { curl -s "$GATEWAY/actuator/prometheus" | awk '/^http_server_requests_seconds_(count|sum)\{/ && /outcome="SUCCESS"/ && /uri="\/api\/generate-video"/ {
  if ($1 ~ /_count/) c += $2; else s += $2 } END { printf "%d %.6f\n", c, s }'; }
for c in $CLIENTS; do
  rss_sampler_start "submit-c$c" "$OUT/rss-samples.txt"
  echo "before $(server_time)" > "$OUT/server-c$c.txt"
  post "$c" "${DUR}s" > "$OUT/submit-c$c.txt" 2>&1 || true
  echo "after $(server_time)" >> "$OUT/server-c$c.txt"
  rss_sampler_stop
  echo "load $(loadavg)" >> "$OUT/submit-c$c.txt"
  health "$c" "${DUR}s" > "$OUT/health-c$c.txt" 2>&1 || true
  echo "load $(loadavg)" >> "$OUT/health-c$c.txt"
  note "submit c=$c: $(grep 'Requests/sec' "$OUT/submit-c$c.txt") | health: $(grep 'Requests/sec' "$OUT/health-c$c.txt")"
done
record_load submit-end

# --- cost breakdown, each part alone against the same servers, 1 client ---
# a 500 KB PUT to the uploads bucket: one curl, 40 sequential PUTs on one keep-alive connection
args=(); for i in $(seq 1 40); do args+=(-T "$PNG" "$S3_ENDPOINT/uploads/bench-put-$i"); done
s3_curl -o /dev/null -w '%{time_total}\n' "${args[@]}" > "$OUT/s3-put.txt"
# a request-sized record (~350 bytes) published to Kafka and acknowledged (acks=all), 200 times
tool kafka count=200 bytes=350 > "$OUT/kafka-publish.txt" 2>>"$OUT/tool.log"
# the same 500 KB PNG through the gateway's multipart parser + validator only cannot be isolated from outside;
# it is what remains of the server-side time once the PUT and the publish are taken away (see report.py).
