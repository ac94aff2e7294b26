#!/usr/bin/env bash
# ad-hoc: gateway media proxy vs nginx on the same object file, 64 and 1 clients, 2 MiB full and 1 MB range
set -euo pipefail
. /work/main/bench/lib.sh
OUT=/tmp/gw/out-$1; mkdir -p "$OUT"
build_if_needed
export VIDEOGEN_DATA_DIR="$DATA_ROOT/system-gw"
start_system gw 0 0 "$VIDEOGEN_DATA_DIR"
NGINX_PID=""
trap 'set +e; [ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID"; stop_system' EXIT
s3_env
OWNER=bench-media
s3_curl -o /dev/null -X PUT "$S3_ENDPOINT/videos" || true
f="$DATA_ROOT/files/2m.bin"; [ -f "$f" ] || head -c $((2*1024*1024)) /dev/urandom > "$f"
put_media_object "$OWNER" bench-media-2m "$f" 2>/dev/null
await_media_owner "$OWNER" bench-media-2m
COOKIE="videogen_owner=$(owner_cookie "$OWNER")"
G="$GATEWAY/api/video-blob/bench-media-2m"
curl -s -o /dev/null -H "Cookie: $COOKIE" "$G"; sleep 2
start_nginx "$DATA_ROOT/gw-ngx" 26161 /n/ "$VIDEOGEN_DATA_DIR/s3/videos"
N="http://127.0.0.1:26161/n/bench-media-2m.mp4"
sleep 1
cmp <(curl -s -H "Cookie: $COOKIE" "$G") "$f" && cmp <(curl -s "$N") "$f" && echo bytes ok
for u in "$G" "$N"; do wrk -t 2 -c 64 -d 3s -H "Cookie: $COOKIE" "$u" > /dev/null; done
for r in 1 2 3; do
  for c in 64 1; do for kind in full range; do
    h=(); [ $kind = range ] && h=(-H "Range: bytes=1000000-1999999")
    t=$(( c < 2 ? 1 : 2 ))
    g=$(wrk -t $t -c $c -d 4s -H "Cookie: $COOKIE" "${h[@]}" "$G" | awk '/Requests\/sec/{print $2}')
    n=$(wrk -t $t -c $c -d 4s "${h[@]}" "$N" | awk '/Requests\/sec/{print $2}')
    echo "r$r c$c $kind gateway=$g nginx=$n ratio=$(echo "scale=2; $g / $n" | bc)" | tee -a "$OUT/results.txt"
  done; done
done
