"""The ORM rows of `./workbook bench` for the classic stack: the tutorial's app and Book model
through Flask-SQLAlchemy, doing what bench_orm does with orm::Session, in the same way: one
warm-up, then timed runs, untimed setup and checks; one JSON line per row, as bench_orm prints.

    SQLALCHEMY_DATABASE_URI="$(./workbook db url hello_books_bench | sed 's/^postgresql:/postgresql+psycopg2:/')" \\
        /usr/bin/python3 bench/classic/orm_bench.py --runs 5 --cpu 1
"""
import argparse
import os
import sys

from sqlalchemy import event, inspect, text
from sqlalchemy.orm import selectinload

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]
from app import create_app, db  # noqa: E402
from app.models.book import Book  # noqa: E402
from timing import Contender, json_line, measure  # noqa: E402

AUTHORS = 1000  # the load_related row: as bench_orm, 10 books each
BOOKS_EACH = 10


# The load_related row's models, on bench_orm's tables (not the tutorial's): an author has many
# books, as the classic curriculum's one-to-many lesson writes it.
class BenchAuthor(db.Model):
    __tablename__ = "bench_authors"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String, nullable=False)
    books = db.relationship("BenchAuthorBook", back_populates="author")


class BenchAuthorBook(db.Model):
    __tablename__ = "bench_author_books"
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String, nullable=False)
    author_id = db.Column(db.Integer, db.ForeignKey("bench_authors.id"), nullable=False)
    author = db.relationship(BenchAuthor, back_populates="books")


class ClassicBench:
    def __init__(self, rows, gets):
        self.rows = rows
        # The same distinct keys as bench_orm: 1 + k * 7919 mod rows.
        self.ids = [1 + (k * 7919) % rows for k in range(gets)]
        self.books = []
        self.loaded = []
        self.got = []
        self.table_filled = False
        self.authors = []
        self.related_filled = False

    # -- setup and checks (untimed) --

    def empty_table(self):
        db.session.remove()  # an empty session and identity map
        db.session.execute(text("TRUNCATE books RESTART IDENTITY"))
        db.session.commit()
        self.books = []

    def fresh_start(self):
        self.empty_table()
        self.books = [Book(title=title, description=description)
                      for title, description in self.values()]

    def values(self):
        return ((f"Book {k}", f"Description {k}") for k in range(self.rows))

    def check_inserted(self):
        id_of_title = dict((title, id) for id, title in
                           db.session.execute(text("SELECT id, title FROM books")))
        assert len(id_of_title) == self.rows, f"{len(id_of_title)} rows, expected {self.rows}"
        for k, book in enumerate(self.books):
            # inspect().identity is the key the session read back, without a SELECT per object.
            assert inspect(book).identity == (id_of_title[f"Book {k}"],), f"wrong id for Book {k}"
        db.session.remove()

    def fill_table(self):
        if not self.table_filled:
            self.fresh_start()
            db.session.add_all(self.books)
            db.session.commit()
            self.table_filled = True
        db.session.remove()
        self.loaded, self.got = [], []

    def check_loaded(self):
        assert len(self.loaded) == self.rows
        assert all(book.title == f"Book {book.id - 1}" for book in self.loaded)

    def check_got(self):
        assert [book.id for book in self.got] == self.ids
        assert all(book.title == f"Book {book.id - 1}" for book in self.got)

    def fill_related(self):
        # The same rows as bench_orm: book k belongs to author 1 + k mod 1,000.
        if not self.related_filled:
            db.session.execute(text("TRUNCATE bench_author_books, bench_authors RESTART IDENTITY"))
            db.session.execute(text("INSERT INTO bench_authors (name) SELECT 'Author ' || k "
                                    f"FROM generate_series(1, {AUTHORS}) k"))
            db.session.execute(text("INSERT INTO bench_author_books (title, author_id) "
                                    f"SELECT 'Book ' || k, 1 + k % {AUTHORS} "
                                    f"FROM generate_series(0, {AUTHORS * BOOKS_EACH - 1}) k"))
            db.session.execute(text("ANALYZE bench_authors, bench_author_books"))
            db.session.commit()
            self.related_filled = True
        db.session.remove()
        self.authors = []

    def check_related(self):
        assert len(self.authors) == AUTHORS, f"{len(self.authors)} authors, expected {AUTHORS}"
        for author in self.authors:
            # __dict__ holds the collection only when it was loaded: reading it sends no query.
            books = author.__dict__["books"]
            assert len(books) == BOOKS_EACH, f"author {author.id} has {len(books)} books"
            assert all(book.author_id == author.id and book.title == f"Book {book.id - 1}"
                       for book in books)
        db.session.remove()

    # -- the timed work --

    def insert_bulk(self):
        db.session.add_all(self.books)
        db.session.commit()

    def insert_each(self):
        # As a Flask view does it: a new object per commit. (Holding all 10,000 objects, as
        # bench_orm does, makes every commit expire every object still in the session's identity
        # map: 70 to 86 s for the 10,000 here, instead of 4 s.)
        for title, description in self.values():
            book = Book(title=title, description=description)
            db.session.add(book)
            db.session.commit()

    def load_all(self):
        self.loaded = Book.query.all()

    def get_by_key(self):
        for id in self.ids:
            book = db.session.get(Book, id)
            assert book is not None
            self.got.append(book)  # kept referenced, as the objects of bench_orm are

    def load_related(self):
        # SQLAlchemy's answer to N+1: one SELECT of the authors, one of all their books.
        self.authors = BenchAuthor.query.options(selectinload(BenchAuthor.books)).all()

    def rows_to_run(self):
        return [
            ("insert_bulk", "db.session.add_all + commit", self.fresh_start, self.insert_bulk,
             self.check_inserted),
            ("insert_each", "Book(...), db.session.add + commit, each", self.empty_table,
             self.insert_each,
             self.check_inserted),
            ("load_all", "Book.query.all()", self.fill_table, self.load_all, self.check_loaded),
            ("get_by_key", "db.session.get(Book, id), each", self.fill_table, self.get_by_key,
             self.check_got),
            ("load_related", "Author.query.options(selectinload(Author.books)).all()",
             self.fill_related, self.load_related, self.check_related),
        ]


def pin_backends_to(cpu):
    """Keeps every new connection's server backend on `cpu`, as bench_orm --cpu does."""
    @event.listens_for(db.engine, "connect")
    def pin(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with open(f"/proc/{pid}/comm") as comm:  # only a server on this machine can be pinned
            if comm.read().strip() != "postgres":
                raise SystemExit(f"--cpu: backend {pid} is not a PostgreSQL process here")
        os.sched_setaffinity(pid, {cpu})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--gets", type=int, default=1000)
    parser.add_argument("--only", choices=["insert_bulk", "insert_each", "load_all", "get_by_key",
                                           "load_related"])
    parser.add_argument("--cpu", type=int, help="pin this process and its server backends")
    args = parser.parse_args()

    app = create_app()
    with app.app_context():
        if args.cpu is not None:
            os.sched_setaffinity(0, {args.cpu})
            pin_backends_to(args.cpu)
        db.drop_all()
        db.create_all()
        bench = ClassicBench(args.rows, args.gets)
        for name, method, setup, work, check in bench.rows_to_run():
            if args.only in (None, name):
                contender = Contender("classic", method, work, setup, check)
                [seconds] = measure([contender], args.runs)
                print(json_line(name, contender, seconds), flush=True)
        db.session.remove()


if __name__ == "__main__":
    main()
