#!/usr/bin/env bash
# Checks the deployment files without a cluster or a Docker engine:
#   1. shell syntax of the init and healthcheck scripts;
#   2. `kubectl kustomize` renders k8s/base and every overlay under k8s/overlays/;
#   3. `docker-compose config` (Debian's docker-compose 1.29) parses docker-compose.yml;
#   4. schema: every rendered object against the Kubernetes OpenAPI schema (and KEDA's CRD), unknown fields
#      included (deploy/check/schema-check.mjs, npm packages kubernetes-models + typescript);
#   5. policy: probes, resources, securityContext, references, one name per service, secrets never written,
#      autoscaling and compose scale-out rules (deploy/check/policy-check.py, Python + PyYAML).
# Installs what is missing from Debian's packages (as root) and the npm packages into a cache outside the work
# tree; skips a step only when its tool cannot be had at all, and says so. Exits non-zero on any failure.
set -euo pipefail
exec 2>&1 # one stream, so each finding prints next to its step

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CACHE="${VIDEOGEN_CHECK_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/videogen-check-deploy}"
WORK="$(mktemp -d)"
SCHEMA_WORK=""
cleanup() { rm -rf "$WORK"; [ -z "$SCHEMA_WORK" ] || rm -rf "$SCHEMA_WORK"; }
trap cleanup EXIT

started=$SECONDS
passed=0 failed=0 skipped=0
log() { printf '[check-deploy] %s\n' "$*"; }
step_started=$SECONDS
report() { log "$1 ${*:2} ($((SECONDS - step_started)) s)"; step_started=$SECONDS; }
pass() { passed=$((passed + 1)); report PASS "$@"; }
fail() { failed=$((failed + 1)); report FAIL "$@"; }
skip() { skipped=$((skipped + 1)); report SKIP "$@"; }

apt_updated=false
apt_install() { # package...; true when installed
  [ "$(id -u)" = 0 ] || { log "not root: cannot apt-get install $*"; return 1; }
  command -v apt-get >/dev/null || return 1
  local apt=(apt-get -y -qq -o DPkg::Lock::Timeout=300 install --no-install-recommends)
  log "installing $* (Debian) ..."
  if DEBIAN_FRONTEND=noninteractive "${apt[@]}" "$@" >"$WORK/apt.log" 2>&1; then return 0; fi
  if ! $apt_updated; then
    apt_updated=true
    apt-get -qq -o DPkg::Lock::Timeout=300 update >>"$WORK/apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" "$@" >>"$WORK/apt.log" 2>&1 && return 0
  fi
  tail -n 5 "$WORK/apt.log" >&2
  return 1
}

# --- 1. scripts ---------------------------------------------------------------------------------------------
syntax_ok=true
for script in k8s/overlays/local/init/create-topics.sh deploy/healthcheck.sh; do
  bash -n "$script" || syntax_ok=false
done
sh -n k8s/overlays/local/init/create-buckets.sh || syntax_ok=false
if $syntax_ok; then pass "shell syntax of init and healthcheck scripts"; else fail "shell syntax"; fi

# --- 2. kustomize -------------------------------------------------------------------------------------------
# kubectl ships kustomize; the Debian package kubernetes-client is kubectl 1.20 with kustomize 2, too old for
# these files, so a kubectl from the machine's own repositories is what counts.
kustomize_ok() {
  command -v kubectl >/dev/null || return 1
  local v
  v="$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')"
  [ -n "$v" ] && [ "$v" -ge 5 ]
}
kustomize_ok || apt_install kubectl || true
rendered=()
if kustomize_ok; then
  render_ok=true
  for dir in k8s/base k8s/overlays/*/; do
    dir="${dir%/}"
    name="$(basename "$dir")"
    if kubectl kustomize "$dir" >"$WORK/$name.yaml" 2>"$WORK/$name.err"; then
      rendered+=("$name=$WORK/$name.yaml")
      log "  rendered $dir: $(grep -c '^kind:' "$WORK/$name.yaml") objects"
    else
      render_ok=false
      sed 's/^/    /' "$WORK/$name.err" >&2
    fi
  done
  if $render_ok; then pass "kubectl kustomize renders k8s/base and $(( ${#rendered[@]} - 1 )) overlays"; else fail "kubectl kustomize"; fi
else
  skip "kubectl kustomize: no kubectl with kustomize v5+ here, and none installable (Debian's kubernetes-client is 1.20)"
fi

# --- 3. compose ---------------------------------------------------------------------------------------------
command -v docker-compose >/dev/null || apt_install docker-compose || true
compose_resolved=""
if command -v docker-compose >/dev/null; then
  # Resolved without the caller's secrets, so no token is ever written to the scratch file.
  compose() { env -u HF_TOKEN -u FAL_KEY -u VIDEOGEN_OWNER_KEY -u S3_ACCESS_KEY -u S3_SECRET_KEY \
                docker-compose --project-directory "$ROOT" -f "$ROOT/docker-compose.yml" "$@"; }
  # `config` validates exactly as `config -q` does, and also hands the resolved file to the policy step.
  if compose config >"$WORK/compose.yml" 2>"$WORK/compose.err"; then
    compose_resolved="$WORK/compose.yml"
    pass "docker-compose config parses docker-compose.yml"
  else
    sed 's/^/    /' "$WORK/compose.err" >&2
    fail "docker-compose config"
  fi
else
  skip "docker-compose config: docker-compose is not installed and could not be installed"
fi

# --- 4. schema ----------------------------------------------------------------------------------------------
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt_install nodejs npm || true
fi
if [ ${#rendered[@]} -eq 0 ]; then
  skip "schema: nothing rendered"
elif ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  skip "schema: node/npm not available and not installable"
else
  stamp="$(cat deploy/check/package.json deploy/check/package-lock.json | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$CACHE/.installed" 2>/dev/null)" != "$stamp" ]; then
    log "installing the schema checker's npm packages into $CACHE ..."
    mkdir -p "$CACHE"
    cp deploy/check/package.json deploy/check/package-lock.json "$CACHE/"
    rm -f "$CACHE/.installed"
    (cd "$CACHE" && npm ci --loglevel=error --no-audit --no-fund >"$WORK/npm.log" 2>&1) \
      && echo "$stamp" >"$CACHE/.installed" || tail -n 20 "$WORK/npm.log" >&2
  fi
  if [ -f "$CACHE/.installed" ]; then
    cp deploy/check/schema-check.mjs "$CACHE/schema-check.mjs"
    SCHEMA_WORK="$CACHE/work-$$"
    files=()
    for r in "${rendered[@]}"; do files+=("${r#*=}"); done
    if node "$CACHE/schema-check.mjs" "$SCHEMA_WORK" "${files[@]}"; then
      pass "schema of every rendered object"
    else
      fail "schema"
    fi
  else
    fail "schema: npm ci of deploy/check failed"
  fi
fi

# --- 5. policy ----------------------------------------------------------------------------------------------
python=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import yaml' 2>/dev/null; then python="$candidate"; break; fi
done
if [ -z "$python" ] && apt_install python3 python3-yaml; then python=/usr/bin/python3; fi
if [ -z "$python" ]; then
  skip "policy: no Python 3 with PyYAML and none installable"
else
  args=(--root "$ROOT")
  [ -z "$compose_resolved" ] || args+=(--compose-config "$compose_resolved" --raw-compose "$ROOT/docker-compose.yml")
  if "$python" deploy/check/policy-check.py "${args[@]}" "${rendered[@]}"; then
    pass "policy"
  else
    fail "policy"
  fi
fi

log "done in $((SECONDS - started)) s"
echo "check-deploy: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
