#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Builds the offline basemap of Hangzhou shipped in data/basemap/.

The geography comes from GSHHG 2.3.7 (full resolution) through GMT, both
Debian packages (gmt, gmt-gshhg-full): the coastline of Hangzhou Bay, lake
shores (West Lake, Qiandao Lake, ...) and rivers (Qiantang, Fuchun, Xin'an).
GMT dumps them cut into its storage bins; this script joins the pieces at
matching end points, simplifies them (Douglas-Peucker) and writes compact
JSON with coordinates in WGS-84 degrees rounded to 1e-5 (about 1 m).

Usage: build-aux/make-basemap.py data/basemap/hangzhou.json
"""

import json
import subprocess
import sys
import tempfile

REGION = (118.30, 120.80, 29.10, 30.62)  # west, east, south, north
TOLERANCE = 0.00025  # degrees, about 25 m

# District seats (WGS-84), for labels. Hangzhou's ten districts, one county-
# level city and two counties after the 2021 re-division.
DISTRICTS = [
    ("上城区", "Shangcheng", 30.2425, 120.1700),
    ("拱墅区", "Gongshu", 30.3190, 120.1420),
    ("西湖区", "Xihu", 30.2730, 120.0900),
    ("滨江区", "Binjiang", 30.2085, 120.2110),
    ("萧山区", "Xiaoshan", 30.1650, 120.2640),
    ("余杭区", "Yuhang", 30.3930, 119.9800),
    ("临平区", "Linping", 30.4210, 120.3000),
    ("钱塘区", "Qiantang", 30.3050, 120.4500),
    ("富阳区", "Fuyang", 30.0490, 119.9600),
    ("临安区", "Lin'an", 30.2340, 119.7250),
    ("桐庐县", "Tonglu", 29.7970, 119.6910),
    ("淳安县", "Chun'an", 29.6090, 119.0420),
    ("建德市", "Jiande", 29.4750, 119.2810),
]


def gmt_segments(*args):
    region = "-R%g/%g/%g/%g" % REGION
    # GMT leaves a gmt.history in its working directory: not in ours.
    with tempfile.TemporaryDirectory() as scratch:
        out = subprocess.run(
            ["gmt", "coast", region, "-Df", "-M", *args],
            check=True, capture_output=True, text=True, cwd=scratch,
        ).stdout
    segments, current, level = [], None, None
    for line in out.splitlines():
        if line.startswith(">"):
            if current:
                segments.append((level, current))
            level = int(line.rsplit("Level", 1)[1]) if "Level" in line else 0
            current = []
        elif line.strip():
            lon, lat = map(float, line.split()[:2])
            current.append((lon, lat))
    if current:
        segments.append((level, current))
    return segments


def close(a, b):
    return abs(a[0] - b[0]) < 1e-7 and abs(a[1] - b[1]) < 1e-7


def join(segments):
    """Joins pieces that share end points into longer polylines."""
    pieces = [list(s) for s in segments]
    changed = True
    while changed:
        changed = False
        for i in range(len(pieces)):
            for j in range(len(pieces)):
                if i == j or not pieces[i] or not pieces[j]:
                    continue
                a, b = pieces[i], pieces[j]
                if close(a[-1], b[0]):
                    pieces[i] = a + b[1:]
                elif close(a[-1], b[-1]):
                    pieces[i] = a + b[-2::-1]
                elif close(a[0], b[-1]):
                    pieces[i] = b + a[1:]
                else:
                    continue
                pieces[j] = []
                changed = True
    return [p for p in pieces if len(p) >= 2]


def simplify(points, tolerance):
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    dx, dy = x2 - x1, y2 - y1
    norm = (dx * dx + dy * dy) ** 0.5
    best, index = -1.0, 0
    for i in range(1, len(points) - 1):
        px, py = points[i]
        if norm == 0:
            d = ((px - x1) ** 2 + (py - y1) ** 2) ** 0.5
        else:
            d = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
        if d > best:
            best, index = d, i
    if best <= tolerance:
        return [points[0], points[-1]]
    left = simplify(points[: index + 1], tolerance)
    return left[:-1] + simplify(points[index:], tolerance)


def flat(points):
    return [round(v, 5) for p in points for v in p]


def main():
    output = sys.argv[1]
    shores = gmt_segments("-W1", "-W2")
    coast = join([s for level, s in shores if level == 1])
    lakes = join([s for level, s in shores if level == 2])
    rivers = join([s for _, s in gmt_segments("-Ia")])

    def shapes(polylines, closed_only=False):
        result = []
        for line in polylines:
            is_closed = close(line[0], line[-1])
            if closed_only and not is_closed:
                continue
            simple = simplify(line, TOLERANCE)
            if len(simple) >= (4 if is_closed else 2):
                result.append({"closed": is_closed, "points": flat(simple)})
        return result

    basemap = {
        "name": "Hangzhou",
        "datum": "WGS-84",
        "bbox": list(REGION),
        "source": "GSHHG 2.3.7 full resolution (Wessel & Smith), extracted with GMT "
                  "by build-aux/make-basemap.py; district seats compiled by the Anxin authors",
        "license": "LGPL-3.0-or-later (GSHHG); labels CC0-1.0",
        "coast": shapes(coast),
        "lakes": shapes(lakes),
        "rivers": shapes(rivers),
        "labels": [
            {"name": zh, "name_en": en, "lat": lat, "lon": lon}
            for zh, en, lat, lon in DISTRICTS
        ],
    }
    with open(output, "w", encoding="utf-8") as f:
        json.dump(basemap, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    counts = {k: sum(len(s["points"]) // 2 for s in basemap[k]) for k in ("coast", "lakes", "rivers")}
    print(f"{output}: {counts}")


if __name__ == "__main__":
    main()
