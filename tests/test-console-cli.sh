#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# anxin-console's command line: --version, --help, and --feed validation.
# Runs under xvfb-run (--feed is handled by the primary instance).
#
# Usage: test-console-cli.sh ANXIN_CONSOLE VERSION
set -u
console=$1
version=$2
failures=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

check() {
  if eval "$2"; then
    echo "ok - $1"
  else
    echo "not ok - $1"
    sed 's/^/# /' "$out"
    failures=$((failures + 1))
  fi
}

"$console" --version >"$out" 2>&1
check "--version prints the version" "[ \$? -eq 0 ] && grep -qx 'anxin-console $version' '$out'"

"$console" --help >"$out" 2>&1
check "--help documents --feed" "grep -q -- '--feed=URL' '$out'"

"$console" --feed http://feed.example.gov.cn >"$out" 2>&1
status=$?
check "--feed refuses plain http to a remote host (exit 2)" "[ $status -eq 2 ] && grep -q 'https://feed.example.gov.cn' '$out'"

"$console" --feed 'https://officer:secret@feed.example.gov.cn' >"$out" 2>&1
status=$?
check "--feed refuses credentials in the address (exit 2)" "[ $status -eq 2 ] && ! grep -q 'secret' '$out'"

"$console" --no-such-option >"$out" 2>&1
status=$?
check "an unknown option fails" "[ $status -ne 0 ]"

total=5
echo "$((total - failures)) passed, $failures failed"
[ $failures -eq 0 ]
