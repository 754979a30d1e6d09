#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the build into a temporary DESTDIR and checks that everything a
# Flatpak export needs is there, named after the application id.
#
# Usage: check-install-tree.sh BUILD_DIR APP_ID PREFIX
set -u
build_dir=$1
app_id=$2
prefix=$3
destdir=$(mktemp -d)
trap 'rm -rf "$destdir"' EXIT
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

if ! meson install -C "$build_dir" --destdir "$destdir" --no-rebuild --quiet >"$destdir.log" 2>&1; then
  cat "$destdir.log"
  rm -f "$destdir.log"
  echo "FAIL: meson install"
  exit 1
fi
rm -f "$destdir.log"

root="$destdir$prefix"
share="$root/share"

expect_file() {
  [ -f "$root/$1" ] || fail "missing $prefix/$1"
}

for program in anxin-console anxin-verify anxin-feedd; do
  expect_file "bin/$program"
  [ -x "$root/bin/$program" ] || fail "$program is not executable"
done
expect_file "share/applications/$app_id.desktop"
expect_file "share/metainfo/$app_id.metainfo.xml"
expect_file "share/icons/hicolor/scalable/apps/$app_id.svg"
expect_file "share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"
expect_file "share/glib-2.0/schemas/$app_id.gschema.xml"
expect_file "share/dbus-1/services/$app_id.service"
expect_file "share/locale/zh_CN/LC_MESSAGES/anxin.mo"

if [ -f "$share/applications/$app_id.desktop" ]; then
  grep -qx "Icon=$app_id" "$share/applications/$app_id.desktop" ||
    fail "desktop file Icon= is not $app_id"
  grep -q '^Name\[zh_CN\]=' "$share/applications/$app_id.desktop" ||
    fail "desktop file has no zh_CN name"
fi
if [ -f "$share/metainfo/$app_id.metainfo.xml" ]; then
  launchable=$(xmllint --xpath 'string(/component/launchable[@type="desktop-id"])' \
    "$share/metainfo/$app_id.metainfo.xml")
  [ "$launchable" = "$app_id.desktop" ] || fail "metainfo launchable is '$launchable'"
fi
if [ -f "$share/dbus-1/services/$app_id.service" ]; then
  grep -qx "Name=$app_id" "$share/dbus-1/services/$app_id.service" ||
    fail "D-Bus service name is not $app_id"
  grep -q "^Exec=$prefix/bin/anxin-console " "$share/dbus-1/services/$app_id.service" ||
    fail "D-Bus service does not start $prefix/bin/anxin-console"
fi
if [ -f "$share/glib-2.0/schemas/$app_id.gschema.xml" ]; then
  grep -q "<schema id=\"$app_id\"" "$share/glib-2.0/schemas/$app_id.gschema.xml" ||
    fail "schema id is not $app_id"
fi
if [ -f "$share/locale/zh_CN/LC_MESSAGES/anxin.mo" ]; then
  msgunfmt "$share/locale/zh_CN/LC_MESSAGES/anxin.mo" | grep -q '欢迎使用安心充电监管' ||
    fail "zh_CN catalogue lacks the welcome page's translation"
fi

# The installed programs start (without a display) far enough to answer --version.
for program in anxin-console anxin-verify; do
  version=$("$root/bin/$program" --version 2>&1) || fail "$program --version failed"
  case "$version" in
    "$program "*) ;;
    *) fail "unexpected $program --version output: $version" ;;
  esac
done

if [ $failures -ne 0 ]; then
  echo "$failures install-tree check(s) failed"
  exit 1
fi
echo "ok: install tree for $app_id"
