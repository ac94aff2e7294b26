#!/bin/bash
# Container healthcheck without curl in the image: an HTTP/1.0 GET over bash's /dev/tcp.
# Usage: healthcheck PORT [PATH]   exits 0 only on an HTTP 200 answer.
set -u
port="${1:?usage: healthcheck PORT [PATH]}"
path="${2:-/actuator/health/readiness}"
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 5 status <&3 || exit 1
exec 3<&-
case "$status" in
  HTTP/1.?\ 200*) exit 0 ;;
  *) echo "unhealthy: ${status%$'\r'}" >&2; exit 1 ;;
esac
