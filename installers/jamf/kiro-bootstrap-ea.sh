#!/bin/bash
# Jamf Pro extension attribute: Kiro's state for the person at this Mac, from the agent's
# status file (it never starts the agent, so inventory stays fast and works without it).
#
# Prints one line: <result>STATE VERSION</result>. STATE is the `state` the agent computed and
# wrote (README "Inventory: the status file"): compliant, not-installed, unsupported,
# not-subscribed, unconfigured, pending-admin, behind, drifted or failed; this script compares
# nothing and computes nothing. VERSION (Kiro's) may be absent, e.g. "compliant 1.0.309",
# "unsupported". Smart groups: "Kiro state" like "compliant".
# The person is the console user; at the login window, the most recently updated record. A
# person with no record of their own, on a Mac where the system-wide Kiro was installed with
# nobody signed in (the agent's record for root), gets that record's state.
#
# Reads /Library/Application Support/kiro-bootstrap/status.json, else the person's own
# ~/Library/Application Support/kiro-bootstrap/status.json. KIRO_BOOTSTRAP_ROOT (the agent's
# root override) and KIRO_BOOTSTRAP_USER (the person) are honoured as the agent honours them.
set -u

readonly STATUS_FOLDER="Library/Application Support/kiro-bootstrap"
root=${KIRO_BOOTSTRAP_ROOT:-/}
root=${root%/}

if [ -n "${KIRO_BOOTSTRAP_USER:-}" ]; then
  user=$KIRO_BOOTSTRAP_USER
else
  # macOS's own stat (a GNU stat on PATH would read -f differently): who owns the console.
  user=$(/usr/bin/stat -f %Su /dev/console 2>/dev/null) || user=""
fi
case $user in
  root | loginwindow | _mbsetupuser) user="" ;;
esac
machine_file="$root/$STATUS_FOLDER/status.json"
user_file=""
[ -n "$user" ] && user_file="$root/Users/$user/$STATUS_FOLDER/status.json"

# JSON is read with JavaScript for Automation: on every macOS, and unlike plutil's key paths
# it handles user names with dots in them.
read -r -d '' summarise <<'JXA'
ObjC.import('Foundation');
function readText(path) {
  if (!path) return null;
  const text = $.NSString.stringWithContentsOfFileEncodingError(path, $.NSUTF8StringEncoding, null);
  const value = ObjC.unwrap(text);
  return typeof value === "string" ? value : null;
}
function readJson(path) {
  const text = readText(path);
  if (text === null) return null;
  try {
    const data = JSON.parse(text);
    return data && typeof data === "object" ? data : null;
  } catch (error) {
    return null;
  }
}
function pickRecord(machine, own, user) {
  const users = (machine && machine.users) || {};
  if (user) {
    for (const name of Object.keys(users)) {
      if (name === user) return users[name];
    }
    if (own && typeof own.state === "string") return own;
    // A system-wide install made with nobody signed in (recorded for root) counts for the
    // person at the console.
    return machine && machine.install && users.root ? users.root : null;
  }
  let newest = null;
  for (const record of Object.values(users)) {
    if (!newest || String(record.updated_at) > String(newest.updated_at)) newest = record;
  }
  return newest;
}
function summarise(record) {
  if (!record || typeof record.state !== "string") return "not-installed";
  const version = record.kiro_version ? " " + record.kiro_version : "";
  return record.state + version;
}
function run(argv) {
  const machine = readJson(argv[0]);
  const own = readJson(argv[1]);
  return "<result>" + summarise(pickRecord(machine, own, argv[2])) + "</result>";
}
JXA

osascript -l JavaScript -e "$summarise" "$machine_file" "$user_file" "$user"
