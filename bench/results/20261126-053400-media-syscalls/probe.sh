#!/usr/bin/env bash
set -uo pipefail
cd /work/main
. bench/lib.sh
export BENCH_RESULTS=/tmp/probe/results; RESULTS=$BENCH_RESULTS; mkdir -p $RESULTS
export VIDEOGEN_DATA_DIR="$DATA_ROOT/system-probe"
start_system probe 0 0 "$VIDEOGEN_DATA_DIR"
trap 'stop_system; kill $BARE 2>/dev/null' EXIT
BENCH_MEDIA_CLIENTS=64 BENCH_MEDIA_SECONDS=2 bash bench/media.sh > /tmp/probe/media.log 2>&1
MPID=$(ss -ltnp | grep ":$VIDEOGEN_MEDIA_PORT " | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
W="$DATA_ROOT/media-floor"
java -Xmx256m -XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1 -Dreactor.netty.ioWorkerCount=2 -Dbare.cork=true \
  -cp "$W/lib/*" bench/java/BareMedia.java 26160 "$DATA_ROOT/files/2m.bin" > /tmp/probe/bare.log 2>&1 &
BARE=$!
sleep 8
for t in media bare; do
  if [ $t = media ]; then url="$MEDIA/api/video-blob/bench-media-2m"; pid=$MPID; hdr="X-Videogen-Owner: bench-media"
  else url="http://127.0.0.1:26160/2m.bin"; pid=$BARE; hdr="X-Bench: 1"; fi
  curl -s -D - -o /dev/null -H "$hdr" -H "Range: bytes=1000000-1999999" "$url" > /tmp/probe/$t.headers
  wrk -t 2 -c 64 -d 3s -H "$hdr" -H "Range: bytes=1000000-1999999" "$url" > /dev/null
  for kind in range full; do
    r=(); [ $kind = range ] && r=(-H "Range: bytes=1000000-1999999")
    timeout 8 strace -c -f -p $pid -o /tmp/probe/$t-$kind.strace &
    S=$!; sleep 1
    wrk -t 2 -c 64 -d 4s -H "$hdr" "${r[@]}" "$url" > /tmp/probe/$t-$kind.wrk
    kill -INT $S 2>/dev/null; wait $S 2>/dev/null
  done
done
echo done
