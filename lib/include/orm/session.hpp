/// @file
/// Sessions: add, change and remove objects, then commit; get and query objects.
#pragma once

#include <pqxx/nontransaction>
#include <pqxx/prepared_statement>
#include <pqxx/result>
#include <pqxx/transaction>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "orm/database.hpp"
#include "orm/model.hpp"
#include "orm/schema.hpp"

namespace orm {

template <class Model>
class Query;

namespace detail {

/// Objects waiting for one statement kind on one table (type-erased for the session).
struct PendingBase {
  enum Kind { insert, update, remove };
  PendingBase(const TableInfo& t, Kind k, bool key) : table(&t), kind(k), with_key(key) {}
  virtual ~PendingBase() = default;
  /// Number of objects.
  virtual std::size_t size() const = 0;
  /// Appends the statement parameters of object `i`: for insert its columns (without an
  /// autoincrement key unless with_key), for update its non-key columns then its key, for
  /// remove its key.
  virtual void write_params(std::size_t i, std::vector<Param>& out) const = 0;
  /// Sets object `i`'s primary key from its text form.
  virtual void set_key(std::size_t i, std::string_view text) = 0;

  const TableInfo* table;
  Kind kind;
  bool with_key;  // insert: the objects carry their own primary key values
};

template <class Model>
struct PendingObjects final : PendingBase {
  PendingObjects(Kind k, bool key, Model* first) : PendingBase(table_info<Model>(), k, key) {
    objects.push_back(first);
  }
  std::size_t size() const override { return objects.size(); }
  void write_params(std::size_t i, std::vector<Param>& out) const override {
    const auto key = table->primary_key_index;
    if (kind == remove) {
      std::string text;
      PrimaryKeyAccess read{key, {}, &text};
      visit(*objects[i], read);
      out.push_back(std::move(text));
      return;
    }
    const bool skip_key = kind == update || !with_key;
    ParamWriter writer{*table, out, skip_key ? static_cast<long>(key) : -1};
    visit(*objects[i], writer);
    if (kind == update) {
      std::string text;
      PrimaryKeyAccess read{key, {}, &text};
      visit(*objects[i], read);
      out.push_back(std::move(text));
    }
  }
  void set_key(std::size_t i, std::string_view text) override {
    PrimaryKeyAccess write{table->primary_key_index, text};
    visit(*objects[i], write);
  }

  std::vector<Model*> objects;
};

}  // namespace detail

/// Sort direction for Query::order_by.
enum class Order {
  asc,  ///< ascending: smallest first (SQL `ASC`)
  desc  ///< descending: largest first (SQL `DESC`)
};

/// A unit of work on one Database, like Flask-SQLAlchemy's `db.session`.
///
/// `add`, `update` and `remove` only record what to do; `commit()` sends it all in one
/// transaction and fills database-assigned primary keys back into the added objects. Queries
/// first send what is pending (autoflush), so they see it. Every value travels as a statement
/// parameter, never spliced into SQL.
///
/// Objects passed to add/update/remove are held by reference until commit() or rollback(): keep
/// them alive until then (and do not let a std::vector holding them reallocate).
///
/// When a statement fails, the session rolls back everything since the last commit, resets the
/// primary keys it had filled in, and throws orm::DatabaseError (with the SQLSTATE), or
/// orm::ValueError for values PostgreSQL cannot store.
///
/// @code
/// orm::Session session{db};
/// Book book;
/// book.title = "Ocean Book";
/// session.add(book);
/// session.commit();                                   // book.id is now set, e.g. 1
/// std::optional<Book> again = session.get<Book>(book.id);
/// std::vector<Book> books = session.query<Book>()
///                               .filter_by(&Book::title, "Ocean Book")
///                               .order_by(&Book::id)
///                               .all();
/// @endcode
class Session {
 public:
  /// A session on `db`, which must outlive it. Nothing is sent until a flush, commit or query.
  explicit Session(Database& db);
  /// Rolls back whatever was not committed.
  ~Session();
  /// Takes over the other session's pending work and transaction.
  Session(Session&&) noexcept;
  Session& operator=(Session&&) = delete;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Records `object` for insertion. An integer primary key left at 0 is assigned by the
  /// database at flush/commit time and written back into `object`.
  template <class Model>
  void add(Model& object);
  /// Records every object of `objects` (e.g. a `std::vector<Book>`) for insertion; they are sent
  /// as one multi-row statement per table, not one INSERT each.
  template <class Range>
  void add_all(Range& objects);
  /// Records an UPDATE of every column of `object`, found by its primary key.
  template <class Model>
  void update(Model& object);
  /// Records a DELETE of `object`'s row, found by its primary key.
  template <class Model>
  void remove(Model& object);

  /// Sends the pending statements inside the session's transaction (opening it if needed).
  void flush();
  /// Flushes and commits. Afterwards the objects' primary keys are set.
  void commit();
  /// Forgets pending statements and rolls back the transaction; primary keys assigned since the
  /// last commit are reset to 0.
  void rollback();
  /// Number of statements waiting for flush() or commit().
  std::size_t pending() const noexcept { return pending_.size(); }

  /// The object whose primary key is `key`, or std::nullopt.
  template <class Model, class Key>
  std::optional<Model> get(const Key& key);
  /// Every row of Model's table, in no particular order (use query().order_by() for one).
  template <class Model>
  std::vector<Model> all();
  /// Starts a query on Model's table: filter_by, order_by, limit, then all/first/count.
  template <class Model>
  Query<Model> query();

  /// Runs raw SQL with `$1`, `$2`, ... parameters (after a flush), inside the session's
  /// transaction when one is open. Arguments are bound as parameters: `std::string`, string
  /// literals, numbers, bool, orm::Timestamp or std::optional of those (nullopt is NULL).
  /// @code
  /// auto rows = session.execute("SELECT count(*) FROM books WHERE title = $1", title);
  /// int n = rows[0][0].as<int>();
  /// @endcode
  template <class... Args>
  pqxx::result execute(const std::string& sql, const Args&... args);

  /// The database this session works on.
  Database& database() noexcept { return db_; }

  // -- Used by Query and the templates above; not part of the teaching API. --
  /// @cond INTERNAL
  pqxx::result run(const std::string& sql, const std::vector<detail::Param>& params);
  pqxx::result run_prepared(const std::string& name, const std::string& sql,
                            const std::vector<detail::Param>& params);
  /// @endcond

 private:
  void record(std::unique_ptr<detail::PendingBase> statement);
  void begin();
  void send(detail::PendingBase& statement);
  // Runs a prepared statement in the open transaction, or on its own; no flush, no translation.
  pqxx::result exec_prepared(const std::string& name, const std::string& sql,
                             const std::vector<detail::Param>& params);
  void undo_keys() noexcept;
  [[noreturn]] void fail();

  Database& db_;
  std::unique_ptr<pqxx::work> transaction_;
  std::vector<std::unique_ptr<detail::PendingBase>> pending_;
  std::vector<std::unique_ptr<detail::PendingBase>> inserted_;  // keys to reset on rollback
};

/// A query on one model's table, built by Session::query(). Values are bound as parameters.
///
/// @code
/// auto first_two = session.query<Book>().order_by(&Book::id).limit(2).all();
/// auto untitled = session.query<Book>().filter_by(&Book::description, std::nullopt).count();
/// @endcode
template <class Model>
class Query {
 public:
  /// A query that matches every row; prefer Session::query<Model>().
  explicit Query(Session& session) : session_(session) {}

  /// Keeps rows whose column equals `value` (`IS NULL` for std::nullopt). Several calls combine
  /// with AND.
  template <class T, class V>
  Query& filter_by(T Model::*member, const V& value);
  /// Sorts by a column; several calls sort by each in turn.
  template <class T>
  Query& order_by(T Model::*member, Order order = Order::asc);
  /// At most `count` rows.
  Query& limit(std::size_t count) {
    limit_ = count;
    return *this;
  }
  /// Skips the first `count` rows.
  Query& offset(std::size_t count) {
    offset_ = count;
    return *this;
  }

  /// The matching objects.
  std::vector<Model> all();
  /// The first matching object, or std::nullopt.
  std::optional<Model> first();
  /// The number of matching rows.
  std::size_t count();

 private:
  std::string where_clause() const;

  Session& session_;
  std::vector<std::string> conditions_;
  std::vector<detail::Param> params_;
  std::vector<std::string> order_;
  std::optional<std::size_t> limit_;
  std::optional<std::size_t> offset_;
};

// ---------------------------------------------------------------------------------------------
// Implementation.
/// @cond INTERNAL

namespace detail {

/// The SQL texts the session uses for one table, built once.
struct TableStatements {
  std::string columns;         // "id, title, description"
  std::string select;          // SELECT <columns> FROM <table>
  std::string get;             // ... WHERE <pk> = $1
  std::string insert_one;      // INSERT one row without the key, RETURNING <pk>
  std::string insert_many;     // INSERT ... SELECT FROM unnest(arrays) without the key
  std::string insert_one_key;  // the same two with the key column
  std::string insert_many_key;
  std::string update;  // UPDATE ... WHERE <pk> = $n
  std::string remove;  // DELETE ... WHERE <pk> = $1
  std::string prefix;  // prepared statement name prefix, e.g. "orm1_"
};
const TableStatements& statements(const TableInfo& table);

/// Builds an object from one result row.
struct ResultCells {
  const pqxx::row& row;
  bool is_null(std::size_t i) const { return row[static_cast<pqxx::row::size_type>(i)].is_null(); }
  std::string_view text(std::size_t i) const {
    const auto field = row[static_cast<pqxx::row::size_type>(i)];
    return std::string_view(field.c_str(), field.size());
  }
};

template <class Model>
Model load(const pqxx::row& row) {
  Model object{};
  ResultCells cells{row};
  RowReader<ResultCells> reader{table_info<Model>(), cells};
  object.fields(reader);
  return object;
}

template <class Model>
std::vector<Model> load_all(const pqxx::result& result) {
  std::vector<Model> objects;
  objects.reserve(result.size());
  for (const auto& row : result) objects.push_back(load<Model>(row));
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

}  // namespace detail

template <class Model>
void Session::add(Model& object) {
  const TableInfo& table = table_info<Model>();
  bool with_key = true;
  if (table.primary_key().autoincrement) {
    detail::PrimaryKeyUnset unset{table.primary_key_index};
    detail::visit(object, unset);
    with_key = !unset.unset;
  }
  // Consecutive inserts into one table become one multi-row statement.
  if (!pending_.empty()) {
    auto& last = *pending_.back();
    if (last.kind == detail::PendingBase::insert && last.table == &table &&
        last.with_key == with_key) {
      static_cast<detail::PendingObjects<Model>&>(last).objects.push_back(&object);
      return;
    }
  }
  record(std::make_unique<detail::PendingObjects<Model>>(detail::PendingBase::insert, with_key,
                                                         &object));
}

template <class Range>
void Session::add_all(Range& objects) {
  for (auto& object : objects) add(object);
}

template <class Model>
void Session::update(Model& object) {
  table_info<Model>();
  record(
      std::make_unique<detail::PendingObjects<Model>>(detail::PendingBase::update, true, &object));
}

template <class Model>
void Session::remove(Model& object) {
  table_info<Model>();
  record(
      std::make_unique<detail::PendingObjects<Model>>(detail::PendingBase::remove, true, &object));
}

template <class Model, class Key>
std::optional<Model> Session::get(const Key& key) {
  const TableInfo& table = table_info<Model>();
  const auto& sql = detail::statements(table);
  const pqxx::result result = run_prepared(sql.prefix + "get", sql.get, detail::arguments(key));
  if (result.empty()) return std::nullopt;
  return detail::load<Model>(result[0]);
}

template <class Model>
std::vector<Model> Session::all() {
  const auto& sql = detail::statements(table_info<Model>());
  return detail::load_all<Model>(run_prepared(sql.prefix + "all", sql.select, {}));
}

template <class Model>
Query<Model> Session::query() {
  table_info<Model>();  // reports an invalid model before anything else
  return Query<Model>(*this);
}

template <class... Args>
pqxx::result Session::execute(const std::string& sql, const Args&... args) {
  return run(sql, detail::arguments(args...));
}

template <class Model>
template <class T, class V>
Query<Model>& Query<Model>::filter_by(T Model::*member, const V& value) {
  const ColumnInfo& column = column_of(member);
  if constexpr (std::is_same_v<V, std::nullopt_t>) {
    conditions_.push_back(quote_identifier(column.name) + " IS NULL");
  } else {
    using Value = column_value_t<T>;
    std::optional<Value> typed;
    if constexpr (detail::is_optional<V>::value) {
      if (value) typed = Value(*value);
    } else {
      typed = Value(value);
    }
    if (!typed) {
      conditions_.push_back(quote_identifier(column.name) + " IS NULL");
      return *this;
    }
    try {
      params_.push_back(ColumnTraits<Value>::to_text(*typed));
    } catch (const std::exception& e) {
      throw ValueError(table_info<Model>().name + "." + column.name + ": " + e.what());
    }
    conditions_.push_back(quote_identifier(column.name) + " = $" + std::to_string(params_.size()));
  }
  return *this;
}

template <class Model>
template <class T>
Query<Model>& Query<Model>::order_by(T Model::*member, Order order) {
  order_.push_back(quote_identifier(column_of(member).name) +
                   (order == Order::desc ? " DESC" : ""));
  return *this;
}

template <class Model>
std::string Query<Model>::where_clause() const {
  std::string sql;
  for (std::size_t i = 0; i < conditions_.size(); ++i) {
    sql += (i == 0 ? " WHERE " : " AND ") + conditions_[i];
  }
  return sql;
}

template <class Model>
std::vector<Model> Query<Model>::all() {
  std::string sql = detail::statements(table_info<Model>()).select + where_clause();
  for (std::size_t i = 0; i < order_.size(); ++i) sql += (i == 0 ? " ORDER BY " : ", ") + order_[i];
  if (limit_) sql += " LIMIT " + std::to_string(*limit_);
  if (offset_) sql += " OFFSET " + std::to_string(*offset_);
  return detail::load_all<Model>(session_.run(sql, params_));
}

template <class Model>
std::optional<Model> Query<Model>::first() {
  auto saved = limit_;
  limit_ = 1;
  auto objects = all();
  limit_ = saved;
  if (objects.empty()) return std::nullopt;
  return std::move(objects.front());
}

template <class Model>
std::size_t Query<Model>::count() {
  const std::string sql =
      "SELECT count(*) FROM " + quote_identifier(table_info<Model>().name) + where_clause();
  return session_.run(sql, params_)[0][0].template as<std::size_t>();
}

/// @endcond

}  // namespace orm
