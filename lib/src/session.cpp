#include "orm/session.hpp"

#include <map>
#include <mutex>

#include "translate.hpp"

namespace orm {
namespace detail {
namespace {

std::string join_columns(const TableInfo& table, bool with_key, const std::string& prefix = {}) {
  std::string out;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (!with_key && i == table.primary_key_index) continue;
    if (!out.empty()) out += ", ";
    out += prefix + quote_identifier(table.columns[i].name);
  }
  return out;
}

// INSERT INTO t (a, b) SELECT a, b FROM unnest($1::text[], $2::integer[]) WITH ORDINALITY
// AS u(a, b, ord) ORDER BY ord RETURNING key: one statement for any number of rows, with the
// keys returned in the order of the objects.
std::string insert_many_sql(const TableInfo& table, bool with_key) {
  std::string arrays, names;
  int n = 0;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (!with_key && i == table.primary_key_index) continue;
    if (n > 0) arrays += ", ";
    arrays += "$" + std::to_string(++n) + "::" + table.columns[i].sql_type + "[]";
    names += quote_identifier(table.columns[i].name) + ", ";
  }
  const std::string columns = join_columns(table, with_key);
  return "INSERT INTO " + quote_identifier(table.name) + " (" + columns + ") SELECT " + columns +
         " FROM unnest(" + arrays + ") WITH ORDINALITY AS u(" + names + "orm_ordinal) ORDER BY " +
         "orm_ordinal RETURNING " + quote_identifier(table.primary_key().name);
}

std::string insert_one_sql(const TableInfo& table, bool with_key) {
  std::string values;
  int n = 0;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (!with_key && i == table.primary_key_index) continue;
    ++n;
    values += (n > 1 ? ", $" : "$") + std::to_string(n);
  }
  return "INSERT INTO " + quote_identifier(table.name) + " (" + join_columns(table, with_key) +
         ") VALUES (" + values + ") RETURNING " + quote_identifier(table.primary_key().name);
}

TableStatements build(const TableInfo& table) {
  TableStatements s;
  const std::string name = quote_identifier(table.name);
  const std::string key = quote_identifier(table.primary_key().name);
  s.columns = join_columns(table, true);
  s.select = "SELECT " + s.columns + " FROM " + name;
  s.get = s.select + " WHERE " + key + " = $1";
  s.insert_one = insert_one_sql(table, false);
  s.insert_one_key = insert_one_sql(table, true);
  s.insert_many = insert_many_sql(table, false);
  s.insert_many_key = insert_many_sql(table, true);
  std::string sets;
  int n = 0;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (i == table.primary_key_index) continue;
    ++n;
    sets +=
        (n > 1 ? ", " : "") + quote_identifier(table.columns[i].name) + " = $" + std::to_string(n);
  }
  s.update = "UPDATE " + name + " SET " + sets + " WHERE " + key + " = $" + std::to_string(n + 1);
  if (n == 0) s.update.clear();  // a table with only a key has nothing to update
  s.remove = "DELETE FROM " + name + " WHERE " + key + " = $1";
  s.prefix = "orm" + std::to_string(table.id) + "_";
  return s;
}

// Appends one element to a PostgreSQL array literal: {"a","b\"c",NULL}.
void append_element(std::string& array, const Param& value) {
  array += array.size() == 1 ? "" : ",";
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

}  // namespace

const TableStatements& statements(const TableInfo& table) {
  static std::mutex mutex;
  static std::map<int, TableStatements> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(table.id);
  if (it == cache.end()) it = cache.emplace(table.id, build(table)).first;
  return it->second;
}

}  // namespace detail

Session::Session(Database& db) : db_(db) {}

Session::Session(Session&&) noexcept = default;

Session::~Session() {
  try {
    rollback();
  } catch (...) {  // a destructor must not throw; the server rolls back on its own
  }
}

void Session::record(std::unique_ptr<detail::PendingBase> statement) {
  pending_.push_back(std::move(statement));
}

void Session::begin() {
  if (transaction_) return;
  try {
    transaction_ = std::make_unique<pqxx::work>(db_.connection());
  } catch (...) {
    detail::rethrow_translated(db_.url(), detail::Phase::running);
  }
}

void Session::undo_keys() noexcept {
  for (auto& inserted : inserted_) {
    for (std::size_t i = 0; i < inserted->size(); ++i) inserted->set_key(i, "0");
  }
  inserted_.clear();
}

void Session::fail() {
  transaction_.reset();  // a pqxx transaction destroyed without commit rolls back
  pending_.clear();
  undo_keys();
  detail::rethrow_translated(db_.url(), detail::Phase::running);
}

template <class Transaction>
static pqxx::result exec(Transaction& tx, const std::string& sql,
                         const std::vector<detail::Param>& params) {
  return tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
}

void Session::send(detail::PendingBase& statement) {
  const auto& sql = detail::statements(*statement.table);
  std::vector<detail::Param> params;
  auto run_one = [&](const std::string& name, const std::string& text) {
    return exec_prepared(name, text, params);
  };

  if (statement.kind == detail::PendingBase::insert) {
    const bool many = statement.size() > 1;
    const bool key = statement.with_key;
    if (!many) {
      statement.write_params(0, params);
    } else {
      // One array parameter per column: {"Book 0","Book 1",...}.
      std::vector<detail::Param> row;
      for (std::size_t i = 0; i < statement.size(); ++i) {
        row.clear();
        statement.write_params(i, row);
        if (params.empty()) params.assign(row.size(), std::string("{"));
        for (std::size_t c = 0; c < row.size(); ++c) detail::append_element(*params[c], row[c]);
      }
      for (auto& array : params) *array += '}';
    }
    const std::string name =
        sql.prefix + (many ? "insert_many" : "insert_one") + (key ? "_key" : "");
    const std::string& text = many ? (key ? sql.insert_many_key : sql.insert_many)
                                   : (key ? sql.insert_one_key : sql.insert_one);
    const pqxx::result keys = run_one(name, text);
    if (!key) {
      for (std::size_t i = 0; i < statement.size(); ++i) {
        const auto field = keys[static_cast<pqxx::result::size_type>(i)][0];
        statement.set_key(i, std::string_view(field.c_str(), field.size()));
      }
    }
    return;
  }

  const bool update = statement.kind == detail::PendingBase::update;
  if (update && sql.update.empty()) return;
  for (std::size_t i = 0; i < statement.size(); ++i) {
    params.clear();
    statement.write_params(i, params);
    const pqxx::result result = update ? run_one(sql.prefix + "update", sql.update)
                                       : run_one(sql.prefix + "remove", sql.remove);
    if (result.affected_rows() == 0) {
      throw ModelError(std::string(update ? "update" : "remove") + ": no row of " +
                       statement.table->name + " has " + statement.table->primary_key().name +
                       " = " + params.back().value_or("NULL") +
                       " (was it never committed, or already removed?)");
    }
  }
}

void Session::flush() {
  if (pending_.empty()) return;
  begin();
  try {
    for (auto& statement : pending_) {
      send(*statement);
      if (statement->kind == detail::PendingBase::insert && !statement->with_key) {
        inserted_.push_back(std::move(statement));
      }
    }
    pending_.clear();
  } catch (...) {
    fail();
  }
}

void Session::commit() {
  try {
    // A single statement is atomic on its own: send it without BEGIN/COMMIT round trips.
    if (!transaction_ && pending_.size() == 1 &&
        (pending_.front()->kind == detail::PendingBase::insert || pending_.front()->size() == 1)) {
      send(*pending_.front());
      pending_.clear();
      inserted_.clear();
      return;
    }
    flush();
    if (transaction_) {
      transaction_->commit();
      transaction_.reset();
    }
    inserted_.clear();
  } catch (...) {
    fail();
  }
}

void Session::rollback() {
  pending_.clear();
  if (transaction_) {
    transaction_->abort();
    transaction_.reset();
  }
  undo_keys();
}

pqxx::result Session::run(const std::string& sql, const std::vector<detail::Param>& params) {
  flush();
  try {
    if (transaction_) return exec(*transaction_, sql, params);
    pqxx::nontransaction tx(db_.connection());
    return exec(tx, sql, params);
  } catch (...) {
    if (transaction_) fail();
    detail::rethrow_translated(db_.url(), detail::Phase::running);
  }
}

pqxx::result Session::run_prepared(const std::string& name, const std::string& sql,
                                   const std::vector<detail::Param>& params) {
  flush();
  try {
    return exec_prepared(name, sql, params);
  } catch (...) {
    if (transaction_) fail();
    detail::rethrow_translated(db_.url(), detail::Phase::running);
  }
}

pqxx::result Session::exec_prepared(const std::string& name, const std::string& sql,
                                    const std::vector<detail::Param>& params) {
  db_.prepare_once(name, sql);
  if (transaction_) {
    return transaction_->exec_prepared(name, pqxx::prepare::make_dynamic_params(params));
  }
  pqxx::nontransaction tx(db_.connection());
  return tx.exec_prepared(name, pqxx::prepare::make_dynamic_params(params));
}

}  // namespace orm
