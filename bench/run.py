"""`./workbook bench`: our C++ library and `db` commands beside raw libpqxx and the classic
Flask-SQLAlchemy / Flask-Migrate stack, on one server in one run.

    /usr/bin/python3 bench/run.py --build build/release --url "$(./workbook db url hello_books_bench)"

The ORM rows come from bench_orm (ours and raw libpqxx) and bench/classic/orm_bench.py (the
classic app), the `db` rows from bench/db_rows.py. Prints the table and writes it, with the
machine, the versions and the date, to docs/benchmarks.md (bench/report.py).
"""
import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from db_rows import run_db_rows  # noqa: E402
from report import DB_ROWS, ORM_ROWS, add_figures, detail_table, page, summary_table, \
    targets_summary  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CLASSIC = ROOT / "bench" / "classic"


@dataclass
class Settings:
    build: Path            # the release build tree
    url: str               # the database of the ORM rows; the db rows use siblings of it
    cpu: int               # the CPU of the ORM rows, or None
    runs: int              # timed runs of each C++ ORM figure
    classic_runs: int      # timed runs of each classic ORM figure
    process_runs: int      # timed runs of each db row figure
    env: dict              # for every program we start
    classic_env: dict      # for the classic stack: Debian's Python first
    classic_app: Path = CLASSIC / "app"

    @staticmethod
    def sqlalchemy_url(url):
        """The tutorial's spelling of a URL: postgresql+psycopg2://..."""
        return re.sub(r"^postgres(ql)?:", "postgresql+psycopg2:", url)


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def run_json_lines(argv, env):
    """Runs a benchmark program; returns its JSON lines, or stops with its error."""
    done = subprocess.run([str(a) for a in argv], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        fail(f"{Path(argv[-1] if argv[0] == sys.executable else argv[0]).name} failed "
             f"(exit {done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def run_orm_rows(settings, rows):
    pin = ["--cpu", settings.cpu] if settings.cpu is not None else []
    print("ORM rows: ours and raw libpqxx (bench_orm) ...", flush=True)
    add_figures(rows, run_json_lines(
        [settings.build / "bench" / "bench_orm", "--url", settings.url,
         "--runs", settings.runs] + pin, settings.env))
    print("ORM rows: the classic app (Flask-SQLAlchemy) ...", flush=True)
    add_figures(rows, run_json_lines(
        [sys.executable, CLASSIC / "orm_bench.py", "--runs", settings.classic_runs] + pin,
        dict(settings.classic_env, SQLALCHEMY_DATABASE_URI=settings.sqlalchemy_url(settings.url))))


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


def compiler(build):
    """The compiler CMake found for the build tree, e.g. "g++ 12.2.0, Release build"."""
    cache = (build / "CMakeCache.txt").read_text()
    build_type = re.search(r"^CMAKE_BUILD_TYPE:\w+=(.*)$", cache, re.M).group(1)
    [detected] = (build / "CMakeFiles").glob("*/CMakeCXXCompiler.cmake")
    text = detected.read_text()
    compiler_id = re.search(r'CMAKE_CXX_COMPILER_ID "(\w+)"', text).group(1)
    version = re.search(r'CMAKE_CXX_COMPILER_VERSION "([^"]+)"', text).group(1)
    name = {"GNU": "g++", "Clang": "clang++"}.get(compiler_id, compiler_id)
    return f"{name} {version}, {build_type} build"


def memory():
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 2**20:.0f} GiB"
    return "unknown memory"


def version_of(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def environment(settings):
    """The rows of the "Machine and versions" table."""
    import alembic  # Debian's alembic reports "1.8.1.dev0" to importlib.metadata
    connection = psycopg2.connect(settings.url)
    with connection.cursor() as cursor:
        def show(name):
            cursor.execute(f"SHOW {name}")
            return cursor.fetchone()[0]
        server = (f"{show('server_version')}; fsync {show('fsync')}, synchronous_commit "
                  f"{show('synchronous_commit')}, shared_buffers {show('shared_buffers')}")
    connection.close()
    return [
        ["Machine", f"{cpu_model()}, {os.cpu_count()} cores, {memory()}, {platform.system()} "
                    f"{platform.release()}"],
        ["Date", datetime.datetime.now().strftime("%Y-%m-%d %H:%M")],
        ["C++ compiler", compiler(settings.build)],
        ["PostgreSQL", server],
        ["libpqxx", command_output(["pkg-config", "--modversion", "libpqxx"])],
        ["Python", f"{platform.python_version()} ({sys.executable})"],
        ["Flask", version_of("Flask")],
        ["Flask-SQLAlchemy", version_of("Flask-SQLAlchemy")],
        ["SQLAlchemy", version_of("SQLAlchemy")],
        ["Flask-Migrate", version_of("Flask-Migrate")],
        ["Alembic", alembic.__version__],
        ["psycopg2", version_of("psycopg2")],
        ["ORM rows pinned to", f"CPU {settings.cpu}" if settings.cpu is not None
                               else "no CPU (the server is on another machine)"],
    ]


def server_is_local(url):
    host = re.match(r"[^:]+://(?:[^@/]*@)?(\[[^]]*\]|[^:/?]*)", url).group(1)
    return host in ("", "localhost", "127.0.0.1", "[::1]") or "host=/" in url


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=ROOT / "build" / "release",
                        help="the release build tree (default: build/release)")
    parser.add_argument("--url", required=True, help="the database of the ORM rows")
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each C++ ORM figure")
    parser.add_argument("--classic-runs", type=int, default=5,
                        help="timed runs of each classic ORM figure")
    parser.add_argument("--process-runs", type=int, default=15,
                        help="timed runs of each db command")
    parser.add_argument("--cpu", type=int,
                        help="CPU for the ORM rows (default: the last, when the server is local)")
    parser.add_argument("--only", choices=["orm", "db"],
                        help="one group of rows, printed only (the page needs all of them)")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()

    env = dict(os.environ)
    settings = Settings(
        build=args.build.resolve(), url=args.url,
        cpu=args.cpu if args.cpu is not None or not server_is_local(args.url)
        else os.cpu_count() - 1,
        runs=args.runs, classic_runs=args.classic_runs, process_runs=args.process_runs,
        env=env,
        classic_env=dict(env, PATH="/usr/bin:/bin:" + env.get("PATH", "")))

    start = time.monotonic()
    rows = []
    if args.only in (None, "orm"):
        run_orm_rows(settings, ORM_ROWS)
        rows += ORM_ROWS
    if args.only in (None, "db"):
        run_db_rows(settings, DB_ROWS, settings.build / "bench-projects")
        rows += DB_ROWS
    seconds_taken = time.monotonic() - start

    print()
    print(summary_table(rows))
    print()
    print(targets_summary(rows))
    print()
    print(detail_table(rows))
    print(f"\nMeasured in {seconds_taken:.0f} s.")
    if args.only is None:
        args.output.write_text(page(rows, environment(settings), seconds_taken))
        print(f"\nWritten to {args.output}")


if __name__ == "__main__":
    main()
