#!/bin/sh
# Runs a display test inside xvfb-run: a window manager (so that maximize and
# full screen behave as on a desktop) and a private session bus.
#
# Usage: xvfb-run -a -s '-screen 0 WxHx24' run-under-display.sh PROGRAM [ARGS...]
set -u

wm_pid=
if command -v openbox >/dev/null 2>&1; then
  openbox --sm-disable >/dev/null 2>&1 &
  wm_pid=$!
  # Wait (at most 5 s) until the window manager has announced itself.
  i=0
  while [ $i -lt 100 ]; do
    if xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q 'window id'; then
      break
    fi
    sleep 0.05
    i=$((i + 1))
  done
fi

dbus-run-session -- "$@"
status=$?

if [ -n "$wm_pid" ]; then
  kill "$wm_pid" 2>/dev/null
  wait "$wm_pid" 2>/dev/null
fi
exit $status
