#!/bin/sh
# Creates the Videogen buckets; safe to run again. Runs in the minio/mc image, both as compose's minio-init and
# as the local Kubernetes Job (one file for both).
set -eu

endpoint="${S3_ENDPOINT:-http://minio:9000}"
config_dir="${MC_CONFIG_DIR:-/tmp/.mc}"
deadline=$(( $(date +%s) + ${VIDEOGEN_INIT_TIMEOUT_SECONDS:-300} ))

# The keys come from the environment only; mc keeps them in its config directory under /tmp, never in a layer.
until mc --config-dir "$config_dir" alias set videogen "$endpoint" "$S3_ACCESS_KEY" "$S3_SECRET_KEY" >/dev/null 2>&1 \
      && mc --config-dir "$config_dir" ready videogen >/dev/null 2>&1; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "minio-init: no object store answered at $endpoint" >&2
    exit 1
  fi
  echo "minio-init: waiting for $endpoint ..."
  sleep 3
done

for bucket in ${VIDEOGEN_BUCKETS:-uploads videos}; do
  mc --config-dir "$config_dir" mb --ignore-existing "videogen/$bucket"
done
echo "minio-init: buckets ready"
