// bench_orm: the ORM rows of `./workbook bench`, our orm::Session beside raw libpqxx in its best
// forms, on one server and one table. Prints one JSON line per row and method (see measure.hpp);
// bench/run.py reads them and writes the report.
//
//   bench_orm --url "$(./workbook db url hello_books_bench)" --runs 7
//   bench_orm --only get_by_key --side ours --runs 1     (one thing, e.g. under callgrind)

#include <CLI/CLI.hpp>
#include <pqxx/pqxx>

#include <sched.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "book.hpp"
#include "measure.hpp"
#include "orm/orm.hpp"

namespace {

using bench::Book;
using bench::Contender;
using bench::Row;

// ---------------------------------------------------------------------------------------------
// Raw libpqxx: what a careful programmer writes by hand, without any library in between.
namespace raw {

const char* const columns = "id, title, description";

void prepare(pqxx::connection& connection) {
  connection.prepare("insert_unnest",
                     "INSERT INTO books (title, description) "
                     "SELECT * FROM unnest($1::text[], $2::text[]) RETURNING id");
  connection.prepare("reserve_ids",
                     "SELECT nextval(pg_get_serial_sequence('books', 'id')) "
                     "FROM generate_series(1, $1)");
  connection.prepare("insert_one",
                     "INSERT INTO books (title, description) VALUES ($1, $2) RETURNING id");
  connection.prepare("select_all", std::string("SELECT ") + columns + " FROM books");
  connection.prepare("get", std::string("SELECT ") + columns + " FROM books WHERE id = $1");
}

// Appends one element to a PostgreSQL array literal that so far holds "{" or "{...".
void append_element(std::string& array, const std::optional<std::string>& value) {
  if (array.size() > 1) array += ',';
  if (!value) {
    array += "NULL";
    return;
  }
  array += '"';
  for (char c : *value) {
    if (c == '"' || c == '\\') array += '\\';
    array += c;
  }
  array += '"';
}

Book book_from(const pqxx::row& row) {
  Book book;
  book.id = row[0].as<int>();
  book.title.assign(row[1].c_str(), row[1].size());
  if (!row[2].is_null()) book.description.emplace(row[2].c_str(), row[2].size());
  return book;
}

// One INSERT ... SELECT FROM unnest(arrays) RETURNING id; the ids come back in input order. A
// single statement is atomic on its own: no BEGIN/COMMIT round trips.
void insert_unnest(pqxx::connection& connection, std::vector<Book>& books) {
  std::string titles = "{", descriptions = "{";
  for (const auto& book : books) {
    append_element(titles, book.title);
    append_element(descriptions, book.description);
  }
  titles += '}';
  descriptions += '}';
  pqxx::nontransaction tx{connection};
  const pqxx::result ids = tx.exec_prepared("insert_unnest", titles, descriptions);
  for (std::size_t i = 0; i < books.size(); ++i)
    books[i].id = ids[static_cast<int>(i)][0].as<int>();
}

// COPY; the ids are taken from the sequence first so the objects learn them. (Ids taken by a
// failed COPY are simply skipped, so this needs no transaction either.)
void insert_copy_reserved_ids(pqxx::connection& connection, std::vector<Book>& books) {
  pqxx::nontransaction tx{connection};
  const pqxx::result ids = tx.exec_prepared("reserve_ids", static_cast<int>(books.size()));
  for (std::size_t i = 0; i < books.size(); ++i)
    books[i].id = ids[static_cast<int>(i)][0].as<int>();
  pqxx::stream_to stream{tx, "books", std::vector<std::string>{"id", "title", "description"}};
  for (const auto& book : books) stream << std::make_tuple(book.id, book.title, book.description);
  stream.complete();
}

// COPY alone: the fastest way in, but the objects never learn their ids (reference only).
void insert_copy(pqxx::connection& connection, std::vector<Book>& books) {
  pqxx::nontransaction tx{connection};
  pqxx::stream_to stream{tx, "books", std::vector<std::string>{"title", "description"}};
  for (const auto& book : books) stream << std::make_tuple(book.title, book.description);
  stream.complete();
}

// One prepared INSERT ... RETURNING id per book, each its own (autocommit) transaction.
void insert_each(pqxx::connection& connection, std::vector<Book>& books) {
  pqxx::nontransaction tx{connection};
  for (auto& book : books) {
    book.id = tx.exec_prepared1("insert_one", book.title, book.description)[0].as<int>();
  }
}

// The same in a transaction of its own per book, as libpqxx writes it (pqxx::work: BEGIN, the
// INSERT and COMMIT, one round trip each): what a program that may roll back must do.
void insert_each_transaction(pqxx::connection& connection, std::vector<Book>& books) {
  for (auto& book : books) {
    pqxx::work tx{connection};
    book.id = tx.exec_prepared1("insert_one", book.title, book.description)[0].as<int>();
    tx.commit();
  }
}

std::vector<Book> load_select(pqxx::connection& connection) {
  pqxx::nontransaction tx{connection};
  const pqxx::result rows = tx.exec_prepared("select_all");
  std::vector<Book> books;
  books.reserve(rows.size());
  for (const auto& row : rows) books.push_back(book_from(row));
  return books;
}

// One field of a COPY text line starting at `pos`, unescaped; std::nullopt for \N. Moves `pos`
// past the field's tab.
std::optional<std::string> copy_field(const std::string& line, std::size_t& pos) {
  std::string value;
  bool null = false;
  for (; pos < line.size() && line[pos] != '\t' && line[pos] != '\n'; ++pos) {
    if (line[pos] != '\\' || pos + 1 == line.size()) {
      value += line[pos];
      continue;
    }
    switch (const char c = line[++pos]) {
      case 'N':
        null = true;
        break;
      case 't':
        value += '\t';
        break;
      case 'n':
        value += '\n';
        break;
      case 'r':
        value += '\r';
        break;
      case 'b':
        value += '\b';
        break;
      case 'f':
        value += '\f';
        break;
      case 'v':
        value += '\v';
        break;
      default:
        value += c;  // \\ and any other escaped character (data never holds octal here)
    }
  }
  ++pos;
  if (null) return std::nullopt;
  return value;
}

// COPY ... TO STDOUT, lines parsed by hand (libpqxx 6.4's stream_from >> tuple fails on a
// three-column line: "Too few fields to extract from stream_from line").
std::vector<Book> load_copy(pqxx::connection& connection) {
  pqxx::nontransaction tx{connection};
  pqxx::stream_from stream{tx, "books", std::vector<std::string>{"id", "title", "description"}};
  std::vector<Book> books;
  std::string line;
  while (stream.get_raw_line(line)) {
    std::size_t pos = 0;
    Book book;
    book.id = std::stoi(copy_field(line, pos).value());
    book.title = copy_field(line, pos).value();
    book.description = copy_field(line, pos);
    books.push_back(std::move(book));
  }
  stream.complete();
  return books;
}

// Prepared SELECT by key, one round trip per get, on one reused autocommit transaction.
void get_each(pqxx::connection& connection, const std::vector<int>& ids, std::vector<Book>& out) {
  pqxx::nontransaction tx{connection};
  for (int id : ids) {
    const pqxx::result rows = tx.exec_prepared("get", id);
    if (rows.empty()) throw std::runtime_error("raw get: no book " + std::to_string(id));
    out.push_back(book_from(rows[0]));
  }
}

// Authors and their books (the load_related row): each author with the books that refer to it.
struct Related {
  std::vector<bench::Author> authors;
  std::vector<std::vector<bench::AuthorBook>> books;  // books[i]: those of authors[i]
};

void prepare_related(pqxx::connection& connection) {
  connection.prepare("related_authors", "SELECT id, name FROM bench_authors");
  connection.prepare("related_books",
                     "SELECT id, title, author_id FROM bench_author_books WHERE author_id = "
                     "ANY($1) ORDER BY id");
  connection.prepare("related_join",
                     "SELECT a.id, a.name, b.id, b.title, b.author_id FROM bench_authors a "
                     "LEFT JOIN bench_author_books b ON b.author_id = a.id ORDER BY b.id");
}

bench::AuthorBook related_book(const pqxx::row& row, int first) {
  bench::AuthorBook book;
  book.id = row[first].as<int>();
  book.title.assign(row[first + 1].c_str(), row[first + 1].size());
  book.author_id = row[first + 2].as<int>();
  return book;
}

// Two prepared statements: the authors, then the books of their keys; grouped by a hash map.
// What selectinload sends, by hand.
Related load_related_two_queries(pqxx::connection& connection) {
  pqxx::nontransaction tx{connection};
  Related out;
  const pqxx::result authors = tx.exec_prepared("related_authors");
  out.authors.reserve(authors.size());
  std::unordered_map<int, std::size_t> position;
  std::string keys = "{";
  for (const auto& row : authors) {
    bench::Author author;
    author.id = row[0].as<int>();
    author.name.assign(row[1].c_str(), row[1].size());
    position.emplace(author.id, out.authors.size());
    keys += (keys.size() > 1 ? "," : "") + std::to_string(author.id);
    out.authors.push_back(std::move(author));
  }
  keys += '}';
  out.books.resize(out.authors.size());
  for (const auto& row : tx.exec_prepared("related_books", keys)) {
    bench::AuthorBook book = related_book(row, 0);
    out.books[position.at(book.author_id)].push_back(std::move(book));
  }
  return out;
}

// One JOIN: one round trip, each author's columns repeated on each of its books' rows.
Related load_related_join(pqxx::connection& connection) {
  pqxx::nontransaction tx{connection};
  Related out;
  std::unordered_map<int, std::size_t> position;
  for (const auto& row : tx.exec_prepared("related_join")) {
    const int id = row[0].as<int>();
    auto [it, added] = position.emplace(id, out.authors.size());
    if (added) {
      bench::Author author;
      author.id = id;
      author.name.assign(row[1].c_str(), row[1].size());
      out.authors.push_back(std::move(author));
      out.books.emplace_back();
    }
    if (!row[2].is_null()) out.books[it->second].push_back(related_book(row, 2));
  }
  return out;
}

}  // namespace raw

// ---------------------------------------------------------------------------------------------
// The shared state of all rows: the database, a connection for each side, the objects.

struct Options {
  std::string url = orm::env_or("DATABASE_URL", "");  // ./workbook bench gives --url
  int runs = 7;
  int rows = 10000;
  int gets = 1000;
  std::string only;  // one row's name, or all
  std::string side;  // "ours", "raw", or both
  int cpu = -1;      // pin this process and its server backends to this CPU (-1: no pinning)
};

int backend_pid(pqxx::connection_base& connection) {
  return pqxx::nontransaction{connection}.exec1("SELECT pg_backend_pid()")[0].as<int>();
}

// Keeps process `pid` (0: this one) on one CPU. A round trip then costs the same every run:
// unpinned, a wake-up on the other, idle virtual CPU adds up to 90 us, depending on where the
// scheduler happened to put the server's backend.
void pin(int pid, int cpu) {
  if (pid != 0) {
    // A backend pid means something on this machine only if the server runs here.
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    if (!std::getline(comm, name) || name != "postgres") {
      throw std::runtime_error("--cpu: the server's backend " + std::to_string(pid) +
                               " is not a PostgreSQL process on this machine; leave --cpu out");
    }
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(pid, sizeof set, &set) != 0) {
    throw std::runtime_error("--cpu: cannot pin process " + std::to_string(pid) + " to CPU " +
                             std::to_string(cpu));
  }
}

class Bench {
 public:
  explicit Bench(const Options& options)
      : options_(options), db_(orm::DatabaseUrl::parse(options.url)), raw_(db_.url().conninfo()) {
    orm::Metadata metadata;
    metadata.add<Book>();
    orm::drop_all(db_, metadata);
    orm::create_all(db_, metadata);
    raw::prepare(raw_);
    orm::Metadata related;
    related.add<bench::Author>().add<bench::AuthorBook>();
    orm::drop_all(db_, related);
    orm::create_all(db_, related);
    raw::prepare_related(raw_);
    if (options.cpu >= 0) {
      pin(0, options.cpu);
      pin(backend_pid(db_.connection()), options.cpu);
      pin(backend_pid(raw_), options.cpu);
    }
    // Distinct keys spread over the table: 1 + k * 7919 mod rows (7919 is prime).
    for (int k = 0; k < options.gets; ++k) {
      ids_.push_back(1 + static_cast<int>((static_cast<long>(k) * 7919) % options.rows));
    }
  }

  Row insert_bulk() {
    return {"insert_bulk",
            {ours("orm::Session add_all + commit",
                  [this] {
                    orm::Session session{db_};
                    session.add_all(books_);
                    session.commit();
                  }),
             raw_insert("INSERT ... SELECT FROM unnest(arrays) RETURNING id", raw::insert_unnest),
             raw_insert("nextval x N, then COPY (stream_to)", raw::insert_copy_reserved_ids),
             raw_insert("COPY (stream_to), ids not read back", raw::insert_copy, false)}};
  }

  // Ours sends BEGIN with the INSERT (one round trip), then COMMIT: two round trips a book, where
  // autocommit needs one, because session.add() opens a transaction that rollback() can undo.
  Row insert_each() {
    return {"insert_each",
            {ours("orm::Session add + commit, each",
                  [this] {
                    orm::Session session{db_};
                    for (auto& book : books_) {
                      session.add(book);
                      session.commit();
                    }
                  }),
             raw_insert("prepared INSERT ... RETURNING id, autocommit, each", raw::insert_each),
             raw_insert("pqxx::work: BEGIN, INSERT ... RETURNING id, COMMIT, each",
                        raw::insert_each_transaction)}};
  }

  Row load_all() {
    auto fill = [this] { fill_table(); };
    auto check = [this] { check_loaded(); };
    return {"load_all",
            {{"ours", "orm::Session all<Book>()", fill,
              [this] {
                orm::Session session{db_};
                loaded_ = session.all<Book>();
              },
              check},
             {"raw", "prepared SELECT, rows to structs", fill,
              [this] { loaded_ = raw::load_select(raw_); }, check},
             {"raw", "COPY TO (stream_from) into tuples", fill,
              [this] { loaded_ = raw::load_copy(raw_); }, check}}};
  }

  Row get_by_key() {
    auto fill = [this] {
      fill_table();
      got_.clear();
      got_.reserve(ids_.size());
    };
    auto check = [this] { check_got(); };
    return {"get_by_key",
            {{"ours", "orm::Session get<Book>(id), each", fill,
              [this] {
                orm::Session session{db_};
                for (int id : ids_) {
                  auto book = session.get<Book>(id);
                  if (!book) throw std::runtime_error("get: no book " + std::to_string(id));
                  got_.push_back(std::move(*book));
                }
              },
              check},
             {"raw", "prepared SELECT ... WHERE id = $1, each", fill,
              [this] { raw::get_each(raw_, ids_, got_); }, check}}};
  }

  // 1,000 authors and their 10,000 books (10 each): ours loads the authors and then all their
  // books in one query (load_each), like SQLAlchemy's selectinload.
  Row load_related() {
    auto fill = [this] { fill_related(); };
    auto check = [this] { check_related(); };
    return {"load_related",
            {{"ours", "orm::Session all<Author>() + load_each(author_books, authors)", fill,
              [this] {
                orm::Session session{db_};
                related_.authors = session.all<bench::Author>();
                related_.books = session.load_each(bench::author_books, related_.authors);
              },
              check},
             {"raw", "2 prepared SELECTs (authors; books WHERE author_id = ANY), hash grouping",
              fill, [this] { related_ = raw::load_related_two_queries(raw_); }, check},
             {"raw", "1 prepared SELECT, authors LEFT JOIN books", fill,
              [this] { related_ = raw::load_related_join(raw_); }, check}}};
  }

  /// The rows selected by --only and --side.
  std::vector<Row> rows() {
    std::vector<Row> all{insert_bulk(), insert_each(), load_all(), get_by_key(), load_related()};
    std::vector<Row> chosen;
    for (auto& row : all) {
      if (!options_.only.empty() && row.name != options_.only) continue;
      if (!options_.side.empty()) {
        std::vector<Contender> kept;
        for (auto& c : row.contenders) {
          if (c.side == options_.side) kept.push_back(std::move(c));
        }
        row.contenders = std::move(kept);
      }
      chosen.push_back(std::move(row));
    }
    return chosen;
  }

 private:
  // Insert contenders start from an empty table and fresh objects (ids 0), and must leave every
  // object holding the id of its row.
  Contender ours(std::string method, std::function<void()> work) {
    return {"ours", std::move(method), [this] { fresh_start(); }, std::move(work),
            [this] { check_inserted(true); }};
  }
  Contender raw_insert(std::string method, void (*insert)(pqxx::connection&, std::vector<Book>&),
                       bool returns_ids = true) {
    return {"raw",
            std::move(method),
            [this] { fresh_start(); },
            [this, insert] { insert(raw_, books_); },
            [this, returns_ids] { check_inserted(returns_ids); },
            returns_ids};
  }

  void fresh_start() {
    pqxx::nontransaction{raw_}.exec0("TRUNCATE books RESTART IDENTITY");
    books_.clear();
    books_.reserve(static_cast<std::size_t>(options_.rows));
    for (int k = 0; k < options_.rows; ++k) {
      books_.push_back(Book{0, "Book " + std::to_string(k), "Description " + std::to_string(k)});
    }
  }

  // The table holds exactly the objects, and (when ids are returned) each object's id is its
  // row's id.
  void check_inserted(bool with_ids) {
    pqxx::nontransaction tx{raw_};
    std::map<std::string, int> id_of_title;
    for (const auto& row : tx.exec("SELECT id, title FROM books")) {
      id_of_title[row[1].c_str()] = row[0].as<int>();
    }
    if (id_of_title.size() != books_.size()) {
      throw std::runtime_error("insert: " + std::to_string(id_of_title.size()) +
                               " distinct rows in the table, expected " +
                               std::to_string(books_.size()));
    }
    if (!with_ids) return;
    for (const auto& book : books_) {
      const auto found = id_of_title.find(book.title);
      if (found == id_of_title.end() || found->second != book.id) {
        throw std::runtime_error("insert: '" + book.title + "' holds id " +
                                 std::to_string(book.id) + ", not its row's id");
      }
    }
  }

  // The load_related tables: 1,000 authors, 10 books each, the books of an author spread over
  // the table (book k belongs to author k mod 1,000). Filled once.
  void fill_related() {
    related_ = {};
    if (related_filled_) return;
    pqxx::nontransaction tx{raw_};
    tx.exec0("TRUNCATE bench_author_books, bench_authors RESTART IDENTITY");
    tx.exec0("INSERT INTO bench_authors (name) SELECT 'Author ' || k FROM generate_series(1, " +
             std::to_string(kAuthors) + ") k");
    tx.exec0("INSERT INTO bench_author_books (title, author_id) SELECT 'Book ' || k, 1 + k % " +
             std::to_string(kAuthors) + " FROM generate_series(0, " +
             std::to_string(kAuthors * kBooksEach - 1) + ") k");
    tx.exec0("ANALYZE bench_authors, bench_author_books");
    related_filled_ = true;
  }

  void check_related() const {
    if (related_.authors.size() != kAuthors || related_.books.size() != kAuthors) {
      throw std::runtime_error("load_related: " + std::to_string(related_.authors.size()) +
                               " authors, expected " + std::to_string(kAuthors));
    }
    for (std::size_t i = 0; i < kAuthors; ++i) {
      const auto& books = related_.books[i];
      if (books.size() != kBooksEach) {
        throw std::runtime_error("load_related: author " + std::to_string(related_.authors[i].id) +
                                 " has " + std::to_string(books.size()) + " books, expected " +
                                 std::to_string(kBooksEach));
      }
      for (const auto& book : books) {
        if (book.author_id != related_.authors[i].id ||
            book.title != "Book " + std::to_string(book.id - 1)) {
          throw std::runtime_error("load_related: book " + std::to_string(book.id) +
                                   " is not with its author");
        }
      }
    }
  }

  // Load and get rows read a table of `rows` books; it is filled once.
  void fill_table() {
    if (table_filled_) return;
    fresh_start();
    raw::insert_copy_reserved_ids(raw_, books_);
    table_filled_ = true;
  }

  void check_loaded() const {
    if (loaded_.size() != static_cast<std::size_t>(options_.rows)) {
      throw std::runtime_error("load: " + std::to_string(loaded_.size()) + " books, expected " +
                               std::to_string(options_.rows));
    }
    for (const auto& book : loaded_) {
      if (book.title != "Book " + std::to_string(book.id - 1)) {
        throw std::runtime_error("load: book " + std::to_string(book.id) + " has the wrong title");
      }
    }
  }

  void check_got() const {
    if (got_.size() != ids_.size()) throw std::runtime_error("get: wrong number of books");
    for (std::size_t i = 0; i < ids_.size(); ++i) {
      if (got_[i].id != ids_[i] || got_[i].title != "Book " + std::to_string(ids_[i] - 1)) {
        throw std::runtime_error("get: wrong book for id " + std::to_string(ids_[i]));
      }
    }
  }

  Options options_;
  orm::Database db_;      // our side
  pqxx::connection raw_;  // the raw side, and all untimed setup and checks
  std::vector<Book> books_;
  std::vector<Book> loaded_;
  std::vector<Book> got_;
  std::vector<int> ids_;
  bool table_filled_ = false;
  static constexpr std::size_t kAuthors = 1000, kBooksEach = 10;
  raw::Related related_;
  bool related_filled_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"Times the orm library beside raw libpqxx (one JSON line per row and method)"};
  app.add_option("--url", options.url, "database to work in (its books table is replaced)");
  app.add_option("--runs", options.runs, "timed runs per method, after one warm-up")
      ->check(CLI::PositiveNumber);
  app.add_option("--rows", options.rows, "books to insert and load")->check(CLI::PositiveNumber);
  app.add_option("--gets", options.gets, "gets by primary key")->check(CLI::PositiveNumber);
  app.add_option("--only", options.only, "one row")
      ->check(
          CLI::IsMember({"insert_bulk", "insert_each", "load_all", "get_by_key", "load_related"}));
  app.add_option("--side", options.side, "one side")->check(CLI::IsMember({"ours", "raw"}));
  app.add_option("--cpu", options.cpu, "pin this process and its server backends to one CPU");
  CLI11_PARSE(app, argc, argv);
  if (options.gets > options.rows) {
    std::cerr << "bench_orm: --gets must not exceed --rows\n";
    return 2;
  }
  if (options.url.empty()) {
    std::cerr
        << "bench_orm: no database: give --url or set DATABASE_URL, e.g. --url \"$(./workbook "
           "db url hello_books_bench)\"\n";
    return 2;
  }

  try {
    const auto url = orm::DatabaseUrl::parse(options.url);
    orm::Server{url}.create_database(url.database());
    Bench bench{options};
    for (const auto& row : bench.rows()) bench::measure(row, options.runs, std::cout);
  } catch (const std::exception& e) {
    std::cerr << "bench_orm: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
