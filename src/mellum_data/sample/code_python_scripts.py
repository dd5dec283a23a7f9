"""Python repository: data-analysis scripts with a CSV data file, a Latin-1 legacy module
and a script with a syntax error."""
# ruff: noqa: E501  (code templates are kept verbatim, long lines included)

from __future__ import annotations

from mellum_data.sample.repo_context import Generated, RepoContext
from mellum_data.sample.vendored import strings_py

STATS = '''"""Streaming statistics (Welford's algorithm), so that huge files need no memory."""

import math


class RunningStats:
    def __init__(self):
        self.n = 0
        self.mean = 0.0
        self._m2 = 0.0
        self.minimum = math.inf
        self.maximum = -math.inf

    def push(self, x):
        self.n += 1
        delta = x - self.mean
        self.mean += delta / self.n
        self._m2 += delta * (x - self.mean)
        self.minimum = min(self.minimum, x)
        self.maximum = max(self.maximum, x)

    @property
    def variance(self):
        return self._m2 / (self.n - 1) if self.n > 1 else 0.0

    @property
    def stdev(self):
        return math.sqrt(self.variance)

    def summary(self):
        return {"n": self.n, "mean": round(self.mean, 3), "stdev": round(self.stdev, 3),
                "min": self.minimum, "max": self.maximum}


def by_station(rows, column):
    stats = {}
    for row in rows:
        value = row.get(column, "")
        if value in ("", "NA"):
            continue
        stats.setdefault(row["station"], RunningStats()).push(float(value))
    return {station: s.summary() for station, s in sorted(stats.items())}
'''

CLEAN = '''"""Read the raw measurement export and drop rows the loggers got wrong."""

import csv
import sys

from analysis.stats import by_station
from utils.strings import normalize_space

PLAUSIBLE = {"temperature": (-40.0, 50.0), "humidity": (0.0, 100.0), "wind": (0.0, 60.0)}


def plausible(row):
    for column, (low, high) in PLAUSIBLE.items():
        value = row.get(column, "NA")
        if value == "NA":
            continue
        if not low <= float(value) <= high:
            return False
    return True


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            row["station"] = normalize_space(row["station"])
            if plausible(row):
                yield row


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else "data/measurements.csv"
    rows = list(read_rows(path))
    for station, summary in by_station(rows, "temperature").items():
        print(station, summary)
'''

# Latin-1 bytes with a coding cookie: valid Python 2-era source, not valid UTF-8.
LEGACY = '''# -*- coding: latin-1 -*-
"""Import of the old logger format (station files from the 2009 campaign).

Author: Jos\xe9 Mu\xf1oz, Ren\xe9 M\xfcller
Units: temperature in \xb0C, wind in km/h.
"""

STATION_NAMES = {
    "MUN": "M\xfcnchen-Riem",
    "ZUR": "Z\xfcrich-Affoltern",
    "MAL": "M\xe1laga",
}


def parse_line(line):
    """Fields are separated by semicolons; decimals use a comma ("12,5 \xb0C")."""
    code, date, temp = line.rstrip("\\n").split(";")[:3]
    return {
        "station": STATION_NAMES.get(code, code),
        "date": date,
        "temperature": float(temp.replace("\xb0C", "").replace(",", ".").strip()),
    }
'''

# An unterminated string literal on the last line of a function.
EXPORT = '''"""Write a Markdown report of the station summaries."""

from analysis.clean import read_rows
from analysis.stats import by_station


def render(summaries):
    lines = ["| station | n | mean | stdev |", "|---|---|---|---|"]
    for station, s in summaries.items():
        lines.append(f"| {station} | {s['n']} | {s['mean']} | {s['stdev']} |")
    return "\\n".join(lines) + "\\n


if __name__ == "__main__":
    print(render(by_station(read_rows("data/measurements.csv"), "temperature")))
'''


def measurements_csv(ctx: RepoContext, n_rows: int) -> str:
    rng = ctx.rng
    stations = rng.sample(
        ("Riverside", "Hilltop", "Old Mill", "Harbour", "Airport", "North Gate", "Allotments"), k=4
    )
    lines = ["timestamp,station,temperature,humidity,wind,battery"]
    base_temp = {s: rng.uniform(4, 16) for s in stations}
    for i in range(n_rows):
        s = stations[i % len(stations)]
        hour = (i // len(stations)) % 24
        day = 1 + (i // (len(stations) * 24)) % 28
        temp = base_temp[s] + 6 * ((hour - 14) / 12) * -1 + rng.gauss(0, 1.2)
        hum = "NA" if rng.random() < 0.01 else f"{min(100, max(20, rng.gauss(72, 12))):.1f}"
        lines.append(
            f"2023-{1 + i // 20000:02d}-{day:02d}T{hour:02d}:00:00Z,{s},{temp:.2f},{hum},"
            f"{abs(rng.gauss(12, 6)):.1f},{3.3 - i * 1e-6:.3f}"
        )
    return "\n".join(lines) + "\n"


def python_scripts(ctx: RepoContext, out: Generated) -> None:
    out.add("requirements.txt", "pandas==2.2.2\nmatplotlib==3.8.4\n")
    out.add("analysis/__init__.py", "")
    out.add("analysis/stats.py", STATS)
    out.add("analysis/clean.py", CLEAN)
    out.add("analysis/legacy_import.py", LEGACY.encode("latin-1"), "non_utf8")
    out.add("scripts/export_report.py", EXPORT, "syntax_error")
    out.add("utils/__init__.py", "")
    out.add("utils/strings.py", strings_py(ctx.rng), "vendored")
    out.add("data/measurements.csv", measurements_csv(ctx, 3200), "data")
