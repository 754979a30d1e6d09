#!/usr/bin/env python3
# check-chain-vectors.py DOC: recomputes every chain test vector in
# docs/feed-protocol.md from its JSON alone, with nothing but the rules
# written in that document. A second implementation, in another language,
# that must agree with the document (and so with the C one, which
# test-chain-vectors checks against the same vectors).
#
# Copyright 2026 The Anxin authors
# SPDX-License-Identifier: GPL-3.0-or-later

import datetime
import hashlib
import json
import re
import struct
import sys

KINDS = {"charge": 1, "seal": 2, "meter_exchange": 3, "inspection": 4}
ACTIONS = {"opened": 1, "closed": 2, "applied": 3, "removed": 4}
RESULTS = {"pass": 1, "fail": 2, "meter_replaced": 3, "sealed": 4, "suspended": 5}
TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d:\d\d)")


def u8(v):
    return struct.pack(">B", v)


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def text(s):
    b = s.encode("utf-8")
    return u32(len(b)) + b


def key(h):
    b = bytes.fromhex(h)
    return u32(len(b)) + b


def time(s):
    m = TIME.fullmatch(s)
    if not m:
        raise ValueError("not an RFC 3339 time: " + s)
    year, month, day, hour, minute, second, fraction, offset = m.groups()
    usec = int((fraction or "0").ljust(6, "0"))
    if offset == "Z":
        offset_s = 0
    else:
        sign = 1 if offset[0] == "+" else -1
        offset_s = sign * (int(offset[1:3]) * 3600 + int(offset[4:6]) * 60)
    zone = datetime.timezone(datetime.timedelta(seconds=offset_s))
    instant = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute),
                                int(second), tzinfo=zone)
    delta = instant - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return i64((delta.days * 86400 + delta.seconds) * 1000000 + usec) + i32(offset_s)


def hash_input(r):
    out = (text("anxin.chain.record") + u8(1) + u8(KINDS[r["kind"]]) + text(r["charger_id"])
           + u64(r["sequence"]) + bytes.fromhex(r["prev_hash"]) + time(r["recorded_at"]))
    body = r[r["kind"]]
    if r["kind"] == "charge":
        out += (text(body.get("session_id", "")) + text(body["ocmf"]) + u64(body["billed_wh"])
                + u64(body["amount_fen"]) + u32(len(body["tariff"])))
        for segment in body["tariff"]:
            out += (text(segment.get("label", "")) + u64(segment["energy_wh"])
                    + u64(segment["price_millifen_per_kwh"]))
    elif r["kind"] == "seal":
        out += (text(body["seal_id"]) + u8(ACTIONS[body["action"]]) + time(body["event_time"])
                + text(body.get("signed_signal", "")))
    elif r["kind"] == "meter_exchange":
        out += (text(body.get("old_meter_serial", "")) + key(body.get("old_public_key", ""))
                + text(body["new_meter_serial"]) + key(body["new_public_key"])
                + text(body.get("reason", "")))
    else:
        out += text(body["inspector"]) + u8(RESULTS[body["result"]]) + time(body["inspected_at"])
        error = body.get("measured_error_bp")
        out += u8(0) if error is None else u8(1) + i32(error)
        for name in ("seals_removed", "seals_applied"):
            seals = body.get(name, [])
            out += u32(len(seals)) + b"".join(text(s) for s in seals)
        out += text(body.get("notes", "")) + text(body.get("idempotency_key", ""))
    return out


def main():
    document = open(sys.argv[1], encoding="utf-8").read()
    blocks = re.findall(r"```json anxin-chain-vector\n(.*?)\n```", document, re.S)
    if len(blocks) < 5:
        print("expected at least 5 vectors, found %d" % len(blocks))
        return 1
    genesis = hashlib.sha256(b"anxin.chain.genesis.v1").hexdigest()
    previous = genesis
    failures = 0
    for block in blocks:
        vector = json.loads(block)
        record = vector["record"]
        data = hash_input(record)
        digest = hashlib.sha256(data).hexdigest()
        problems = []
        if data.hex() != "".join(vector["hash_input_hex"]):
            problems.append("hash input differs")
        if digest != vector["sha256"] or digest != record.get("hash"):
            problems.append("hash differs: computed " + digest)
        if record["prev_hash"] != previous:
            problems.append("does not link to the vector before it")
        previous = digest
        print("%s %s%s" % ("not ok" if problems else "ok", vector["name"],
                           (": " + "; ".join(problems)) if problems else ""))
        failures += bool(problems)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
