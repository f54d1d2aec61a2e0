#!/bin/bash
# Jamf Pro extension attribute: Kiro's state for the person at this Mac, from the agent's
# status file (it never starts the agent, so inventory stays fast and works without it).
#
# Prints one line: <result>STATE VERSION</result>, STATE being
#   failed-N       the last install or uninstall exited N (README "Exit codes"; e.g. failed-8:
#                  not subscribed), whatever a later `status` check found; VERSION may be absent
#   not-installed  no record of Kiro for this person
#   drifted        the last `status` check found a setting the agent owns changed, or Kiro
#                  behind the wanted version (its exit 12)
#   compliant      Kiro installed, configured, last run succeeded
# e.g. "compliant 1.0.309", "failed-4". Smart groups: "Kiro state" like "compliant".
# The person is the console user; at the login window, the most recently updated record.
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
    return own && own.kiro_version !== undefined ? own : null;
  }
  let newest = null;
  for (const record of Object.values(users)) {
    if (!newest || String(record.updated_at) > String(newest.updated_at)) newest = record;
  }
  return newest;
}
function summarise(record) {
  if (!record) return "not-installed";
  const version = record.kiro_version ? " " + record.kiro_version : "";
  // A failed install is reported even when no Kiro is in place yet (e.g. failed-3, failed-4).
  if (record.last_exit_code) return "failed-" + record.last_exit_code + version;
  if (!record.kiro_version) return "not-installed";
  const drifted = (Array.isArray(record.drift) && record.drift.length > 0) || record.behind === true;
  return (drifted ? "drifted" : "compliant") + version;
}
function run(argv) {
  const machine = readJson(argv[0]);
  const own = readJson(argv[1]);
  return "<result>" + summarise(pickRecord(machine, own, argv[2])) + "</result>";
}
JXA

osascript -l JavaScript -e "$summarise" "$machine_file" "$user_file" "$user"
