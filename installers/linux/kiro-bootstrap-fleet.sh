#!/usr/bin/env bash
# Run kiro-bootstrap from a fleet tool (Ansible, Salt, cron, a systemd timer) on Linux.
#
#   kiro-bootstrap-fleet.sh [kiro-bootstrap arguments...]   (default: install --silent)
#
# The agent does all the work; this wrapper only answers the one question the agent cannot
# answer when it cannot start: can Kiro run on this host at all? Kiro needs glibc 2.39 or newer
# on x86_64. An older host gets that verdict and exit 3 here, without starting the binary (which,
# built for a newer glibc, might not even load). --allow-unsupported-os skips the check, as it
# does for the agent. Every other exit code is the agent's own (see README "Exit codes").
#
# Environment: KIRO_BOOTSTRAP_BIN (the agent; default /usr/local/bin/kiro-bootstrap) and any
# KIRO_BOOTSTRAP_* setting, e.g. KIRO_BOOTSTRAP_IDENTITY_CENTER__START_URL.
set -u

readonly DEFAULT_BIN=/usr/local/bin/kiro-bootstrap
readonly KIRO_GLIBC_FLOOR=2.39
readonly KIRO_ARCH=x86_64
readonly EXIT_HOST_UNSUPPORTED=3
readonly EXIT_CANNOT_WORK_AS_SET_UP=9

bin=${KIRO_BOOTSTRAP_BIN:-$DEFAULT_BIN}
if [ "$#" -eq 0 ]; then
  set -- install --silent
fi

unsupported() {
  echo "kiro-bootstrap-fleet: Kiro cannot run on this host: $1." >&2
  echo "kiro-bootstrap-fleet: hint: Kiro needs Linux $KIRO_ARCH with glibc $KIRO_GLIBC_FLOOR or newer (Ubuntu 24.04+, Debian 13+, Fedora 40+)." >&2
  exit "$EXIT_HOST_UNSUPPORTED"
}

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
for argument in "$@"; do
  [ "$argument" = "--allow-unsupported-os" ] && allow_unsupported=true
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

if [ ! -x "$bin" ]; then
  echo "kiro-bootstrap-fleet: the agent $bin is missing or not executable." >&2
  echo "kiro-bootstrap-fleet: hint: install it there or set KIRO_BOOTSTRAP_BIN." >&2
  exit "$EXIT_CANNOT_WORK_AS_SET_UP"
fi
# The agent rejects KIRO_BOOTSTRAP_* names it does not know (a typo must not pass silently).
unset KIRO_BOOTSTRAP_BIN
exec "$bin" "$@"
