#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""An officer's first investigation, driven only through the accessibility
tree (AT-SPI) and the X pointer, as a new user would click:

  alarm list → the over-billing alarm → its charger → a chain record's
  detail → Verify Again → Mark Inspection → delivered.

Runs the real anxin-feedd (small simulated network, over-billing injected)
and the real anxin-console under Xvfb. Prints TAP. Screenshots of each
step go to $ANXIN_SCREENSHOT_DIR/walkthrough-*.png.

Usage: walkthrough.py ANXIN_FEEDD ANXIN_CONSOLE
"""

import json
import os
import re
import shutil
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import anxa11y as a  # noqa: E402

STEPS = []


def step(name):
    def wrap(fn):
        STEPS.append((name, fn))
        return fn
    return wrap


class Walk:
    pass


def rest(walk, path):
    request = urllib.request.Request(walk.feed_url + path,
                                     headers={"Authorization": "Bearer " + walk.token})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def shot(walk, name):
    if walk.shots:
        a.screenshot(os.path.join(walk.shots, "walkthrough-%s.png" % name))


def wait_text(root, pattern, timeout=60.0, what=None):
    regex = re.compile(pattern)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = a.all_text(root)
        m = regex.search(text)
        if m:
            return m
        time.sleep(0.5)
    raise a.WalkError("%s: %r never appeared" % (what or "text", pattern))


@step("the console starts and goes live against the feed")
def start(walk):
    walk.app = a.find_application("anxin-console", timeout=60)
    a.wait_for(walk.app, "status bar", "Live", timeout=120, showing=False, what="connection indicator")
    shot(walk, "1-live")


@step("the alarms view lists the injected over-billing as an energy mismatch with its numbers")
def alarms(walk):
    tab = a.wait_for(walk.app, "page tab", "Alarms", showing=False)
    a.press(tab)
    # The alarm the ground truth names, with what happened in numbers.
    # A list view keeps recycled rows that are not on screen in the tree:
    # only a row inside the list's visible box counts, the topmost first.
    table = a.wait_for(walk.app, "tree table", "Open alarms", showing=False)
    walk.alarm_label = None
    deadline = time.monotonic() + 120
    while walk.alarm_label is None and time.monotonic() < deadline:
        _, top, _, height = a.extents(table)
        candidates = []
        for label in a.find_all(table, "label", re.compile(r"^Energy mismatch\n"), showing=False):
            text = a.text_of(label)
            if not re.search(r"Billed [0-9.]+ kWh, meter [0-9.]+ kWh, \+[0-9.]+ %, class .* allows ±", text):
                continue
            cell = a.ancestor(label, "table cell")
            if not a.on_screen(cell):
                continue
            y = a.extents(cell)[1]
            if top + 40 <= y <= top + height - 60:
                candidates.append((y, label))
        if candidates:
            walk.alarm_label = min(candidates, key=lambda c: c[0])[1]
        else:
            time.sleep(0.5)
    if walk.alarm_label is None:
        raise a.WalkError("no energy-mismatch alarm with its numbers in the list")
    # Its row: the charger code is in a sibling cell of the same row.
    cell = a.ancestor(walk.alarm_label, "table cell")
    y = a.extents(cell)[1]
    walk.charger = None
    for i in range(cell.parent.childCount):
        sibling = cell.parent.getChildAtIndex(i)
        if a.role_of(sibling) != "table cell" or a.extents(sibling)[1] != y:
            continue
        for _, label in a.walk(sibling):
            if re.match(r"^\d{6}-\d{4}-[A-Z]{2}\d{2}$", a.text_of(label) if a.role_of(label) == "label" else ""):
                walk.charger = a.text_of(label)
    # The ground truth as the simulator has written it by now.
    walk.over_billed = set()
    for line in open(walk.truth):
        entry = json.loads(line)
        if entry.get("anomaly") == "over-billing":
            walk.over_billed.add(entry.get("charger_code"))
    if walk.charger not in walk.over_billed:
        raise a.WalkError("the alarm's charger %r is not one the ground truth over-bills (%s)"
                          % (walk.charger, ", ".join(sorted(walk.over_billed)[:5])))
    a.click(cell)
    time.sleep(0.5)
    shot(walk, "2-alarms")


@step("Open Charger shows the charger page with the mismatch")
def open_charger(walk):
    button = a.wait_for(walk.app, "push button", "Open Charger", showing=False)
    a.press(button)
    a.wait_for(walk.app, "frame", "Charger %s" % walk.charger, showing=False, timeout=30,
               what="the window titled after the charger", limit=1)
    a.wait_for(walk.app, "label", "Chain History", showing=False, timeout=30)
    shot(walk, "3-charger")


@step("a chain record opens its detail; Verify Again gives the console's verdict")
def record_detail(walk):
    history = a.wait_for(walk.app, None, "Chain history", showing=False, timeout=30)
    rows = [acc for _, acc in a.walk(history) if a.role_of(acc) in ("list item", "table row")]
    if not rows:
        raise a.WalkError("the chain history has no rows")
    a.click(rows[0], double=True)
    detail = a.wait_for(walk.app, None, re.compile(r"^Record No\. \d+"), showing=False, timeout=30,
                        what="the record's window")
    button = a.wait_for(detail, "push button", "Verify Again", showing=False, timeout=30)
    shot(walk, "4-record")
    a.press(button)
    # The console's own verdict, with the over-billing in numbers.
    wait_text(detail, r"Checked by this console from the raw data at .*\(2 times\)", timeout=30,
              what="the second check")
    wait_text(detail, r"Billed [0-9.]+ kWh, meter [0-9.]+ kWh, \+[0-9.]+ %, class \d allows ±[0-9.]+ %",
              timeout=5, what="the comparison with the class's tolerance")
    shot(walk, "5-verified")
    a.key("Escape")
    time.sleep(0.5)


@step("Mark Inspection from the charger; the mark is delivered to the feed")
def mark_inspection(walk):
    page = a.wait_for(walk.app, "frame", "Charger %s" % walk.charger, showing=False, limit=1)
    # The one on screen (the worklist's rows have their own, unmapped here).
    buttons = [b for b in a.find_all(page, "push button", "Mark Inspection…", showing=False)
               if a.on_screen(b)]
    if len(buttons) != 1:
        raise a.WalkError("%d Mark Inspection buttons on screen, not 1" % len(buttons))
    a.click(buttons[0])
    form = a.wait_for(walk.app, None, "Mark Inspection", showing=False, timeout=30, what="the form")
    error = a.wait_for(form, None, re.compile(r"^Measured error"), showing=False, timeout=10)
    entries = [acc for _, acc in a.walk(error) if a.role_of(acc) in ("text", "entry")]
    target = entries[0] if entries else error
    a.type_text(target, "+1.80")
    shot(walk, "6-form")
    mark = a.wait_for(form, "push button", "Mark", showing=False)
    a.press(mark)
    wait_text(form, r"Inspection Delivered", timeout=60, what="delivery")
    shot(walk, "7-delivered")
    # The server has it, once.
    records = []
    page = "0"
    while page is not None:
        chain = rest(walk, "/v1/chargers/%s/chain?from=%s&limit=1000" % (walk.charger, page))
        records += chain["records"]
        page = chain["next"]
    inspections = [r for r in records if r.get("kind") == "inspection"]
    if len(inspections) != 1:
        raise a.WalkError("the feed has %d inspection records for %s, not 1"
                          % (len(inspections), walk.charger))


def main():
    feedd_binary, console_binary = sys.argv[1], sys.argv[2]
    walk = Walk()
    walk.shots = os.environ.get("ANXIN_SCREENSHOT_DIR")
    if walk.shots:
        os.makedirs(walk.shots, exist_ok=True)
    directory = a.new_tempdir("anxin-walk-")
    truth = os.path.join(directory, "ground-truth.jsonl")
    feedd = a.Feedd(feedd_binary, directory,
                    ["--simulate", "hangzhou", "--sim-scale", "small", "--seed", "7",
                     "--backfill-days", "2", "--anomalies", "over-billing=0.1",
                     "--ground-truth", truth, "--speed", "60", "--heartbeat", "1"])
    console = None
    print("1..%d" % len(STEPS), flush=True)
    failed = 0
    try:
        walk.feed_url = feedd.start()
        walk.token = open(feedd.token_path()).read().strip()
        walk.truth = truth
        console = a.run_console(console_binary, walk.feed_url, feedd.token_path(), directory)
        for number, (name, fn) in enumerate(STEPS, 1):
            if failed:
                print("ok %d - %s # SKIP an earlier step failed" % (number, name), flush=True)
                continue
            try:
                fn(walk)
                print("ok %d - %s" % (number, name), flush=True)
            except Exception as error:  # noqa: BLE001 - reported as TAP
                failed += 1
                print("not ok %d - %s" % (number, name), flush=True)
                a.log("%s: %s" % (type(error).__name__, error))
                import traceback
                traceback.print_exc(file=sys.stdout)
                shot(walk, "failed-%d" % number)
                if getattr(walk, "app", None) is not None:
                    a.dump(walk.app, only_showing=False)
    finally:
        if console is not None:
            console.terminate()
            try:
                console.wait(10)
            except Exception:
                console.kill()
        feedd.stop()
        if not failed:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            a.log("kept %s" % directory)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
