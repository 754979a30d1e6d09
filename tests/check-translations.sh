#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The translations are complete: POTFILES.in lists every source with
# translatable strings, and every string extracted from those sources now has
# a current (not fuzzy) translation in every language of po/LINGUAS.
#
# Usage: check-translations.sh SOURCE_ROOT
set -u
srcdir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

cd "$srcdir" || exit 1

# 1. POTFILES.in: every listed file exists, every file with strings is listed.
grep -v '^#' po/POTFILES.in | sed '/^$/d' | sort -u >"$work/listed"
while read -r f; do
  [ -f "$f" ] || fail "po/POTFILES.in lists $f, which does not exist"
done <"$work/listed"

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Tracked and new (not ignored) files, so an uncommitted source is seen too.
  git ls-files --cached --others --exclude-standard -- src data >"$work/all"
else
  find src data -type f >"$work/all"
fi
grep -E '\.(c|ui|in)$' "$work/all" | while read -r f; do
  [ -f "$f" ] || continue
  if grep -qE '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|g_dngettext)\(|translatable="yes"|<summary>|<(name|summary|caption)>|^(Name|GenericName|Comment|Keywords)=' "$f"; then
    echo "$f"
  fi
done | grep -v 'service\.in$' | sort -u >"$work/needed"
comm -23 "$work/needed" "$work/listed" | while read -r f; do
  echo "FAIL: $f has translatable strings but is not in po/POTFILES.in"
done >"$work/missing"
if [ -s "$work/missing" ]; then
  cat "$work/missing"
  failures=$((failures + $(wc -l <"$work/missing")))
fi

# A format macro inside _() (G_GINT64_FORMAT, PRIu64...) is pasted in by
# the compiler, so the msgid xgettext sees is not the one looked up.
grep -nE '(_|N_)\("([^"\\]|\\.)*"[[:space:]]*(G_G[A-Z0-9]*_FORMAT|PRI[diouxX][0-9A-Z]*)' \
  $(cat "$work/listed") >"$work/macros" 2>/dev/null || true
if [ -s "$work/macros" ]; then
  sed 's/^/FAIL: format macro inside a translatable string: /' "$work/macros"
  failures=$((failures + $(wc -l <"$work/macros")))
fi

# 2. Extract the strings as the glib preset of meson's i18n module does.
xgettext --package-name=anxin --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_strdup_printf:1:c-format --flag=g_set_error:4:c-format \
  --flag=g_printerr:1:c-format --flag=g_print:1:c-format \
  -f "$work/listed" -o "$work/anxin.pot" 2>"$work/xgettext.log" ||
  { cat "$work/xgettext.log"; fail "xgettext"; }

# 3. Every language: complete against the fresh template, and valid.
for lang in $(sed 's/#.*//' po/LINGUAS); do
  po="po/$lang.po"
  [ -f "$po" ] || { fail "$po missing"; continue; }
  stats=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1) || fail "$po: msgfmt --check: $stats"
  case "$stats" in
    *untranslated* | *fuzzy*) fail "$po: $stats" ;;
  esac
  msgmerge --quiet --no-fuzzy-matching -o "$work/$lang.po" "$po" "$work/anxin.pot" ||
    fail "msgmerge $po"
  merged=$(msgfmt --statistics -o /dev/null "$work/$lang.po" 2>&1)
  case "$merged" in
    *untranslated* | *fuzzy*)
      fail "$po is behind the sources ($merged); run ninja anxin-update-po and translate"
      msgattrib --untranslated --no-obsolete "$work/$lang.po" | grep '^msgid ' | head -20
      ;;
  esac
  echo "$po: $stats"
done

if [ $failures -ne 0 ]; then
  echo "$failures translation check(s) failed"
  exit 1
fi
echo "ok: translations complete"
