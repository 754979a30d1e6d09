#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Quick start, part one: install what is missing, build, install into a
# private prefix inside the source tree, and run the console.
#
# Usage: build-aux/run-console.sh [anxin-console options]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/_build-run"
prefix="$top/_install"

"$top/build-aux/install-deps.sh" build

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$top" --prefix="$prefix" -Dprofile=development -Dtests=false
fi
meson install -C "$build" --quiet

# Uninstalled prefix: let GLib and GTK find its schema, icons and desktop data.
glib-compile-schemas "$prefix/share/glib-2.0/schemas"
export GSETTINGS_SCHEMA_DIR="$prefix/share/glib-2.0/schemas"
export XDG_DATA_DIRS="$prefix/share:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"

exec "$prefix/bin/anxin-console" "$@"
