#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Validates the built metainfo as Flathub would, offline: appstreamcli with
# the overrides that close the gap to Flathub's newer validator, then xmllint
# assertions for what appstream 0.16 does not check.
#
# Usage: check-metainfo.sh METAINFO APP_ID
set -u
file=$1
app_id=$2
failures=0

fail() {
  echo "FAIL: $file: $*"
  failures=$((failures + 1))
}

if ! appstreamcli validate --no-net --strict \
    "--override=unknown-tag=pedantic,content-rating-missing=error,releases-info-missing=error" \
    "$file"; then
  fail "appstreamcli validate"
fi

count() {
  xmllint --xpath "count($1)" "$file" 2>/dev/null
}

value() {
  xmllint --xpath "string($1)" "$file" 2>/dev/null
}

expect_some() {
  n=$(count "$1")
  [ "${n:-0}" -ge 1 ] || fail "no $1 ($2)"
}

[ "$(value '/component/id')" = "$app_id" ] || fail "component id is not $app_id"
[ "$(value '/component/@type')" = "desktop-application" ] || fail "type is not desktop-application"
[ "$(value '/component/launchable[@type="desktop-id"]')" = "$app_id.desktop" ] ||
  fail "launchable is not $app_id.desktop"
[ -n "$(value '/component/developer/@id')" ] || fail "developer has no id"
[ -n "$(value '/component/developer/name')" ] || fail "developer has no name"
[ "$(value '/component/content_rating/@type')" = "oars-1.1" ] || fail "content_rating is not oars-1.1"
expect_some '/component/name' "name"
expect_some '/component/summary' "summary"
expect_some '/component/description/p' "description"
expect_some '/component/url[@type="homepage"]' "homepage"
expect_some '/component/url[@type="vcs-browser"]' "vcs-browser"
expect_some '/component/branding/color[@type="primary" and @scheme_preference="light"]' "light branding colour"
expect_some '/component/branding/color[@type="primary" and @scheme_preference="dark"]' "dark branding colour"
expect_some '/component/requires/display_length' "required display length"
expect_some '/component/recommends/control[text()="keyboard"]' "keyboard"
expect_some '/component/recommends/control[text()="pointing"]' "pointing device"

shots=$(count '/component/screenshots/screenshot')
captions=$(count '/component/screenshots/screenshot[caption]')
[ "${shots:-0}" -ge 1 ] || fail "no screenshots"
[ "$shots" = "$captions" ] || fail "a screenshot without caption"
[ "$(count '/component/screenshots/screenshot[@type="default"]')" = "1" ] || fail "no default screenshot"

releases=$(count '/component/releases/release')
dated=$(count '/component/releases/release[@date and @version]')
[ "${releases:-0}" -ge 1 ] || fail "no releases"
[ "$releases" = "$dated" ] || fail "a release without version or date"

# The newest release is the project's version.
newest=$(value '/component/releases/release[1]/@version')
[ -z "${ANXIN_VERSION:-}" ] || [ "$newest" = "$ANXIN_VERSION" ] ||
  fail "newest release $newest is not the project version $ANXIN_VERSION"

# Translations reached the merged file.
[ "$(count '/component/summary[@xml:lang="zh-CN" or @xml:lang="zh_CN"]')" -ge 1 ] ||
  fail "no zh_CN summary merged"

if [ $failures -ne 0 ]; then
  echo "$failures metainfo check(s) failed"
  exit 1
fi
echo "ok: $file"
