/// @file
/// Sessions: add, change and remove objects, then commit; get and query objects.
#pragma once

#include <pqxx/types>

#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "orm/database.hpp"
#include "orm/model.hpp"
#include "orm/relationship.hpp"
#include "orm/schema.hpp"

/// @cond INTERNAL
struct pg_result;  // libpq's result (PGresult)
/// @endcond

namespace orm {

template <class Model>
class Query;

/// @cond INTERNAL
namespace detail {

struct SessionCore;

/// One statement for a session to send: prepared under `name`, or unnamed (`name` nullptr).
/// `name` and `sql` point to text that outlives the statement (the table's cached SQL, or the
/// caller's string for the length of the call).
struct Statement {
  const char* name;
  const char* sql;
  std::vector<Param> params;
};

/// The result of one statement: rows of text cells.
class Rows {
 public:
  explicit Rows(pg_result* result) noexcept;
  /// Number of rows.
  std::size_t size() const noexcept;
  bool is_null(std::size_t row, std::size_t column) const noexcept;
  std::string_view text(std::size_t row, std::size_t column) const noexcept;
  /// Rows changed by an INSERT, UPDATE or DELETE.
  std::size_t affected() const noexcept;

 private:
  struct Clear {
    void operator()(pg_result* result) const noexcept;
  };
  std::unique_ptr<pg_result, Clear> result_;
};

/// How a statement bears on the session's transaction.
enum class Access {
  read,  ///< runs inside the open transaction, or on its own when none is open
  write  ///< opens the transaction first when none is open
};

/// Sends `statements` (after the session's pending ones) in one round trip and returns their
/// results; see Session for the rules. Throws orm errors.
std::vector<Rows> run(SessionCore& core, std::vector<Statement> statements, Access access);
/// run() for one statement: its result.
Rows run_one(SessionCore& core, const char* name, const char* sql, std::vector<Param> params,
             Access access);

/// The INSERTs of Session::add_all: one statement per run of neighbouring rows with or without
/// their own key, all sent in one round trip.
class InsertBatch {
 public:
  explicit InsertBatch(const TableInfo& table);
  ~InsertBatch();
  InsertBatch(const InsertBatch&) = delete;
  InsertBatch& operator=(const InsertBatch&) = delete;
  /// One object's INSERT parameters; `with_key`: its key is among them.
  void add(std::vector<Param> row, bool with_key);
  /// Sends them all (nothing when no row was added).
  void run(SessionCore& core);
  /// The key the database assigned to row `i`, or nullptr for a row inserted with its key.
  const std::string* new_key(std::size_t i) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// What a Query holds apart from its model: conditions, order, limit and offset. Its code is
/// in the library (session.cpp), so that a program's queries instantiate little.
class QueryCore {
 public:
  explicit QueryCore(std::shared_ptr<SessionCore> core);
  ~QueryCore();
  QueryCore(const QueryCore& other);
  QueryCore(QueryCore&& other) noexcept;
  QueryCore& operator=(const QueryCore& other);
  QueryCore& operator=(QueryCore&& other) noexcept;
  /// Keeps rows where `column = param`, or `column IS NULL` for std::nullopt.
  void where(const ColumnInfo& column, Param param);
  /// Sorts by `column`, after the sorts given before.
  void order_by(const ColumnInfo& column, bool descending);
  void limit(std::size_t count);
  void offset(std::size_t count);
  /// The matching rows of `table` (at most `limit` rows when given, instead of limit()'s).
  Rows select(const TableInfo& table, std::optional<std::size_t> limit = std::nullopt);
  /// The number of matching rows of `table`.
  std::size_t count(const TableInfo& table);

 private:
  Rows run(const std::string& sql);
  std::string where_clause() const;

  std::shared_ptr<SessionCore> core_;
  std::vector<std::string> conditions_;
  std::vector<Param> params_;
  std::vector<std::string> order_;
  std::optional<std::size_t> limit_;
  std::optional<std::size_t> offset_;
};

/// Records an UPDATE or DELETE to send later; `what` names it for the error when no row matches.
void defer(SessionCore& core, Statement statement, std::string what);
/// Raw SQL through libpqxx, in the open transaction or on its own.
pqxx::result run_raw(SessionCore& core, const std::string& sql, const std::vector<Param>& params);

/// The SQL texts the session uses for one table, built once.
struct TableStatements {
  std::string columns;          // "id, title, description"
  std::string select;           // SELECT <columns> FROM <table>
  std::string aliased_columns;  // orm_t.id, orm_t.title, ...
  std::string from_aliased;     // " FROM <table> orm_t"
  std::string get;              // ... WHERE <pk> = $1
  std::string insert_one;       // INSERT one row without the key, RETURNING <pk>
  std::string insert_many;      // INSERT ... SELECT FROM unnest(arrays) without the key
  std::string insert_one_key;   // the same two with the key column
  std::string insert_many_key;
  std::string update;  // UPDATE ... WHERE <pk> = $n (empty: the table has only its key)
  std::string remove;  // DELETE ... WHERE <pk> = $1
  // Prepared statement names, e.g. "orm1_get".
  std::string get_name, all_name, insert_one_name, insert_many_name, insert_one_key_name,
      insert_many_key_name, update_name, remove_name;
};
const TableStatements& statements(const TableInfo& table);

// Reads row `row` of `rows` into `object`, a model's object of `table`, from result column
// `first` on.
void read_object(const TableInfo& table, void* object, const Rows& rows, std::size_t row,
                 std::size_t first);

template <class Model>
Model load(const Rows& rows, std::size_t row, std::size_t first = 0) {
  Model object{};
  read_object(table_info<Model>(), &object, rows, row, first);
  return object;
}

template <class Model>
std::vector<Model> load_all(const Rows& rows) {
  std::vector<Model> objects;
  objects.reserve(rows.size());
  for (std::size_t row = 0; row < rows.size(); ++row) objects.push_back(load<Model>(rows, row));
  return objects;
}

template <class T>
Param argument(const T& value) {
  if constexpr (std::is_convertible_v<const T&, const char*>) {
    return ColumnTraits<std::string>::to_text(std::string(value));
  } else if constexpr (std::is_same_v<T, std::nullopt_t>) {
    return std::nullopt;
  } else if constexpr (std::is_same_v<T, std::string_view>) {
    return ColumnTraits<std::string>::to_text(std::string(value));
  } else {
    return to_param(value);
  }
}

template <class... Args>
std::vector<Param> arguments(const Args&... args) {
  std::vector<Param> params;
  params.reserve(sizeof...(args));
  try {
    (params.push_back(argument(args)), ...);
  } catch (const std::exception& e) {
    throw ValueError(std::string("SQL parameter: ") + e.what());
  }
  return params;
}

// The INSERT parameters of one object: its columns, without an autoincrement key left unset.
// Sets `with_key` to whether the key is among them.
std::vector<Param> insert_params(const TableInfo& table, const void* object, bool& with_key);

// The parameter for `key` compared with Model's primary key; throws orm::ValueError when the
// key's type or value does not fit the key column.
template <class Model, class Key>
Param key_param(const Key& key) {
  const TableInfo& table = table_info<Model>();
  ColumnParam<Key> finder{table, table.primary_key_index, key, std::nullopt};
  static const Model probe{};
  visit(probe, finder);
  return std::move(finder.param);
}

}  // namespace detail
/// @endcond

/// Sort direction for Query::order_by.
enum class Order {
  asc,  ///< ascending: smallest first (SQL `ASC`)
  desc  ///< descending: largest first (SQL `DESC`)
};

/// A unit of work on one Database, like Flask-SQLAlchemy's `db.session`: one transaction at a time.
///
/// **Writes.** `add(object)` and `add_all(objects)` send their INSERT at once and write the keys
/// the database assigns into the objects before they return, so `book.id` is set right after
/// `session.add(book)`. `update(object)` and `remove(object)` copy the object's columns (or its
/// key) when called and send them with the session's next round trip: before any query (so the
/// query sees them), with the next add, or at flush() / commit(). The first write opens the
/// session's transaction (`BEGIN` travels with that first statement, in the same round trip).
/// The session never keeps a pointer or reference to your objects: they may end, move or be
/// changed at any time after the call returns.
///
/// **Commit and rollback.** `commit()` sends what is pending and `COMMIT`: the work since the
/// last commit becomes permanent. `rollback()` drops what is pending and rolls the transaction
/// back: the rows added since the last commit are gone, and so are updates and removals. The
/// session cannot reach your objects, so objects added since the last commit keep the keys
/// written into them although their rows no longer exist. Those keys are not handed out again
/// (PostgreSQL's sequences are not rolled back), so adding such an object again stores it under
/// the same key; set the key back to 0 to have a new one assigned. Destroying a session rolls
/// back what it did not commit.
///
/// **Reads.** get, all, queries and execute run inside the open transaction (seeing its
/// uncommitted rows), or each on its own when none is open.
///
/// **Errors.** Values PostgreSQL cannot store throw orm::ValueError before anything is sent; the
/// transaction is untouched. A statement the server rejects throws orm::DatabaseError (with the
/// SQLSTATE) and rolls the transaction back. If that undid earlier work of the transaction
/// (rows added before, pending updates), the session refuses everything but rollback() from then
/// on, so that a caught error cannot make a later commit() silently store only part of the work:
/// call rollback(), then do the work again. A commit() that throws has committed nothing.
///
/// Every value travels as a statement parameter, never spliced into SQL.
///
/// **Statement log.** When the environment variable `ORM_STATEMENT_LOG` names a file, every
/// statement a session sends is appended to it, one line each (its newlines turned to spaces):
/// queries, inserts, updates, deletes and execute(); not BEGIN, COMMIT, ROLLBACK or the preparing
/// of statements. It is for counting the questions a program asks, e.g. to find a loop that asks
/// once per row (the N+1 problem): `ORM_STATEMENT_LOG=/tmp/statements.log ./workbook run 06`, then
/// `wc -l /tmp/statements.log`. A file that cannot be written throws orm::ConfigError.
///
/// @code
/// orm::Session session{db};
/// Book book;
/// book.title = "Ocean Book";
/// session.add(book);                                  // INSERT sent; book.id is set, e.g. 1
/// session.commit();                                   // now it is permanent
/// std::optional<Book> again = session.get<Book>(book.id);
/// std::vector<Book> books = session.query<Book>()
///                               .filter_by(&Book::title, "Ocean Book")
///                               .order_by(&Book::id)
///                               .all();
/// @endcode
class Session {
 public:
  /// A session on `db`. Nothing is sent until the first statement. The session keeps the
  /// database's connection alive, so it may outlive the Database object.
  explicit Session(Database& db);
  /// Rolls back whatever was not committed.
  ~Session();
  /// Takes over the other session's transaction and pending work; the other session can no
  /// longer be used.
  Session(Session&&) noexcept;
  Session& operator=(Session&&) = delete;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Inserts `object` now, in the session's transaction. An integer primary key left at 0 is
  /// assigned by the database and written into `object` before add returns.
  template <class Model>
  void add(Model& object);
  /// Inserts every object of `objects` (e.g. a `std::vector<Book>`) now, in one multi-row
  /// statement, and writes each assigned key into its object before returning.
  template <class Range>
  void add_all(Range& objects);
  /// Copies every column of `object` for an UPDATE of its row (found by its primary key), sent
  /// with the next round trip.
  template <class Model>
  void update(const Model& object);
  /// Copies `object`'s primary key for a DELETE of its row, sent with the next round trip.
  template <class Model>
  void remove(const Model& object);

  /// Sends the pending updates and removals, in the session's transaction (opening it if
  /// needed), in one round trip. A row that is not there throws orm::ModelError.
  void flush();
  /// Sends what is pending, then COMMIT: the work since the last commit is permanent. (One
  /// round trip; two when updates or removals are pending, which are checked for their rows
  /// before COMMIT.) Throws when the session must be rolled back first (see above); a commit()
  /// that throws has committed nothing.
  void commit();
  /// Drops what is pending and rolls the transaction back. Keys already written into objects
  /// stay there (see above).
  void rollback();
  /// Number of updates and removals waiting for the next round trip.
  std::size_t pending() const noexcept;

  /// The object whose primary key is `key`, or std::nullopt. Throws orm::ValueError when `key`
  /// does not fit the primary key's type (e.g. 3000000000 for an `int` key, or 1.5).
  template <class Model, class Key>
  std::optional<Model> get(const Key& key);
  /// Every row of Model's table, in no particular order (use query().order_by() for one).
  template <class Model>
  std::vector<Model> all();
  /// Starts a query on Model's table: filter_by, order_by, limit, then all/first/count.
  template <class Model>
  Query<Model> query();

  /// The children of `parent` (Flask: `director.movies`), ordered by their primary key; empty
  /// for a parent without a key yet. One query. See orm/relationship.hpp.
  template <class Parent, class Child, class Key>
  std::vector<Child> load(const OneToMany<Parent, Child, Key>& relationship, const Parent& parent);
  /// The parent of `child` (Flask: `movie.director`), or std::nullopt when its foreign key is
  /// NULL or names no row. One query.
  template <class Child, class Parent, class Key>
  std::optional<Parent> load(const ManyToOne<Child, Parent, Key>& relationship, const Child& child);
  /// The objects paired with `object` through the join model (Flask: `movie.actors`), ordered
  /// by their primary key. One query.
  template <class From, class To, class Link, class FromKey, class ToKey>
  std::vector<To> load(const ManyToMany<From, To, Link, FromKey, ToKey>& relationship,
                       const From& object);
  /// load() for every object of `objects` (e.g. a `std::vector<Director>`) in one query, not one
  /// per object (SQLAlchemy's `selectinload`): element i of the result belongs to element i of
  /// `objects` (a `std::vector<std::vector<Movie>>`, or `std::vector<std::optional<Director>>`
  /// for a many-to-one relationship).
  template <class Relationship, class Range>
  auto load_each(const Relationship& relationship, const Range& objects);

  /// Adds `child` to `parent`'s children (Flask: `director.movies.append(movie)`): sets the
  /// child's foreign key to the parent's key, then adds the child (INSERT now) or, when it has a
  /// key already, updates it (like update()). A parent without a key is added first.
  template <class Parent, class Child, class Key>
  void append(const OneToMany<Parent, Child, Key>& relationship, Parent& parent, Child& child);
  /// Pairs `object` with `other` (Flask: `movie.actors.append(actor)`): adds a row of the join
  /// model holding both keys, now. Objects without a key are added first.
  template <class From, class To, class Link, class FromKey, class ToKey>
  void append(const ManyToMany<From, To, Link, FromKey, ToKey>& relationship, From& object,
              To& other);

  /// Runs raw SQL with `$1`, `$2`, ... parameters (after sending what is pending), inside the
  /// session's transaction when one is open, else on its own (autocommit). Arguments are bound
  /// as parameters: `std::string`, string literals, numbers, bool, orm::Timestamp or
  /// std::optional of those (nullopt is NULL). The SQL may change the schema: the session's
  /// prepared statements are prepared again afterwards. Returns the rows as a `pqxx::result`:
  /// include `<pqxx/result>` (or `<pqxx/pqxx>`) where you call it. The library's headers leave
  /// libpqxx's out, so that code without raw SQL compiles faster.
  /// @code
  /// #include <pqxx/result>
  /// auto rows = session.execute("SELECT count(*) FROM books WHERE title = $1", title);
  /// int n = rows[0][0].as<int>();
  /// @endcode
  template <class... Args>
  auto execute(const std::string& sql, const Args&... args);

 private:
  template <class Model>
  friend class Query;
  detail::SessionCore& core() const;
  template <class Model>
  void ensure_key(Model& object);
  // The rows of `sql` with one parameter, the keys as an array.
  detail::Rows select_with_keys(const std::string& sql,
                                const std::vector<std::optional<std::string>>& keys);

  std::shared_ptr<detail::SessionCore> core_;
};

/// A query on one model's table, built by Session::query(). Values are bound as parameters.
///
/// A query belongs to its session: running it after the session has ended throws orm::Error.
///
/// @code
/// auto first_two = session.query<Book>().order_by(&Book::id).limit(2).all();
/// auto untitled = session.query<Book>().filter_by(&Book::description, std::nullopt).count();
/// @endcode
template <class Model>
class Query {
 public:
  /// A query that matches every row; prefer Session::query<Model>().
  explicit Query(Session& session) : core_(session.core_) { session.core(); }

  /// Keeps rows whose column equals `value` (`IS NULL` for std::nullopt). Several calls combine
  /// with AND. The value must have the column's kind of type: it does not compile otherwise
  /// (e.g. 1.9 for an integer column, a number for a bool or text column), and a value that the
  /// column's type cannot hold exactly (3000000000 for `int`, 0.1 for `float`) throws
  /// orm::ValueError instead of matching another row.
  template <class T, class V>
  Query& filter_by(T Model::*member, const V& value);
  /// Sorts by a column; several calls sort by each in turn.
  template <class T>
  Query& order_by(T Model::*member, Order order = Order::asc) {
    core_.order_by(column_of(member), order == Order::desc);
    return *this;
  }
  /// At most `count` rows.
  Query& limit(std::size_t count) {
    core_.limit(count);
    return *this;
  }
  /// Skips the first `count` rows.
  Query& offset(std::size_t count) {
    core_.offset(count);
    return *this;
  }

  /// The matching objects.
  std::vector<Model> all() { return detail::load_all<Model>(core_.select(table_info<Model>())); }
  /// The first matching object, or std::nullopt.
  std::optional<Model> first() {
    const detail::Rows rows = core_.select(table_info<Model>(), 1);
    if (rows.size() == 0) return std::nullopt;
    return detail::load<Model>(rows, 0);
  }
  /// The number of matching rows.
  std::size_t count() { return core_.count(table_info<Model>()); }

 private:
  detail::QueryCore core_;  // all that does not depend on Model, compiled in the library
};

// ---------------------------------------------------------------------------------------------
// Implementation.
/// @cond INTERNAL

template <class Model>
void Session::add(Model& object) {
  const TableInfo& table = table_info<Model>();
  const auto& sql = detail::statements(table);
  bool with_key = true;
  std::vector<detail::Param> params = detail::insert_params(table, &object, with_key);
  const detail::Rows rows = detail::run_one(
      core(), with_key ? sql.insert_one_key_name.c_str() : sql.insert_one_name.c_str(),
      with_key ? sql.insert_one_key.c_str() : sql.insert_one.c_str(), std::move(params),
      detail::Access::write);
  if (!with_key) detail::set_key(table, &object, rows.text(0, 0));
}

template <class Range>
void Session::add_all(Range& objects) {
  using Iterator = decltype(std::begin(objects));
  static_assert(std::is_base_of_v<std::forward_iterator_tag,
                                  typename std::iterator_traits<Iterator>::iterator_category>,
                "orm: add_all needs a range it can read twice (a container such as std::vector)");
  using Model = std::remove_cv_t<std::remove_reference_t<decltype(*std::begin(objects))>>;
  const TableInfo& table = table_info<Model>();
  if (std::begin(objects) == std::end(objects)) return;
  detail::InsertBatch batch(table);
  for (const auto& object : objects) {
    bool with_key = true;
    std::vector<detail::Param> row = detail::insert_params(table, &object, with_key);
    batch.add(std::move(row), with_key);
  }
  batch.run(core());
  std::size_t i = 0;
  for (auto& object : objects) {
    if (const std::string* key = batch.new_key(i++)) detail::set_key(table, &object, *key);
  }
}

template <class Model>
void Session::update(const Model& object) {
  const TableInfo& table = table_info<Model>();
  const auto& sql = detail::statements(table);
  if (sql.update.empty()) return;  // only a key: nothing to change
  std::vector<detail::Param> params =
      detail::object_params(table, &object, static_cast<long>(table.primary_key_index));
  std::string key = detail::key_text(table, &object);
  std::string what =
      "update: no row of " + table.name + " has " + table.primary_key().name + " = " + key;
  params.push_back(std::move(key));
  detail::defer(core(), {sql.update_name.c_str(), sql.update.c_str(), std::move(params)},
                std::move(what));
}

template <class Model>
void Session::remove(const Model& object) {
  const TableInfo& table = table_info<Model>();
  const auto& sql = detail::statements(table);
  std::string key = detail::key_text(table, &object);
  std::string what =
      "remove: no row of " + table.name + " has " + table.primary_key().name + " = " + key;
  std::vector<detail::Param> params;
  params.push_back(std::move(key));
  detail::defer(core(), {sql.remove_name.c_str(), sql.remove.c_str(), std::move(params)},
                std::move(what));
}

template <class Model, class Key>
std::optional<Model> Session::get(const Key& key) {
  const auto& sql = detail::statements(table_info<Model>());
  std::vector<detail::Param> params;
  params.push_back(detail::key_param<Model>(key));
  const detail::Rows rows = detail::run_one(core(), sql.get_name.c_str(), sql.get.c_str(),
                                            std::move(params), detail::Access::read);
  if (rows.size() == 0) return std::nullopt;
  return detail::load<Model>(rows, 0);
}

template <class Model>
std::vector<Model> Session::all() {
  const auto& sql = detail::statements(table_info<Model>());
  return detail::load_all<Model>(
      detail::run_one(core(), sql.all_name.c_str(), sql.select.c_str(), {}, detail::Access::read));
}

template <class Model>
Query<Model> Session::query() {
  table_info<Model>();  // reports an invalid model before anything else
  return Query<Model>(*this);
}

// -- Relationships -----------------------------------------------------------------------------

namespace detail {

// The index of `member` in Owner's columns, after checking that fields() declares it
// orm::foreign_key to Target's table. Throws orm::ModelError naming both otherwise.
std::size_t foreign_key_index(const TableInfo& owner, const TableInfo& target, std::size_t index);
template <class Target, class Owner, class Key>
std::size_t foreign_key_column(Key Owner::*member) {
  return foreign_key_index(table_info<Owner>(), table_info<Target>(), column_index(member));
}

// The primary key of each object in text form; std::nullopt for one without a key yet.
template <class Range>
std::vector<std::optional<std::string>> primary_keys(const Range& objects) {
  using Model = std::remove_cv_t<std::remove_reference_t<decltype(*std::begin(objects))>>;
  const TableInfo& table = table_info<Model>();
  std::vector<std::optional<std::string>> keys;
  for (const auto& object : objects) {
    if (key_unassigned(table, &object)) {
      keys.emplace_back();
    } else {
      keys.emplace_back(key_text(table, &object));
    }
  }
  return keys;
}

// A key in text form, written the one way its type writes it, so that keys can be compared
// as values of the key's type, not as text ("01" and "1" as integers are the same key).
template <class Value>
std::string canonical_key(std::string_view text) {
  return ColumnTraits<Value>::to_text(ColumnTraits<Value>::from_text(text));
}
using CanonicalKey = std::string (*)(std::string_view);

// Which objects the rows of a relationship query belong to: `key_column` of each row holds the
// key of its objects (`keys`, one per object; std::nullopt for an object without a key).
class RowOwners {
 public:
  RowOwners(const Rows& rows, std::size_t key_column,
            const std::vector<std::optional<std::string>>& keys, CanonicalKey canonical);
  ~RowOwners();
  RowOwners(const RowOwners&) = delete;
  RowOwners& operator=(const RowOwners&) = delete;
  /// Number of (row, object) pairs, in row order.
  std::size_t size() const noexcept;
  std::size_t row(std::size_t pair) const noexcept;
  std::size_t owner(std::size_t pair) const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Distributes rows to their objects: `key_column` holds the object's key, the model's columns
// start at `first`.
template <class Model, class Value>
std::vector<std::vector<Model>> group_rows(const Rows& rows, std::size_t key_column,
                                           std::size_t first,
                                           const std::vector<std::optional<std::string>>& keys) {
  const RowOwners owners(rows, key_column, keys, &canonical_key<Value>);
  std::vector<std::vector<Model>> out(keys.size());
  for (std::size_t i = 0; i < owners.size(); ++i) {
    out[owners.owner(i)].push_back(load<Model>(rows, owners.row(i), first));
  }
  return out;
}

template <class Relationship>
struct RelationshipTraits;

template <class T>
struct is_one_to_many : std::false_type {};
template <class Parent, class Child, class Key>
struct is_one_to_many<OneToMany<Parent, Child, Key>> : std::true_type {};
template <class T>
struct is_many_to_one : std::false_type {};
template <class Child, class Parent, class Key>
struct is_many_to_one<ManyToOne<Child, Parent, Key>> : std::true_type {};

// A range of one object, seen through a pointer (no copy).
template <class Model>
struct ObjectList {
  const Model* object;
  const Model* begin() const { return object; }
  const Model* end() const { return object + 1; }
};

template <class Parent, class Child, class Key>
struct RelationshipTraits<OneToMany<Parent, Child, Key>> {
  using Source = Parent;
};
template <class Child, class Parent, class Key>
struct RelationshipTraits<ManyToOne<Child, Parent, Key>> {
  using Source = Child;
};
template <class From, class To, class Link, class FromKey, class ToKey>
struct RelationshipTraits<ManyToMany<From, To, Link, FromKey, ToKey>> {
  using Source = From;
};

// A key in text form as the value `Value` (for writing it into a foreign key member).
template <class Value>
Value key_value(std::string_view text) {
  return ColumnTraits<Value>::from_text(text);
}

}  // namespace detail

template <class Model>
void Session::ensure_key(Model& object) {
  const TableInfo& table = table_info<Model>();
  if (detail::key_unassigned(table, &object)) add(object);
}

template <class Relationship, class Range>
auto Session::load_each(const Relationship& relationship, const Range& objects) {
  using Source = typename detail::RelationshipTraits<Relationship>::Source;
  using Model = std::remove_cv_t<std::remove_reference_t<decltype(*std::begin(objects))>>;
  static_assert(std::is_same_v<Model, Source>,
                "orm: load_each: the objects must be of the relationship's first model");
  if constexpr (detail::is_one_to_many<Relationship>::value) {
    using Child = typename Relationship::child_type;
    using Value = column_value_t<typename Relationship::key_type>;
    const TableInfo& child = table_info<Child>();
    const std::size_t column = detail::foreign_key_column<Source>(relationship.foreign_key);
    const auto keys = detail::primary_keys(objects);
    const auto& sql = detail::statements(child);
    const detail::Rows rows =
        select_with_keys(sql.select + " WHERE " + quote_identifier(child.columns[column].name) +
                             " = ANY($1) ORDER BY " + quote_identifier(child.primary_key().name),
                         keys);
    return detail::group_rows<Child, Value>(rows, column, 0, keys);
  } else if constexpr (detail::is_many_to_one<Relationship>::value) {
    using Parent = typename Relationship::parent_type;
    using Value = column_value_t<typename Relationship::key_type>;
    const TableInfo& parent = table_info<Parent>();
    const TableInfo& child = table_info<Source>();
    const std::size_t column = detail::foreign_key_column<Parent>(relationship.foreign_key);
    std::vector<std::optional<std::string>> keys;
    for (const auto& object : objects) {
      keys.push_back(std::move(detail::object_params(child, &object)[column]));
    }
    const detail::Rows rows =
        select_with_keys(detail::statements(parent).select + " WHERE " +
                             quote_identifier(parent.primary_key().name) + " = ANY($1)",
                         keys);
    auto grouped = detail::group_rows<Parent, Value>(rows, parent.primary_key_index, 0, keys);
    std::vector<std::optional<Parent>> out(keys.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (!grouped[i].empty()) out[i] = std::move(grouped[i].front());
    }
    return out;
  } else {
    using To = typename Relationship::to_type;
    using Link = typename Relationship::link_type;
    using Value = column_value_t<typename Relationship::from_key_type>;
    const TableInfo& to = table_info<To>();
    const TableInfo& link = table_info<Link>();
    const std::size_t from_column = detail::foreign_key_column<Source>(relationship.link.from);
    const std::size_t to_column = detail::foreign_key_column<To>(relationship.link.to);
    const auto keys = detail::primary_keys(objects);
    const auto& sql = detail::statements(to);
    const std::string from_name = "orm_l." + quote_identifier(link.columns[from_column].name);
    const detail::Rows rows =
        select_with_keys("SELECT " + from_name + ", " + sql.aliased_columns + sql.from_aliased +
                             " JOIN " + quote_identifier(link.name) + " orm_l ON orm_l." +
                             quote_identifier(link.columns[to_column].name) + " = orm_t." +
                             quote_identifier(to.primary_key().name) + " WHERE " + from_name +
                             " = ANY($1) ORDER BY orm_t." + quote_identifier(to.primary_key().name),
                         keys);
    return detail::group_rows<To, Value>(rows, 0, 1, keys);
  }
}

template <class Parent, class Child, class Key>
std::vector<Child> Session::load(const OneToMany<Parent, Child, Key>& relationship,
                                 const Parent& parent) {
  return std::move(load_each(relationship, detail::ObjectList<Parent>{&parent}).front());
}

template <class Child, class Parent, class Key>
std::optional<Parent> Session::load(const ManyToOne<Child, Parent, Key>& relationship,
                                    const Child& child) {
  return std::move(load_each(relationship, detail::ObjectList<Child>{&child}).front());
}

template <class From, class To, class Link, class FromKey, class ToKey>
std::vector<To> Session::load(const ManyToMany<From, To, Link, FromKey, ToKey>& relationship,
                              const From& object) {
  return std::move(load_each(relationship, detail::ObjectList<From>{&object}).front());
}

template <class Parent, class Child, class Key>
void Session::append(const OneToMany<Parent, Child, Key>& relationship, Parent& parent,
                     Child& child) {
  detail::foreign_key_column<Parent>(relationship.foreign_key);
  ensure_key(parent);
  const std::string key = detail::key_text(table_info<Parent>(), &parent);
  child.*relationship.foreign_key = detail::key_value<column_value_t<Key>>(key);
  const TableInfo& table = table_info<Child>();
  if (detail::key_unassigned(table, &child)) {
    add(child);
  } else {
    update(child);
  }
}

template <class From, class To, class Link, class FromKey, class ToKey>
void Session::append(const ManyToMany<From, To, Link, FromKey, ToKey>& relationship, From& object,
                     To& other) {
  detail::foreign_key_column<From>(relationship.link.from);
  detail::foreign_key_column<To>(relationship.link.to);
  ensure_key(object);
  ensure_key(other);
  Link link{};
  link.*relationship.link.from =
      detail::key_value<column_value_t<FromKey>>(detail::key_text(table_info<From>(), &object));
  link.*relationship.link.to =
      detail::key_value<column_value_t<ToKey>>(detail::key_text(table_info<To>(), &other));
  add(link);
}

template <class... Args>
auto Session::execute(const std::string& sql, const Args&... args) {
  return detail::run_raw(core(), sql, detail::arguments(args...));
}

template <class Model>
template <class T, class V>
Query<Model>& Query<Model>::filter_by(T Model::*member, const V& value) {
  const TableInfo& table = table_info<Model>();
  const std::size_t index = detail::column_index(member);
  const ColumnInfo& column = table.columns[index];
  detail::Param param;
  if constexpr (!std::is_same_v<V, std::nullopt_t>) {
    detail::check_comparable<column_value_t<T>, column_value_t<V>>();
    if constexpr (is_nullable_v<V>) {
      if (value) param = detail::column_param<column_value_t<T>>(table, index, *value);
    } else {
      param = detail::column_param<column_value_t<T>>(table, index, value);
    }
  }
  core_.where(column, std::move(param));
  return *this;
}

/// @endcond

}  // namespace orm
