#!/bin/bash
# Jamf Pro policy script: install and configure Kiro for the person at this Mac.
#
# Jamf passes $1 mount point, $2 computer name, $3 user name; the policy's parameters are:
#   $4  IAM Identity Center start URL   (identity_center.start_url), e.g. https://d-1234567890.awsapps.com/start
#   $5  IAM Identity Center region      (identity_center.region), e.g. us-east-1
#   $6  Kiro version pin                (release.version): empty or "latest" for the newest
#   $7  extra kiro-bootstrap flags, split on spaces, e.g. "--close-running"
# Empty parameters leave the setting to the configuration profile (dev.kiro.bootstrap) or the
# defaults. The agent does everything; its exit code is the script's (README "Exit codes"):
# Jamf marks any non-zero code as failed, and the policy log shows the agent's one sentence.
#
# KIRO_BOOTSTRAP_BIN overrides where the agent is (default: where the pkg puts it).
set -u

readonly DEFAULT_BIN=/usr/local/bin/kiro-bootstrap
readonly EXIT_CANNOT_WORK_AS_SET_UP=9

bin=${KIRO_BOOTSTRAP_BIN:-$DEFAULT_BIN}
start_url=${4:-}
idc_region=${5:-}
version_pin=${6:-}
extra_flags=${7:-}

if [ ! -x "$bin" ]; then
  echo "kiro-bootstrap: the agent $bin is missing or not executable." >&2
  echo "kiro-bootstrap: hint: scope the kiro-bootstrap pkg to this Mac, or set KIRO_BOOTSTRAP_BIN." >&2
  exit "$EXIT_CANNOT_WORK_AS_SET_UP"
fi

# Settings travel through the agent's documented environment layer, so the agent validates
# them (a bad URL or region is exit 2 with one sentence) and the profile still wins where it
# locks a key.
[ -n "$start_url" ] && export KIRO_BOOTSTRAP_IDENTITY_CENTER__START_URL="$start_url"
[ -n "$idc_region" ] && export KIRO_BOOTSTRAP_IDENTITY_CENTER__REGION="$idc_region"
[ -n "$version_pin" ] && export KIRO_BOOTSTRAP_RELEASE__VERSION="$version_pin"

# $7 is split on whitespace on purpose: it carries several flags; none takes a value with spaces.
read -r -a extra <<<"$extra_flags"
# The agent rejects KIRO_BOOTSTRAP_* names it does not know (a typo must not pass silently).
unset KIRO_BOOTSTRAP_BIN
exec "$bin" install --silent ${extra[@]+"${extra[@]}"}
