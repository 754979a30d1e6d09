#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Proves check-flatpak-manifest.py fails when a rule is broken: each
mutation of the real manifest must be rejected, the real one accepted."""

import copy
import json
import os
import subprocess
import sys
import tempfile

checker, manifest_path = sys.argv[1], sys.argv[2]
with open(manifest_path, encoding="utf-8") as f:
    original = json.load(f)


def app(m):
    return m["modules"][-1]


def drop_arg(arg):
    def mutate(m):
        m["finish-args"].remove(arg)
    return mutate


def add_arg(arg):
    def mutate(m):
        m["finish-args"].append(arg)
    return mutate


def app_not_last(m):
    m["modules"].append(m["modules"].pop(0))


def dir_source(m):
    app(m)["sources"] = [{"type": "dir", "path": ".."}]


def archive_without_sha(m):
    m["modules"][0]["sources"] = [{"type": "archive", "url": "https://example.org/a.tar.xz"}]


def git_without_commit(m):
    del m["modules"][1]["sources"][0]["commit"]


def no_shumate(m):
    m["modules"] = [x for x in m["modules"] if x["name"] != "libshumate"]


def tests_off(m):
    app(m)["run-tests"] = False


def bad_id(m):
    m["id"] = "org.anxin"


def unknown_property(m):
    m["not-a-manifest-key"] = True


mutations = {
    "no ipc": drop_arg("--share=ipc"),
    "no wayland": drop_arg("--socket=wayland"),
    "no network": drop_arg("--share=network"),
    "x11 with wayland": add_arg("--socket=x11"),
    "filesystem=home": add_arg("--filesystem=home"),
    "session bus": add_arg("--socket=session-bus"),
    "portal talk-name": add_arg("--talk-name=org.freedesktop.portal.Desktop"),
    "app module not last": app_not_last,
    "dir source": dir_source,
    "archive without sha256": archive_without_sha,
    "git without commit": git_without_commit,
    "libshumate not bundled": no_shumate,
    "run-tests off": tests_off,
    "two-component app id": bad_id,
    "unknown property": unknown_property,
}

failures = 0
with tempfile.TemporaryDirectory() as tmp:
    for name, mutate in mutations.items():
        manifest = copy.deepcopy(original)
        mutate(manifest)
        path = os.path.join(tmp, os.path.basename(manifest_path))
        with open(path, "w", encoding="utf-8") as f:
            json.dump(manifest, f)
        result = subprocess.run(
            [sys.executable, checker, path] + sys.argv[3:], capture_output=True, text=True
        )
        if result.returncode == 0:
            print(f"not ok - mutation '{name}' was accepted")
            failures += 1
        else:
            print(f"ok - mutation '{name}' rejected: {result.stdout.strip().splitlines()[0]}")

print(f"{len(mutations) - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
