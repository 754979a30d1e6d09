#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Quick start, part one: install what is missing, build, install into a
# private prefix inside the source tree, start the reference feed with its
# simulated Hangzhou network on loopback, and run the console against it.
#
# Usage: build-aux/run-console.sh [anxin-console options]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/_build-run"
prefix="$top/_install"
state="$prefix/var/anxin-feedd"

"$top/build-aux/install-deps.sh" build

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$top" --prefix="$prefix" -Dprofile=development -Dtests=false
fi
meson install -C "$build" --quiet

# Uninstalled prefix: let GLib and GTK find its schema, icons and desktop data.
glib-compile-schemas "$prefix/share/glib-2.0/schemas"
export GSETTINGS_SCHEMA_DIR="$prefix/share/glib-2.0/schemas"
export XDG_DATA_DIRS="$prefix/share:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"

# The simulated feed: two days of history, then live at real speed, on a
# fixed loopback port (ANXIN_DEMO_PORT, default 8420). Its ledger stays in
# $state, so the next run resumes the same network and the same chains.
mkdir -p "$state"
log="$state/anxin-feedd.log"
"$prefix/bin/anxin-feedd" --listen "127.0.0.1:${ANXIN_DEMO_PORT:-8420}" --db "$state/ledger.sqlite" \
  --tokens "$state/tokens" --simulate hangzhou --seed 2022 --backfill-days 2 --speed 1 \
  --ground-truth "$state/ground-truth.jsonl" >"$log" 2>&1 &
feedd=$!
trap 'kill "$feedd" 2>/dev/null; wait "$feedd" 2>/dev/null' EXIT INT TERM

echo "Starting the simulated Hangzhou feed (log: $log)…"
url=
i=0
while [ -z "$url" ]; do
  if ! kill -0 "$feedd" 2>/dev/null; then
    cat "$log" >&2
    echo "error: anxin-feedd stopped" >&2
    exit 1
  fi
  url=$(sed -n 's/^anxin-feedd: listening on \(http[^ ]*\).*/\1/p' "$log" | head -n 1)
  i=$((i + 1))
  if [ $i -gt 1200 ]; then
    echo "error: anxin-feedd did not start listening within 10 minutes" >&2
    exit 1
  fi
  [ -n "$url" ] || sleep 0.5
done
echo "Feed: $url (admin token in $state)"

# The token the feed generated on its first start, kept in the keyring by
# the console (used for this run even where no keyring is available).
"$prefix/bin/anxin-console" --feed "$url" --token-file "$state/tokens.admin-token" "$@"
