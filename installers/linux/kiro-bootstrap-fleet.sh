#!/usr/bin/env bash
# Run kiro-bootstrap from a fleet tool (Ansible, Salt, cron, a systemd timer) on Linux.
#
#   kiro-bootstrap-fleet.sh [kiro-bootstrap arguments...]   (default: install --silent)
#   kiro-bootstrap-fleet.sh state    print the fleet state the agent recorded (one word)
#
# The agent does all the work; this wrapper only answers the one question the agent cannot
# answer when it cannot start: can Kiro run on this host at all? Kiro needs glibc 2.39 or newer
# on x86_64. An older host gets that verdict and exit 3 here, without starting the binary (which,
# built for a newer glibc, might not even load). --allow-unsupported-os skips the check, as it
# does for the agent. Every other exit code is the agent's own (see README "Exit codes").
#
# A refusal leaves a trace: wrapper.json (atomic, 0644) beside the agent's machine status file,
# which the agent folds into the fleet `state` ("unsupported"); under --json the refusal is one
# JSON object on stdout, shaped like the agent's own errors. A host that passes the check has
# its old refusal removed. `state` reads the `state` the agent wrote (or the wrapper's own
# refusal, which the agent would fold in first): it compares nothing and computes nothing.
#
# Environment: KIRO_BOOTSTRAP_BIN (the agent; default /usr/local/bin/kiro-bootstrap) and any
# KIRO_BOOTSTRAP_* setting, e.g. KIRO_BOOTSTRAP_IDENTITY_CENTER__START_URL. KIRO_BOOTSTRAP_ROOT
# (the agent's root override) moves the state folder as it does for the agent.
set -u

readonly DEFAULT_BIN=/usr/local/bin/kiro-bootstrap
readonly KIRO_GLIBC_FLOOR=2.39
readonly KIRO_ARCH=x86_64
readonly EXIT_HOST_UNSUPPORTED=3
readonly EXIT_CANNOT_WORK_AS_SET_UP=9

readonly HINT="Kiro needs Linux $KIRO_ARCH with glibc $KIRO_GLIBC_FLOOR or newer (Ubuntu 24.04+, Debian 13+, Fedora 40+)."
root=${KIRO_BOOTSTRAP_ROOT:-/}
readonly STATE_DIR="${root%/}/var/lib/kiro-bootstrap"
readonly WRAPPER_FILE="$STATE_DIR/wrapper.json"

bin=${KIRO_BOOTSTRAP_BIN:-$DEFAULT_BIN}
if [ "$#" -eq 0 ]; then
  set -- install --silent
fi

# The state the agent recorded: the top-level "state" of its status file, which the agent
# writes with two-space indentation (nested keys are indented further).
print_state() {
  local state=""
  if [ -f "$WRAPPER_FILE" ] && grep -q '"state": "unsupported"' "$WRAPPER_FILE"; then
    state=unsupported
  elif [ -f "$STATE_DIR/status.json" ]; then
    state=$(sed -n 's/^  "state": "\([a-z-]*\)",\{0,1\}$/\1/p' "$STATE_DIR/status.json" | head -n 1)
  fi
  echo "${state:-not-installed}"
}

json_string() {
  local text=${1//\\/\\\\}
  printf '"%s"' "${text//\"/\\\"}"
}

# wrapper.json: written to a temporary file in the same folder, 0644, then renamed.
record_refusal() {
  local reason=$1 temporary
  shift
  # Parents (under the root override) as mkdir makes them; the state folder itself 0755.
  if [ ! -d "$STATE_DIR" ]; then
    mkdir -p "${STATE_DIR%/*}" 2>/dev/null && mkdir -m 0755 "$STATE_DIR" 2>/dev/null || return 0
  fi
  temporary=$(mktemp "$STATE_DIR/.wrapper.json.XXXXXX" 2>/dev/null) || return 0
  {
    printf '{"schema": "kiro-bootstrap-wrapper/1", "state": "unsupported", "exit_code": %s, ' "$EXIT_HOST_UNSUPPORTED"
    printf '"at": "%s", "command": %s, "reason": %s}\n' "$(date -u +%Y-%m-%dT%H:%M:%S+00:00)" "$(json_string "$*")" "$(json_string "$reason")"
  } >"$temporary"
  if ! { chmod 0644 "$temporary" && mv -f "$temporary" "$WRAPPER_FILE"; }; then
    rm -f "$temporary"
  fi
}

unsupported() {
  local reason="Kiro cannot run on this host: $1."
  record_refusal "$reason" "${arguments[@]}"
  if [ "$json" = true ]; then
    printf '{"schema": "kiro-bootstrap/1", "command": %s, "ok": false, "exit_code": %s, "state": "unsupported", "error": {"code": "host-unsupported", "message": %s, "hint": %s}}\n' \
      "$(json_string "${arguments[0]}")" "$EXIT_HOST_UNSUPPORTED" "$(json_string "$reason")" "$(json_string "$HINT")"
  fi
  echo "kiro-bootstrap-fleet: $reason" >&2
  echo "kiro-bootstrap-fleet: hint: $HINT" >&2
  exit "$EXIT_HOST_UNSUPPORTED"
}

if [ "$1" = state ]; then
  print_state
  exit 0
fi
arguments=("$@")

# The glibc version from `ldd --version`'s first line ("ldd (Debian GLIBC 2.36-9) 2.36"); empty
# when ldd is missing; "musl" for musl's ldd, which prints its banner on stderr and exits 1.
glibc_version() {
  local banner
  command -v ldd >/dev/null 2>&1 || return 0
  banner=$(ldd --version 2>&1 | head -n 1)
  case $banner in
    *musl*) echo musl ;;
    *) printf '%s\n' "$banner" | grep -oE '[0-9]+\.[0-9]+$' || true ;;
  esac
}

# True when version $1 is older than version $2.
older_than() {
  [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" = "$1" ]
}

allow_unsupported=false
json=false
for argument in "$@"; do
  [ "$argument" = "--allow-unsupported-os" ] && allow_unsupported=true
  [ "$argument" = "--json" ] && json=true
done

if [ "$allow_unsupported" = false ]; then
  arch=$(uname -m)
  [ "$arch" = "$KIRO_ARCH" ] || unsupported "the architecture is $arch; Kiro for Linux is built only for $KIRO_ARCH"
  glibc=$(glibc_version)
  if [ "$glibc" = musl ]; then
    unsupported "the C library is musl; Kiro needs glibc"
  elif [ -n "$glibc" ] && older_than "$glibc" "$KIRO_GLIBC_FLOOR"; then
    unsupported "glibc $glibc is older than $KIRO_GLIBC_FLOOR"
  fi
  # No ldd at all: leave the verdict to the agent, which reads the C library itself.
fi
# This host passes (or the check was waived): an old refusal no longer holds.
rm -f "$WRAPPER_FILE" 2>/dev/null

if [ ! -x "$bin" ]; then
  echo "kiro-bootstrap-fleet: the agent $bin is missing or not executable." >&2
  echo "kiro-bootstrap-fleet: hint: install it there or set KIRO_BOOTSTRAP_BIN." >&2
  exit "$EXIT_CANNOT_WORK_AS_SET_UP"
fi
# The agent rejects KIRO_BOOTSTRAP_* names it does not know (a typo must not pass silently).
unset KIRO_BOOTSTRAP_BIN
exec "$bin" "$@"
