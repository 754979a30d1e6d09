#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages Anxin needs that are missing, with apt-get
# (through sudo when not root). Does nothing when all are present.
#
# Usage: install-deps.sh build|test
set -eu

build_packages="
  meson ninja-build pkg-config gcc gettext itstool
  libglib2.0-dev libgtk-4-dev libadwaita-1-dev libshumate-dev libsoup-3.0-dev
  libjson-glib-dev libsqlite3-dev libssl-dev libsecret-1-dev
  desktop-file-utils appstream libxml2-utils librsvg2-common fonts-noto-cjk
  dbus dbus-x11 openssl
"
test_packages="
  xvfb xauth x11-utils openbox at-spi2-core python3-pyatspi gir1.2-atspi-2.0 xdotool
  poppler-utils imagemagick locales-all
  flatpak-builder python3 python3-jsonschema
  clang libclang-rt-14-dev
"

case "${1:-build}" in
  build) wanted=$build_packages ;;
  test) wanted="$build_packages $test_packages" ;;
  *)
    echo "usage: $0 build|test" >&2
    exit 2
    ;;
esac

missing=
for package in $wanted; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  case "$status" in
    *" installed") ;;
    *) missing="$missing $package" ;;
  esac
done

[ -n "$missing" ] || exit 0

echo "Installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
  sudo=
elif command -v sudo >/dev/null 2>&1; then
  sudo=sudo
else
  echo "error: these packages are missing and neither root nor sudo is available:$missing" >&2
  exit 1
fi

$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
