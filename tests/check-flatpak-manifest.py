#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline checks of a Flatpak manifest, after Flathub's linter rules.

Usage: check-flatpak-manifest.py MANIFEST [--allow-dir] [--schema SCHEMA] [--git-dir DIR]

Exit status: 0 all checks passed, 1 a rule is broken, 77 (skip) never: a check
that cannot run says so and counts as failed unless it is optional (schema
absent, flatpak-builder absent, not a git checkout).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

REQUIRED_FINISH_ARGS = [
    "--share=ipc",
    "--socket=fallback-x11",
    "--socket=wayland",
    "--device=dri",
    "--share=network",
]
FORBIDDEN_FINISH_ARGS = re.compile(
    r"^--(filesystem=(host|home|host-os|host-etc)(:.*)?|socket=(session-bus|system-bus)"
    r"|talk-name=org\.freedesktop\.portal\..*)$"
)
APP_ID_COMPONENT = re.compile(r"^[A-Za-z_][\w-]*$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
COMMIT = re.compile(r"^[0-9a-f]{40}$")

errors = []


def fail(message):
    errors.append(message)


def check_app_id(path, manifest):
    app_id = manifest.get("id") or manifest.get("app-id")
    if not app_id:
        fail("no id")
        return None
    parts = app_id.split(".")
    if not 3 <= len(parts) <= 5:
        fail(f"app id {app_id} has {len(parts)} components (3 to 5 allowed)")
    for part in parts:
        if not APP_ID_COMPONENT.match(part):
            fail(f"app id component '{part}' is not ^[A-Za-z_][\\w-]*$")
    if os.path.basename(path) != app_id + ".json":
        fail(f"manifest file name {os.path.basename(path)} is not {app_id}.json")
    return app_id


def check_finish_args(manifest):
    args = manifest.get("finish-args", [])
    for arg in REQUIRED_FINISH_ARGS:
        if arg not in args:
            fail(f"finish-args lacks {arg}")
    sockets = {a.split("=", 1)[1] for a in args if a.startswith("--socket=")}
    if "x11" in sockets and ({"fallback-x11", "wayland"} & sockets):
        fail("--socket=x11 together with fallback-x11 or wayland")
    if "fallback-x11" in sockets and "wayland" not in sockets:
        fail("--socket=fallback-x11 without --socket=wayland")
    if "x11" in sockets and "--share=ipc" not in args:
        fail("--socket=x11 without --share=ipc")
    for arg in args:
        if FORBIDDEN_FINISH_ARGS.match(arg):
            fail(f"forbidden finish-arg {arg}")
    if len(set(args)) != len(args):
        fail("duplicate finish-args")


def iter_modules(modules):
    for module in modules:
        if isinstance(module, str):
            fail(f"module given as a file name ({module}); keep modules inline")
            continue
        yield module
        yield from iter_modules(module.get("modules", []))


def check_sources(manifest, allow_dir, git_dir):
    for module in iter_modules(manifest.get("modules", [])):
        name = module.get("name", "?")
        sources = module.get("sources", [])
        if not sources:
            fail(f"module {name} has no sources")
        for source in sources:
            kind = source.get("type")
            if kind in ("archive", "file"):
                if not SHA256.match(source.get("sha256", "")):
                    fail(f"module {name}: {kind} source without sha256")
                if "url" not in source and "path" not in source:
                    fail(f"module {name}: {kind} source without url")
            elif kind == "git":
                if not COMMIT.match(source.get("commit", "")):
                    fail(f"module {name}: git source not pinned by a 40-hex commit")
                if not source.get("tag"):
                    fail(f"module {name}: git source without tag")
                if not source.get("url", "").startswith("https://"):
                    fail(f"module {name}: git url is not https")
            elif kind == "dir":
                if not allow_dir:
                    fail(f"module {name}: type dir sources are not allowed in a published manifest")
            else:
                fail(f"module {name}: unexpected source type {kind}")
    return True


def check_modules(manifest, app_id):
    modules = manifest.get("modules", [])
    names = [m.get("name") for m in modules if isinstance(m, dict)]
    if not names or names[-1] != "anxin":
        fail(f"the app module 'anxin' must come last (modules: {names})")
        return None
    app = modules[-1]
    if app.get("buildsystem") != "meson":
        fail("the app module is not built with meson")
    if app.get("run-tests") is not True:
        fail("the app module must have run-tests on")
    profile = "development" if app_id.endswith(".Devel") else "default"
    if f"-Dprofile={profile}" not in app.get("config-opts", []):
        fail(f"the app module must configure -Dprofile={profile} for {app_id}")
    shumate = [m for m in modules if isinstance(m, dict) and m.get("name") == "libshumate"]
    if not shumate:
        fail("libshumate is not in the GNOME runtime and must be bundled as a module")
    elif names.index("libshumate") > names.index("anxin"):
        fail("libshumate must be built before the app")
    if shumate and "-Ddemos=false" not in shumate[0].get("config-opts", []):
        fail("libshumate demos must be off")
    if manifest.get("runtime") != "org.gnome.Platform" or manifest.get("sdk") != "org.gnome.Sdk":
        fail("runtime/sdk must be org.gnome.Platform / org.gnome.Sdk")
    try:
        if int(manifest.get("runtime-version", "0")) < 48:
            fail("runtime-version is older than the current GNOME runtimes")
    except ValueError:
        fail(f"runtime-version {manifest.get('runtime-version')} is not a stable GNOME runtime")
    if manifest.get("command") != "anxin-console":
        fail("command must be anxin-console")
    return app


def check_app_commit(app, git_dir):
    """The app module's commit must exist in this project's history."""
    if app is None or git_dir is None:
        return
    if not os.path.isdir(os.path.join(git_dir, ".git")):
        print(f"note: {git_dir} is not a git checkout, app commit not checked")
        return
    for source in app.get("sources", []):
        if source.get("type") == "git":
            result = subprocess.run(
                ["git", "-C", git_dir, "cat-file", "-e", source["commit"] + "^{commit}"],
                capture_output=True,
            )
            if result.returncode != 0:
                fail(f"app commit {source['commit']} is not in this repository's history")


def check_schema(manifest, schema_path):
    if schema_path is None or not os.path.exists(schema_path):
        print(f"note: Flathub manifest schema not found ({schema_path}); schema check skipped")
        return
    try:
        import jsonschema
    except ImportError:
        fail("python3-jsonschema is not installed; cannot validate against the schema")
        return
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft7Validator(schema)
    for error in sorted(validator.iter_errors(manifest), key=str):
        path = "/".join(str(p) for p in error.absolute_path)
        fail(f"schema: {path}: {error.message}")


def check_show_manifest(path):
    builder = shutil.which("flatpak-builder")
    if builder is None:
        print("note: flatpak-builder not installed; --show-manifest check skipped")
        return
    # flatpak-builder leaves a .flatpak-builder state directory in its
    # working directory: keep it out of the source tree.
    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run(
            [builder, "--show-manifest", os.path.abspath(path)],
            capture_output=True, text=True, cwd=scratch,
        )
    if result.returncode != 0:
        fail(f"flatpak-builder --show-manifest failed: {result.stderr.strip()}")
    if "Unknown property" in result.stderr:
        fail(f"flatpak-builder: {result.stderr.strip()}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("manifest")
    parser.add_argument("--allow-dir", action="store_true")
    parser.add_argument("--schema")
    parser.add_argument("--git-dir")
    options = parser.parse_args()

    with open(options.manifest, encoding="utf-8") as f:
        manifest = json.load(f)

    app_id = check_app_id(options.manifest, manifest)
    check_finish_args(manifest)
    check_sources(manifest, options.allow_dir, options.git_dir)
    app = check_modules(manifest, app_id or "")
    if not options.allow_dir:
        check_app_commit(app, options.git_dir)
    check_schema(manifest, options.schema)
    check_show_manifest(options.manifest)

    for error in errors:
        print(f"FAIL: {options.manifest}: {error}")
    if errors:
        return 1
    print(f"ok: {options.manifest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
