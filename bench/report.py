"""The rows of the benchmark report, their targets, and how the report is written (the console
table and docs/benchmarks.md)."""
import statistics
from dataclasses import dataclass, field


# ---------------------------------------------------------------------------------------------
# How figures are written.

def seconds_text(s):
    if s is None:
        return "-"
    if s >= 1:
        return f"{s:.2f} s"
    return f"{s * 1000:.1f} ms" if s < 0.1 else f"{s * 1000:.0f} ms"


def ratio_text(r):
    if r is None:
        return "-"
    return f"{r:.2f}" if r >= 0.1 else f"{r:.3f}"


# ---------------------------------------------------------------------------------------------
# Figures and rows.

@dataclass
class Figure:
    side: str          # ours, raw or classic
    method: str
    seconds: list      # one per timed run
    same_work: bool = True  # False: does less than the others (e.g. no ids): not a floor

    @property
    def median(self):
        return statistics.median(self.seconds)


@dataclass
class Row:
    name: str          # as the benchmark programs print it
    title: str         # as the report prints it
    targets: list
    figures: list = field(default_factory=list)

    def best(self, side):
        """The fastest figure of a side that does the whole work (for raw: the floor)."""
        figures = [f for f in self.figures if f.side == side and f.same_work]
        return min(figures, key=lambda f: f.median) if figures else None

    def ratio(self, side):
        """ours / side, by medians."""
        ours, other = self.best("ours"), self.best(side)
        return ours.median / other.median if ours and other else None


# Targets: what a row must show. A missed one says by how much, and whether the raw floor itself
# would meet it (if not, no implementation doing the same work can).

class OursUnder:
    def __init__(self, limit):
        self.limit = limit
        self.text = f"ours under {seconds_text(limit)}"

    def met(self, row):
        return row.best("ours") is not None and row.best("ours").median < self.limit

    def shortfall(self, row):
        floor = row.best("raw")
        return (f"ours takes {seconds_text(row.best('ours').median)}"
                + (f"; the raw floor takes {seconds_text(floor.median)}" if floor else ""))


class FasterThanClassic:
    def __init__(self, factor):
        self.factor = factor
        self.text = f"{factor}x faster than classic"

    def met(self, row):
        ratio = row.ratio("classic")
        return ratio is not None and ratio <= 1 / self.factor

    def shortfall(self, row):
        classic, floor = row.best("classic").median, row.best("raw")
        return (f"ours is {classic / row.best('ours').median:.1f}x faster"
                + (f"; the raw floor is {classic / floor.median:.1f}x faster" if floor else ""))


class WithinRaw:
    def __init__(self, factor):
        self.factor = factor
        self.text = f"within {factor}x of raw"

    def met(self, row):
        ratio = row.ratio("raw")
        return ratio is not None and ratio <= self.factor

    def shortfall(self, row):
        return f"ours/raw is {ratio_text(row.ratio('raw'))}"


# The report's rows and targets: the one place that names them.
ORM_ROWS = [
    Row("insert_bulk", "insert 10,000 books, one commit", [FasterThanClassic(10), WithinRaw(1.2)]),
    Row("insert_each", "insert 10,000 books, a commit each",
        [FasterThanClassic(10), WithinRaw(1.2)]),
    Row("load_all", "load all 10,000 books as objects",
        [FasterThanClassic(10), WithinRaw(1.2), OursUnder(0.020)]),
    Row("get_by_key", "1,000 gets by primary key", [FasterThanClassic(10), WithinRaw(1.2)]),
    Row("load_related", "load 1,000 authors with their 10,000 books",
        [FasterThanClassic(10), WithinRaw(1.3)]),
]
DB_ROWS = [
    Row("upgrade_one", "`db upgrade`, 1 revision, empty database",
        [FasterThanClassic(20), OursUnder(0.050)]),
    Row("current", "`db current`", [FasterThanClassic(20), OursUnder(0.050)]),
    Row("migrate_nochange", "`db migrate`, no change", [FasterThanClassic(20)]),
    Row("upgrade_100", "`db upgrade`, 100 revisions, empty database",
        [FasterThanClassic(20), OursUnder(1.0)]),
]


def add_figures(rows, lines):
    """Adds the JSON lines of bench_orm / classic/orm_bench.py to their rows."""
    by_name = {row.name: row for row in rows}
    for line in lines:
        by_name[line["row"]].figures.append(
            Figure(line["side"], line["method"], line["seconds"], line["same_work"]))


# ---------------------------------------------------------------------------------------------
# Tables.

def markdown_table(header, lines):
    """A Markdown table, padded so that it lines up in a terminal too."""
    cells = [header] + [[str(c) for c in line] for line in lines]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]

    def text(line):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(line, widths)) + " |"
    return "\n".join([text(header), text(["-" * w for w in widths])] + [text(c) for c in cells[1:]])


def summary_table(rows):
    lines = []
    for row in rows:
        ours, raw, classic = row.best("ours"), row.best("raw"), row.best("classic")
        to_classic = row.ratio("classic")
        speedup = "" if to_classic is None else f" ({1 / to_classic:.0f}x faster)"
        lines.append([
            row.title,
            seconds_text(ours and ours.median),
            seconds_text(raw and raw.median),
            seconds_text(classic and classic.median),
            ratio_text(row.ratio("raw")),
            ratio_text(to_classic) + speedup,
            "; ".join(("met: " if t.met(row) else "MISSED: ") + t.text for t in row.targets),
        ])
    return markdown_table(
        ["work", "ours", "raw floor", "classic", "ours/raw", "ours/classic", "targets"], lines)


def detail_table(rows):
    lines = []
    for row in rows:
        floor = row.best("raw")
        for f in row.figures:
            note = "floor" if f is floor else ("" if f.same_work else "reference, not the floor")
            lines.append([row.title, f.side, f.method, seconds_text(f.median),
                          seconds_text(min(f.seconds)), seconds_text(max(f.seconds)),
                          len(f.seconds), note])
    return markdown_table(["work", "side", "method", "median", "min", "max", "runs", "note"], lines)


def targets_summary(rows):
    """How many targets were met, then one line per missed target."""
    results = [(row, target, target.met(row)) for row in rows for target in row.targets]
    missed = [f"- missed: {row.title}, {target.text}: {target.shortfall(row)}"
              for row, target, met in results if not met]
    summary = f"{len(results) - len(missed)} of {len(results)} targets met."
    return summary + ("\n\n" + "\n".join(missed) if missed else "")


# ---------------------------------------------------------------------------------------------
# The page.

def page(rows, environment, seconds_taken):
    """docs/benchmarks.md: the results, how they were measured, the machine and versions."""
    return f"""# Benchmarks {{#benchmarks}}

Is the C++ version faster than the classic Flask-SQLAlchemy / Flask-Migrate stack, and by how
much? `./workbook bench` measures both on the workbook's PostgreSQL in one run, beside raw
libpqxx in its best form, the floor no library can beat, and writes this page. The figures are
those of the last run.

## Results

{summary_table(rows)}

**ours**: the orm library (`orm::Session`, and the `db` commands of an app built on
`orm::cli::run`); **classic**: the tutorial's app through Flask-SQLAlchemy, and `flask db`;
**raw floor**: the fastest raw libpqxx method that does the same work. **ours/raw** and
**ours/classic** divide medians: below 1, ours is faster.

## Targets

{targets_summary(rows)}

## How it is measured

- Every figure is the median of several timed runs, after one warm-up run that is not counted.
  The methods of a row take turns run by run (the order rotates), so drift hits all of them
  alike.
- All sides use the same server, with the same settings, one program at a time. The classic
  side is the tutorial's app, in `bench/classic`: `create_app(test_config)`, `Book(db.Model)`
  with `__tablename__ = "books"`, Flask-Migrate's `flask db`.
- The ORM rows (`bench/orm_bench.cpp`, `bench/classic/orm_bench.py`): inserts start from an
  empty `books` table (`TRUNCATE ... RESTART IDENTITY`, not timed) with the objects already
  built, and end when every row is committed and every object knows its id. The classic
  commit-each loop builds each object inside the loop, as a Flask view does: a session holding
  all 10,000 objects expires every one of them at every commit, which takes 70 to 86 s instead
  of 4 s. Loads and gets read a table of 10,000 books; gets use the same 1,000 distinct keys on
  every side. `load_related` reads 1,000 authors and their 10,000 books (book k belongs to author
  1 + k mod 1,000) into objects grouped by author: ours with `session.all` and `load_each`, the
  classic side with SQLAlchemy's `selectinload` (both send two SELECTs), raw libpqxx with the
  same two SELECTs or with one JOIN. Each client and its server backend are kept on one CPU: on this virtual machine a
  round trip that has to wake the other, idle CPU costs up to 90 us more, and which runs paid it
  was left to chance.
- The `db` rows (`bench/db_rows.py`) time whole processes, from start to exit, as a user runs
  them, unpinned, each side in its own throwaway project folder under the build tree and on its
  own database. Each tool writes its first revision itself (`db migrate -m "adds Book model"`
  on an empty database); the project for 100 revisions adds 99 that each add a column. Ours is
  `bench_hello_books`, an app with the `Book` model on `orm::cli::run`. The raw floor,
  `bench_db_floor`, is a libpqxx program that connects and runs the same SQL without any
  bookkeeping: the revisions' upgrade SQL, a transaction each (one round trip each), or the
  query that reads the current revision, or one catalog query.
- Untimed checks after every run make sure the work was done: rows and ids, the loaded books,
  the columns an upgrade creates, the revision `current` prints, no file from `migrate`.

All methods, with their spread:

{detail_table(rows)}

## Machine and versions

{markdown_table(["what", "value"], environment)}

The measurements took {seconds_taken:.0f} s (`./workbook bench` also brings the build up to date).
"""
