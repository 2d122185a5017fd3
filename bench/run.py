"""The benchmark report of `./workbook bench`: our C++ library beside raw libpqxx and the classic
Flask-SQLAlchemy / Flask-Migrate stack, on one server in one run.

    /usr/bin/python3 bench/run.py --build build/release \\
        --url postgresql://postgres:postgres@localhost:55432/hello_books_bench

It runs bench_orm (ours and raw libpqxx) and bench/classic/orm_bench.py (the classic app) for the
ORM rows, times the `db` commands as whole processes, prints the table and writes it, with the
machine, the versions and the date, to docs/benchmarks.md.
"""
import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
CLASSIC = ROOT / "bench" / "classic"


# ---------------------------------------------------------------------------------------------
# How figures are written.

def seconds_text(s):
    if s is None:
        return "-"
    if s < 1:
        return f"{s * 1000:.1f} ms" if s < 0.1 else f"{s * 1000:.0f} ms"
    return f"{s:.2f} s"


def ratio_text(r):
    if r is None:
        return "-"
    return f"{r:.2f}" if r >= 0.1 else f"{r:.3f}"


# ---------------------------------------------------------------------------------------------
# The rows of the report and their targets: the one place that names them.

@dataclass
class Target:
    text: str         # as printed, e.g. "10x faster than classic"
    met: callable     # Row -> bool


@dataclass
class Row:
    name: str
    title: str
    targets: list
    figures: list = field(default_factory=list)  # every Figure measured for this row

    def best(self, side, same_work_only=True):
        """The fastest figure of a side (for raw: the floor), by median."""
        figures = [f for f in self.figures
                   if f.side == side and (f.same_work or not same_work_only)]
        return min(figures, key=lambda f: f.median) if figures else None

    def ratio(self, side):
        ours, other = self.best("ours"), self.best(side)
        return ours.median / other.median if ours and other else None


@dataclass
class Figure:
    side: str          # ours, raw or classic
    method: str
    seconds: list
    same_work: bool = True

    @property
    def median(self):
        return statistics.median(self.seconds)


def ours_under(limit):
    return Target(f"ours under {seconds_text(limit)}",
                  lambda row: row.best("ours").median < limit)


def faster_than_classic(factor):
    return Target(f"{factor}x faster than classic",
                  lambda row: row.ratio("classic") is not None and row.ratio("classic") <= 1 / factor)


WITHIN_RAW = Target("within 1.2x of raw",
                    lambda row: row.ratio("raw") is not None and row.ratio("raw") <= 1.2)

ORM_ROWS = [
    Row("insert_bulk", "insert 10,000 books, one commit", [faster_than_classic(10), WITHIN_RAW]),
    Row("insert_each", "insert 10,000 books, a commit each", [faster_than_classic(10), WITHIN_RAW]),
    Row("load_all", "load all 10,000 books as objects",
        [faster_than_classic(10), WITHIN_RAW, ours_under(0.020)]),
    Row("get_by_key", "1,000 gets by primary key", [faster_than_classic(10), WITHIN_RAW]),
]


# ---------------------------------------------------------------------------------------------
# Running the programs.

def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def run_json_lines(argv, env=None):
    """Runs a benchmark program and returns its JSON lines; stops with its stderr if it fails."""
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        fail(f"{' '.join(map(str, argv))} failed (exit {done.returncode}): "
             f"{done.stderr.strip() or done.stdout.strip()}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def add_figures(rows, lines):
    by_name = {row.name: row for row in rows}
    for line in lines:
        by_name[line["row"]].figures.append(
            Figure(line["side"], line["method"], line["seconds"], line["same_work"]))


def server_is_local(url):
    host = re.match(r"[^:]+://(?:[^@/]*@)?([^:/?]*)", url).group(1)
    return host in ("", "localhost", "127.0.0.1", "::1") or host.startswith("/")


def run_orm_rows(args, rows):
    pin = ["--cpu", str(args.cpu)] if args.cpu is not None else []
    print("ORM rows: ours and raw libpqxx (bench_orm) ...", flush=True)
    add_figures(rows, run_json_lines(
        [args.build / "bench" / "bench_orm", "--url", args.url, "--runs", str(args.runs)] + pin))
    print("ORM rows: the classic Flask-SQLAlchemy app ...", flush=True)
    env = dict(os.environ, SQLALCHEMY_DATABASE_URI=sqlalchemy_url(args.url))
    add_figures(rows, run_json_lines(
        [sys.executable, CLASSIC / "orm_bench.py", "--runs", str(args.classic_runs)] + pin,
        env=env))


def sqlalchemy_url(url):
    return re.sub(r"^postgres(ql)?:", "postgresql+psycopg2:", url)


# ---------------------------------------------------------------------------------------------
# The report.

def speedup_text(row):
    r = row.ratio("classic")
    return "-" if r is None else f"{ratio_text(r)} ({1 / r:.0f}x faster)"


def markdown_table(header, lines):
    """A Markdown table padded to line up in a terminal too."""
    widths = [max(len(str(cells[i])) for cells in [header] + lines) for i in range(len(header))]
    def format_line(cells):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    return "\n".join([format_line(header), "| " + " | ".join("-" * w for w in widths) + " |"]
                     + [format_line(cells) for cells in lines])


def summary_table(rows):
    lines = []
    for row in rows:
        ours, raw, classic = row.best("ours"), row.best("raw"), row.best("classic")
        lines.append([
            row.title,
            seconds_text(ours.median if ours else None),
            seconds_text(raw.median if raw else None),
            seconds_text(classic.median if classic else None),
            ratio_text(row.ratio("raw")),
            speedup_text(row),
            "; ".join(("met: " if t.met(row) else "MISSED: ") + t.text for t in row.targets),
        ])
    return markdown_table(["work", "ours", "raw floor", "classic", "ours/raw", "ours/classic",
                           "targets"], lines)


def detail_table(rows):
    lines = []
    for row in rows:
        floor = row.best("raw")
        for f in row.figures:
            note = "floor" if f is floor else ("" if f.same_work else "skips part of the work")
            lines.append([row.title, f.side, f.method, seconds_text(f.median),
                          seconds_text(min(f.seconds)), seconds_text(max(f.seconds)),
                          len(f.seconds), note])
    return markdown_table(["work", "side", "method", "median", "min", "max", "runs", "note"],
                          lines)


def targets_summary(rows):
    results = [(row, t, t.met(row)) for row in rows for t in row.targets]
    missed = [f"{row.title}: {t.text}" for row, t, met in results if not met]
    text = f"{len(results) - len(missed)} of {len(results)} targets met."
    if missed:
        text += " Missed: " + "; ".join(missed) + "."
    return text


# ---------------------------------------------------------------------------------------------
# The machine and the versions.

def command_output(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def compiler_version(build):
    cache = (build / "CMakeCache.txt").read_text()
    compiler = re.search(r"^CMAKE_CXX_COMPILER:\w+=(.*)$", cache, re.M).group(1)
    return f"{Path(compiler).name} {command_output([compiler, '-dumpfullversion'])}"


def package_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def environment(args):
    with psycopg2.connect(args.url) as connection, connection.cursor() as cursor:
        settings = {}
        for name in ("server_version", "fsync", "synchronous_commit", "shared_buffers"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    connection.close()
    return [
        ("Machine", f"{cpu_model()}, {os.cpu_count()} cores, {platform.system()} "
                    f"{platform.release()}"),
        ("Date", datetime.datetime.now().strftime("%Y-%m-%d %H:%M")),
        ("C++ compiler", f"{compiler_version(args.build)}, CMake preset `release` (-O3)"),
        ("PostgreSQL", f"{settings['server_version']} (fsync {settings['fsync']}, "
                       f"synchronous_commit {settings['synchronous_commit']}, "
                       f"shared_buffers {settings['shared_buffers']})"),
        ("libpqxx", command_output(["pkg-config", "--modversion", "libpqxx"])),
        ("Python", f"{platform.python_version()} ({sys.executable})"),
        ("Flask-SQLAlchemy", package_version("Flask-SQLAlchemy")),
        ("SQLAlchemy", package_version("SQLAlchemy")),
        ("Flask-Migrate", package_version("Flask-Migrate")),
        ("Alembic", alembic_version()),
        ("psycopg2", package_version("psycopg2").split(" ")[0]),
        ("CPU pinning", f"client and server backend on CPU {args.cpu}" if args.cpu is not None
                        else "none (the server is not on this machine)"),
    ]


def alembic_version():
    import alembic
    return alembic.__version__


def page(args, rows, env, took):
    env_table = markdown_table(["", ""], [[k, v] for k, v in env])
    return f"""# Benchmarks {{#benchmarks}}

Is the C++ version faster than the classic Flask-SQLAlchemy / Flask-Migrate stack, and by how much?
`./workbook bench` measures both on the workbook's PostgreSQL in one run, beside raw libpqxx in
its best form (the floor no library can beat), and writes this page. These are the figures of the
last run.

## Results

{summary_table(rows)}

{targets_summary(rows)}

- **ours**: the orm library (`orm::Session`); **raw floor**: the fastest raw libpqxx method that
  does the same work; **classic**: the tutorial's app through Flask-SQLAlchemy.
- **ours/raw** and **ours/classic** are ratios of medians: below 1 means ours is faster.

## How it is measured

- Every figure is the median of several runs, after one warm-up run that is not counted.
  Within bench_orm the methods take turns run by run, so drift hits all of them alike.
- Each side works on the same server, database and settings, one side at a time. Inserts start
  from an empty `books` table (`TRUNCATE ... RESTART IDENTITY`, not timed) with the objects
  already built; they end when every row is committed and every object knows its id. Loads and
  gets read a table of 10,000 books; gets use the same 1,000 distinct keys on every side.
- Untimed checks after every run make sure the work was done (rows in the table, ids in the
  objects, the right books loaded).
- The ORM rows keep each client and its server backend on one CPU: on this virtual machine a
  round trip that wakes the other, idle CPU costs up to 90 us more, and which runs paid it was
  chance. The classic side is pinned the same way.

All methods, with their spread:

{detail_table(rows)}

## Machine and versions

{env_table}

`./workbook bench` took {took:.0f} s.
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=ROOT / "build" / "release",
                        help="the release build tree")
    parser.add_argument("--url", required=True, help="the database the ORM rows work in")
    parser.add_argument("--runs", type=int, default=9, help="timed runs of each C++ figure")
    parser.add_argument("--classic-runs", type=int, default=5,
                        help="timed runs of each classic figure")
    parser.add_argument("--cpu", type=int, default=None,
                        help="CPU for the ORM rows (default: the last one, if the server is local)")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    if args.cpu is None and server_is_local(args.url):
        args.cpu = os.cpu_count() - 1

    start = time.monotonic()
    rows = ORM_ROWS
    run_orm_rows(args, rows)
    took = time.monotonic() - start

    print()
    print(summary_table(rows))
    print()
    print(targets_summary(rows))
    print()
    print(detail_table(rows))
    args.output.write_text(page(args, rows, environment(args), took))
    print(f"\nWritten to {args.output}")


if __name__ == "__main__":
    main()
