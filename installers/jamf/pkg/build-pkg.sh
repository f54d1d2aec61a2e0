#!/bin/bash
# Build kiro-bootstrap-<version>.pkg: the macOS agent at /usr/local/bin/kiro-bootstrap, for Jamf
# (or any MDM) to install before the policy script runs it. Needs macOS (pkgbuild).
#
#   installers/jamf/pkg/build-pkg.sh BINARY VERSION [OUTPUT_DIR]
#
# BINARY is the macOS build from the release workflow (kiro-bootstrap-darwin-arm64 or -x64;
# there is no universal build, so make one pkg per architecture). With
# KIRO_BOOTSTRAP_PKG_SIGNING_IDENTITY set ("Developer ID Installer: …") the pkg is signed.
set -euo pipefail

readonly PKG_IDENTIFIER=dev.kiro.bootstrap.agent
readonly INSTALL_PATH=usr/local/bin/kiro-bootstrap

binary=${1:?usage: build-pkg.sh BINARY VERSION [OUTPUT_DIR]}
version=${2:?usage: build-pkg.sh BINARY VERSION [OUTPUT_DIR]}
output_dir=${3:-dist}
here=$(cd "$(dirname "$0")" && pwd)

payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
mkdir -p "$payload/$(dirname "$INSTALL_PATH")" "$output_dir"
install -m 0755 "$binary" "$payload/$INSTALL_PATH"

signing=()
if [ -n "${KIRO_BOOTSTRAP_PKG_SIGNING_IDENTITY:-}" ]; then
  signing=(--sign "$KIRO_BOOTSTRAP_PKG_SIGNING_IDENTITY")
fi
pkgbuild \
  --root "$payload" \
  --identifier "$PKG_IDENTIFIER" \
  --version "$version" \
  --install-location / \
  --scripts "$here/scripts" \
  --ownership recommended \
  ${signing[@]+"${signing[@]}"} \
  "$output_dir/kiro-bootstrap-$version.pkg"
echo "built $output_dir/kiro-bootstrap-$version.pkg"
