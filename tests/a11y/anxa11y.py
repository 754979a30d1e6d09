# SPDX-License-Identifier: GPL-3.0-or-later
"""Driving anxin-console through the accessibility tree (AT-SPI), as a
screen reader or a new user would: find widgets by role and name, press
them through their actions, type through the editable-text interface.

Nothing here knows the console's internals: only what it exposes to
assistive technologies.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import pyatspi


class WalkError(Exception):
    pass


def log(message):
    print("# " + message, flush=True)


def name_of(acc):
    try:
        return acc.name or ""
    except Exception:
        return ""


def role_of(acc):
    try:
        return acc.getRoleName()
    except Exception:
        return ""


def is_showing(acc):
    try:
        states = acc.getState()
        return states.contains(pyatspi.STATE_SHOWING) and states.contains(pyatspi.STATE_VISIBLE)
    except Exception:
        return False


def walk(acc, depth=0, limit=60):
    """Yields (depth, accessible) for the subtree, depth first."""
    if acc is None or depth > limit:
        return
    yield depth, acc
    try:
        count = acc.childCount
    except Exception:
        return
    for i in range(count):
        try:
            child = acc.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child, depth + 1, limit)


def dump(acc, out=sys.stdout, only_showing=True):
    for depth, node in walk(acc):
        if only_showing and depth > 0 and not is_showing(node):
            continue
        out.write("# %s%s %r\n" % ("  " * depth, role_of(node), name_of(node)))


def clean_name(name):
    """GTK 4.8 names a button with a mnemonic "_Open Charger Open Charger":
    the label with its underline, then without. What a user reads is the second."""
    text = name.replace("_", "")
    half = len(text) // 2
    if len(text) % 2 == 1 and text[half] == " " and text[:half] == text[half + 1:]:
        return text[:half]
    return text


def matches(acc, role, name):
    if role is not None and role_of(acc) != role:
        return False
    if name is None:
        return True
    text = clean_name(name_of(acc))
    if isinstance(name, re.Pattern):
        return name.search(text) is not None
    return text == name


def find_all(root, role=None, name=None, showing=True, limit=60):
    return [acc for _, acc in walk(root, limit=limit)
            if matches(acc, role, name) and (not showing or is_showing(acc))]


def wait_for(root, role=None, name=None, timeout=20.0, showing=True, what=None, limit=60):
    """limit: how deep to look. A window is a child of the application:
    limit=1 finds it without walking every widget, which under ASan takes
    longer than the wait itself."""
    deadline = time.monotonic() + timeout
    while True:
        found = find_all(root, role, name, showing, limit)
        if found:
            return found[0]
        if time.monotonic() > deadline:
            raise WalkError("no %s named %r appeared within %.0f s" %
                            (what or role or "widget", name if not isinstance(name, re.Pattern)
                             else name.pattern, timeout))
        time.sleep(0.25)


def press(acc):
    """Runs the accessible's default action (click/activate/press)."""
    action = acc.queryAction()
    names = [action.getName(i) for i in range(action.nActions)]
    for wanted in ("click", "activate", "press", "toggle", "select"):
        if wanted in names:
            action.doAction(names.index(wanted))
            return wanted
    if action.nActions > 0:
        action.doAction(0)
        return names[0]
    raise WalkError("%s %r has no action" % (role_of(acc), name_of(acc)))


def type_text(acc, text):
    editable = acc.queryEditableText()
    editable.setTextContents(text)


def text_of(acc):
    try:
        t = acc.queryText()
        return t.getText(0, t.characterCount)
    except Exception:
        return name_of(acc)


def all_text(root):
    parts = []
    # GTK 4.8 does not report the showing state: every mapped or unmapped
    # widget's text is here, so look for what only the wanted page says.
    for _, acc in walk(root):
        n = name_of(acc)
        if n:
            parts.append(n)
        if role_of(acc) in ("label", "text", "entry"):
            t = text_of(acc)
            if t and t != n:
                parts.append(t)
    return "\n".join(parts)


def find_application(name, timeout=30.0):
    desktop = pyatspi.Registry.getDesktop(0)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and name_of(app) == name:
                return app
        time.sleep(0.25)
    raise WalkError("the application %r did not appear on the accessibility bus" % name)


class Feedd:
    """The real anxin-feedd, on loopback, with a small simulated network."""

    def __init__(self, binary, directory, extra):
        self.directory = directory
        self.log_path = os.path.join(directory, "feedd.log")
        self.binary = binary
        self.extra = extra
        self.process = None
        self.url = None

    def start(self, listen="127.0.0.1:0"):
        args = [self.binary, "--listen", listen,
                "--db", os.path.join(self.directory, "ledger.sqlite"),
                "--tokens", os.path.join(self.directory, "tokens")] + self.extra
        self.log = open(self.log_path, "a")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise WalkError("anxin-feedd stopped: " + open(self.log_path).read())
            with open(self.log_path) as f:
                m = re.search(r"listening on (http\S+)", f.read())
            if m:
                self.url = m.group(1)
                return self.url
            time.sleep(0.2)
        raise WalkError("anxin-feedd did not start")

    def token_path(self, role="admin"):
        return os.path.join(self.directory, "tokens.%s-token" % role)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def run_console(binary, feed_url, token_file, store_dir, env_extra=None):
    env = dict(os.environ)
    env.pop("NO_AT_BRIDGE", None)
    env.pop("GTK_A11Y", None)
    env["ANXIN_CONSOLE_STORE"] = os.path.join(store_dir, "console.sqlite")
    if env_extra:
        env.update(env_extra)
    return subprocess.Popen([binary, "--feed", feed_url, "--token-file", token_file], env=env)


def screenshot(path):
    """Saves the X screen, for a person to look at what the walk saw."""
    try:
        subprocess.run(["import", "-window", "root", path], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        pass


def new_tempdir(prefix):
    return tempfile.mkdtemp(prefix=prefix)


def ancestor(acc, role):
    node = acc
    while node is not None and role_of(node) != role:
        node = node.parent
    if node is None:
        raise WalkError("%s %r is not inside a %s" % (role_of(acc), name_of(acc), role))
    return node


def extents(acc):
    """The accessible's box in its window's coordinates (GTK 4 reports no
    screen coordinates)."""
    node = acc
    while node is not None:
        try:
            e = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
            return e.x, e.y, e.width, e.height
        except NotImplementedError:
            # GTK 4.8 gives boxes to widgets, not to every label: the
            # nearest ancestor with one stands in.
            node = node.parent
    raise WalkError("%s %r has no on-screen box" % (role_of(acc), name_of(acc)))


def on_screen(acc):
    """Whether the accessible has a box of its own with an area."""
    try:
        e = acc.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    except NotImplementedError:
        return False
    return e.width > 0 and e.height > 0


def x_window(title):
    """The X window id of the (newest) top-level window with this title."""
    out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^%s$" % re.escape(title)],
                         check=True, capture_output=True, text=True).stdout.split()
    if not out:
        raise WalkError("no X window titled %r" % title)
    return out[-1]


def window_title_of(acc):
    node = acc
    while node is not None and role_of(node) not in ("frame", "dialog", "window"):
        node = node.parent
    return name_of(node) if node is not None else None


def click(acc, double=False):
    """Clicks the middle of the accessible with the X pointer, as a hand would."""
    x, y, w, h = extents(acc)
    if w <= 0 or h <= 0:
        raise WalkError("%s %r is not on screen" % (role_of(acc), name_of(acc)))
    window = x_window(window_title_of(acc))
    args = ["xdotool", "mousemove", "--window", window, str(x + w // 2), str(y + h // 2), "click"]
    if double:
        args += ["--repeat", "2", "--delay", "80"]
    subprocess.run(args + ["1"], check=True)


def key(*keys):
    subprocess.run(["xdotool", "key", "--clearmodifiers"] + list(keys), check=True)
