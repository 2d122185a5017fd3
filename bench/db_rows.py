"""The `db` rows of `./workbook bench`: `db upgrade`, `db current` and `db migrate` as whole
processes. Ours is bench_hello_books (an app on orm::cli::run), classic is `flask db` with the
tutorial's app, the raw floor is bench_db_floor. Each side works in its own throwaway project
folder under the build tree and on its own database of the same server."""
import datetime
import re
import secrets
import shutil
import subprocess
import urllib.parse
from pathlib import Path

import psycopg2

from report import Figure
from timing import Contender, measure

REVISIONS = 100  # for the `db upgrade` of many revisions: the first, then one column each


def with_database(url, name):
    """`url` with another database: same server, same credentials."""
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/" + name))


class Database:
    """A database of the bench's own, emptied before each upgrade (never one of the user's)."""

    def __init__(self, url):
        self.url = url
        name = urllib.parse.urlsplit(url).path.lstrip("/")
        admin = psycopg2.connect(with_database(url, "postgres"))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        self.connection = psycopg2.connect(url)
        self.connection.autocommit = True

    def query(self, sql):
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def reset(self):
        """Back to an empty database: no tables, no history."""
        self.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public; SELECT 1")

    def books_columns(self):
        return self.query("SELECT count(*) FROM information_schema.columns "
                          "WHERE table_schema = 'public' AND table_name = 'books'")[0][0]

    def close(self):
        self.connection.close()


class Command:
    """A program run as a whole process in one folder; keeps the last run's output for checks."""

    def __init__(self, argv, cwd, env):
        self.argv, self.cwd, self.env = [str(a) for a in argv], cwd, env
        self.name = Path(self.argv[0]).name
        self.last = None

    def __call__(self, *args):
        self.last = subprocess.run(self.argv + list(args), cwd=self.cwd, env=self.env,
                                   capture_output=True, text=True)
        if self.last.returncode != 0:
            raise RuntimeError(f"`{' '.join(self.argv[-1:] + list(args))}` in {self.cwd} failed "
                               f"(exit {self.last.returncode}): {self.last.stderr.strip()}")
        return self.last


def expect(condition, what):
    if not condition:
        raise RuntimeError(f"check failed: {what}")


# ---------------------------------------------------------------------------------------------
# The projects: the same app, the same first revision (each tool writes its own with `db
# migrate`), then REVISIONS - 1 revisions that each add a column.

def new_revision_id():
    return secrets.token_hex(6)  # 12 hex digits, as both tools write them


def ours_revision(folder, revision, down_revision, k):
    text = (f"-- adds note_{k}\n--\n-- Revision ID: {revision}\n-- Revises: {down_revision}\n"
            f"-- Create Date: {datetime.datetime.now()}\n\n"
            f"-- === upgrade ===\n\nALTER TABLE books ADD COLUMN note_{k} text;\n\n"
            f"-- === downgrade ===\n\nALTER TABLE books DROP COLUMN note_{k};\n")
    path = folder / f"{revision}_adds_note_{k}.sql"
    path.write_text(text)
    return path


def classic_revision(folder, revision, down_revision, k):
    text = f'''"""adds note_{k}

Revision ID: {revision}
Revises: {down_revision}
Create Date: {datetime.datetime.now()}

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '{revision}'
down_revision = '{down_revision}'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('books', sa.Column('note_{k}', sa.String(), nullable=True))


def downgrade():
    op.drop_column('books', 'note_{k}')
'''
    path = folder / f"{revision}_adds_note_{k}.py"
    path.write_text(text)
    return path


class Side:
    """One side's two projects (one revision; REVISIONS revisions) and its database."""

    def __init__(self, name, folder, database, command, write_revision, revision_pattern):
        self.name, self.folder, self.database = name, folder, database
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.one = command(folder / "one")
        self.many = command(folder / "many")
        self.write_revision = write_revision
        self.revision_pattern = revision_pattern

    def create_projects(self):
        self.database.reset()
        self.one("db", "init")
        self.one("db", "migrate", "-m", "adds Book model")
        [first] = self.revision_files()
        self.head = re.search(self.revision_pattern, first.read_text(), re.M).group(1)

        many = Path(self.many.cwd)
        shutil.copytree(Path(self.one.cwd), many, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
        self.chain = [many / "migrations" / "versions" / first.name]  # the files, in order
        for k in range(2, REVISIONS + 1):
            revision = new_revision_id()
            down = re.search(self.revision_pattern, self.chain[-1].read_text(), re.M).group(1)
            self.chain.append(self.write_revision(self.chain[-1].parent, revision, down, k))

    def revision_files(self):
        """The revision files of the one-revision project."""
        versions = Path(self.one.cwd) / "migrations" / "versions"
        return sorted(f for f in versions.iterdir() if f.is_file())

    def upgrade_sql(self):
        """The upgrade sections of our revision files, in order: what the floor runs."""
        return [re.search(r"-- === upgrade ===\n(.*)-- === downgrade ===", f.read_text(),
                          re.S).group(1) for f in self.chain]

    def at_head(self):
        self.database.reset()
        self.one("db", "upgrade")


def make_sides(settings, work):
    ours_db = Database(with_database(settings.url, "hello_books_bench_db_ours"))
    classic_db = Database(with_database(settings.url, "hello_books_bench_db_classic"))
    app = settings.build / "bench" / "bench_hello_books"
    env = dict(settings.env, DATABASE_URL=ours_db.url)
    classic_env = dict(settings.classic_env,
                       SQLALCHEMY_DATABASE_URI=settings.sqlalchemy_url(classic_db.url))

    def classic_project(folder):
        shutil.copytree(settings.classic_app, folder / "app",
                        ignore=shutil.ignore_patterns("__pycache__"))
        return Command(["/usr/bin/flask"], folder, classic_env)

    def ours_project(folder):
        folder.mkdir()
        return Command([app], folder, env)

    ours = Side("ours", work / "ours", ours_db, ours_project, ours_revision,
                r"^-- Revision ID: (\w+)")
    classic = Side("classic", work / "classic", classic_db, classic_project, classic_revision,
                   r"^revision = '(\w+)'")
    return ours, classic


# ---------------------------------------------------------------------------------------------
# The rows.

def run_db_rows(settings, rows, work):
    """Times the db rows; adds a Figure per side and method to each row of `rows`."""
    ours, classic = make_sides(settings, work)
    for side in (ours, classic):
        side.create_projects()
    floor = Command([settings.build / "bench" / "bench_db_floor"], work,
                    dict(settings.env, DATABASE_URL=ours.database.url))
    floor_name = "bench_db_floor: connect, "

    def upgrade(side, project, columns):
        return Contender(side.name, f"{project.name} db upgrade",
                         lambda: project("db", "upgrade"), side.database.reset,
                         lambda: expect(side.database.books_columns() == columns,
                                        f"{side.name}: books has {columns} columns"))

    def floor_upgrade(sql, columns, what, same_work=True):
        return Contender("raw", floor_name + what, lambda: floor(*sql), ours.database.reset,
                         lambda: expect(ours.database.books_columns() == columns,
                                        f"floor: books has {columns} columns"), same_work)

    def current(side):
        return Contender(side.name, f"{side.one.name} db current",
                         lambda: side.one("db", "current"),
                         check=lambda: expect(side.head in side.one.last.stdout,
                                              f"{side.name}: current prints {side.head}"))

    def migrate_nochange(side):
        files = side.revision_files()
        return Contender(side.name, f"{side.one.name} db migrate",
                         lambda: side.one("db", "migrate", "-m", "no change"),
                         check=lambda: expect(side.revision_files() == files,
                                              f"{side.name}: migrate wrote no file"))

    history = "SELECT revision FROM migration_history"
    catalog = ("SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull "
               "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
               "JOIN pg_namespace n ON n.oid = c.relnamespace "
               "WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 "
               "AND NOT a.attisdropped")
    upgrade_sql = ours.upgrade_sql()
    contenders = {
        "upgrade_one": lambda: [
            upgrade(ours, ours.one, 3),
            floor_upgrade(upgrade_sql[:1], 3, "the revision's SQL"),
            upgrade(classic, classic.one, 3)],
        "current": lambda: [
            current(ours),
            Contender("raw", floor_name + "read the revision", lambda: floor(history)),
            current(classic)],
        "migrate_nochange": lambda: [
            migrate_nochange(ours),
            Contender("raw", floor_name + "one catalog query, read the revision",
                      lambda: floor(catalog + "; " + history)),
            migrate_nochange(classic)],
        "upgrade_100": lambda: [
            upgrade(ours, ours.many, 2 + REVISIONS),
            floor_upgrade(upgrade_sql, 2 + REVISIONS,
                          f"{REVISIONS} revisions' SQL, a transaction each"),
            floor_upgrade(["\n".join(upgrade_sql)], 2 + REVISIONS,
                          f"{REVISIONS} revisions' SQL in one transaction, as Alembic runs them",
                          same_work=False),
            upgrade(classic, classic.many, 2 + REVISIONS)],
    }
    for row in rows:
        print(f"db rows: {row.title} ...", flush=True)
        if row.name in ("current", "migrate_nochange"):
            ours.at_head()
            classic.at_head()
        row_contenders = contenders[row.name]()
        timings = measure(row_contenders, settings.process_runs)
        for contender, seconds in zip(row_contenders, timings):
            row.figures.append(
                Figure(contender.side, contender.method, seconds, contender.same_work))
    for side in (ours, classic):
        side.database.close()
