#include "orm/session.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/prepared_statement>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string_view>

#include "database_state.hpp"
#include "translate.hpp"

namespace orm {
namespace detail {

// A session's transaction and pending work, shared with the queries made from the session.
struct SessionCore {
  explicit SessionCore(std::shared_ptr<DatabaseState> database) : db(std::move(database)) {}

  struct Pending {
    Statement statement;
    std::string what;  // the error when no row matches
  };

  std::shared_ptr<DatabaseState> db;
  bool ended = false;            // the Session is gone; its queries refuse to run
  bool open = false;             // BEGIN was sent; neither COMMIT nor ROLLBACK yet
  std::uint64_t connection = 0;  // db->generation the transaction runs on
  std::size_t writes = 0;        // statements of the open transaction that changed rows
  bool raw_sql = false;          // execute() ran in the open transaction: the schema may change
  std::string failure;           // set when a failure undid earlier work; until rollback()
  std::vector<Pending> pending;
};

namespace {

// ---------------------------------------------------------------------------------------------
// SQL texts.

std::string join_columns(const TableInfo& table, bool with_key, const std::string& prefix = {}) {
  std::string out;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (!with_key && i == table.primary_key_index) continue;
    if (!out.empty()) out += ", ";
    out += prefix + quote_identifier(table.columns[i].name);
  }
  return out;
}

// "character varying(12)" -> "character varying": the type without its modifier. An explicit
// cast to varchar(12) would cut longer strings to 12 characters; without the modifier the
// INSERT's own assignment to the column checks the length, as for a single row (SQLSTATE 22001).
std::string without_modifier(const std::string& sql_type) {
  const auto open = sql_type.find('(');
  if (open == std::string::npos) return sql_type;
  const auto close = sql_type.find(')', open);
  std::string type = sql_type.substr(0, open);
  if (close != std::string::npos) type += sql_type.substr(close + 1);
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type;
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
    arrays += "$" + std::to_string(++n) + "::" + without_modifier(table.columns[i].sql_type) + "[]";
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
  s.aliased_columns = join_columns(table, true, "orm_t.");
  s.from_aliased = " FROM " + name + " orm_t";
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
  const std::string prefix = "orm" + std::to_string(table.id) + "_";
  s.get_name = prefix + "get";
  s.all_name = prefix + "all";
  s.insert_one_name = prefix + "insert_one";
  s.insert_many_name = prefix + "insert_many";
  s.insert_one_key_name = prefix + "insert_one_key";
  s.insert_many_key_name = prefix + "insert_many_key";
  s.update_name = prefix + "update";
  s.remove_name = prefix + "remove";
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

// ---------------------------------------------------------------------------------------------
// The statement log: ORM_STATEMENT_LOG (orm::Session's documentation).

// Appends `sql` to the file ORM_STATEMENT_LOG names, if any, as one line. The variable is read at
// every statement (a test may set it for a while); the file stays open while it names the same
// path. One write() per line, appending: lines of several processes never mix.
void log_statement(std::string_view sql) {
  static std::mutex mutex;
  static std::string open_path;
  static int fd = -1;
  const char* path = std::getenv("ORM_STATEMENT_LOG");
  if (path == nullptr || *path == '\0') return;
  const std::lock_guard<std::mutex> lock(mutex);
  if (fd < 0 || open_path != path) {
    const int opened = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (opened < 0) {
      throw ConfigError("ORM_STATEMENT_LOG names a file that cannot be written (" +
                        std::string(path) + ": " + std::strerror(errno) +
                        "): give a file in a folder you can write to, or unset it");
    }
    if (fd >= 0) ::close(fd);
    fd = opened;
    open_path = path;
  }
  std::string line(sql);
  std::replace(line.begin(), line.end(), '\n', ' ');
  line += '\n';
  // A full disk must not fail the program's own work: the log is for counting, not for keeping.
  [[maybe_unused]] const ssize_t written = ::write(fd, line.data(), line.size());
}

// ---------------------------------------------------------------------------------------------
// One round trip: libpq's pipeline mode sends several statements before reading any result.

struct ResultDeleter {
  void operator()(PGresult* result) const noexcept { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

[[noreturn]] void throw_broken(PGconn* connection) {
  throw pqxx::broken_connection(PQerrorMessage(connection));
}

// Sends what libpq buffered, reading the server's replies meanwhile, so that neither side can
// block on a full socket buffer (a pipeline of many statements, or large arrays).
void flush_all(PGconn* connection) {
  for (;;) {
    const int left = PQflush(connection);
    if (left == 0) return;
    if (left < 0) throw_broken(connection);
    pollfd ready{PQsocket(connection), POLLIN | POLLOUT, 0};
    if (::poll(&ready, 1, -1) < 0) {
      if (errno == EINTR) continue;
      throw pqxx::broken_connection("poll() on the connection's socket failed");
    }
    if ((ready.revents & POLLIN) != 0 && PQconsumeInput(connection) == 0) throw_broken(connection);
  }
}

// What one pipeline entry does.
enum class Step { begin, commit, rollback, deallocate, prepare, execute };

struct Entry {
  explicit Entry(Step what, const char* statement_name = nullptr, const char* text = nullptr,
                 const std::vector<Param>* values = nullptr)
      : step(what), name(statement_name), sql(text), params(values) {}
  Step step;
  const char* name;  // deallocate, prepare, execute
  const char* sql;   // prepare, unnamed execute
  const std::vector<Param>* params;
  ResultPtr result;
};

// Sends every entry, then a Sync, and stores each entry's result. Returns the index of the first
// entry the server rejected (entries after it are skipped), or entries.size(). Throws
// pqxx::broken_connection when the connection fails; `sent` then tells whether everything had
// been sent.
std::size_t exchange(PGconn* connection, std::vector<Entry>& entries, bool& sent) {
  sent = false;
  if (PQenterPipelineMode(connection) != 1) throw_broken(connection);
  if (PQsetnonblocking(connection, 1) != 0) throw_broken(connection);
  std::vector<const char*> values;
  for (Entry& entry : entries) {
    int ok = 0;
    switch (entry.step) {
      case Step::begin:
        ok = PQsendQueryParams(connection, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0);
        break;
      case Step::commit:
        ok = PQsendQueryParams(connection, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0);
        break;
      case Step::rollback:
        ok = PQsendQueryParams(connection, "ROLLBACK", 0, nullptr, nullptr, nullptr, nullptr, 0);
        break;
      case Step::deallocate: {
        const std::string sql = "DEALLOCATE " + quote_identifier(entry.name);
        ok = PQsendQueryParams(connection, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0);
        break;
      }
      case Step::prepare:
        ok = PQsendPrepare(connection, entry.name, entry.sql, 0, nullptr);
        break;
      case Step::execute: {
        values.clear();
        for (const Param& param : *entry.params) {
          values.push_back(param ? param->c_str() : nullptr);
        }
        const int count = static_cast<int>(values.size());
        ok = entry.name != nullptr ? PQsendQueryPrepared(connection, entry.name, count,
                                                         values.data(), nullptr, nullptr, 0)
                                   : PQsendQueryParams(connection, entry.sql, count, nullptr,
                                                       values.data(), nullptr, nullptr, 0);
        break;
      }
    }
    if (ok != 1) throw_broken(connection);
  }
  if (PQpipelineSync(connection) != 1) throw_broken(connection);
  flush_all(connection);
  sent = true;
  if (PQsetnonblocking(connection, 0) != 0) throw_broken(connection);

  std::size_t failed = entries.size();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    ResultPtr result(PQgetResult(connection));
    if (!result) throw_broken(connection);
    const auto status = PQresultStatus(result.get());
    if (status == PGRES_FATAL_ERROR && PQstatus(connection) == CONNECTION_BAD) {
      throw_broken(connection);
    }
    if (status == PGRES_FATAL_ERROR && failed == entries.size()) failed = i;
    // Each entry's results end with a null result.
    while (ResultPtr more{PQgetResult(connection)}) {
    }
    entries[i].result = std::move(result);
  }
  for (;;) {  // up to the Sync
    ResultPtr result(PQgetResult(connection));
    if (!result) {
      if (PQstatus(connection) == CONNECTION_BAD) throw_broken(connection);
      continue;
    }
    if (PQresultStatus(result.get()) == PGRES_PIPELINE_SYNC) break;
  }
  if (PQexitPipelineMode(connection) != 1) throw_broken(connection);
  return failed;
}

// The server's error for a rejected entry, as libpqxx would throw it (so that
// rethrow_translated reads its SQLSTATE).
[[noreturn]] void throw_sql_error(const Entry& entry) {
  const char* state = PQresultErrorField(entry.result.get(), PG_DIAG_SQLSTATE);
  throw pqxx::sql_error(PQresultErrorMessage(entry.result.get()),
                        entry.sql != nullptr ? entry.sql : "", state);
}

// ---------------------------------------------------------------------------------------------
// The session's rules.

SessionCore& usable(SessionCore& core) {
  if (core.ended) {
    throw Error(
        "this query's session has ended (its transaction was rolled back): keep the "
        "orm::Session alive while you use the queries made from it");
  }
  if (!core.failure.empty()) {
    throw Error("the session's transaction was rolled back when a statement failed (" +
                core.failure +
                "), undoing earlier work that was not committed: call session.rollback(), then "
                "do that work again");
  }
  const DatabaseState& db = *core.db;
  if (db.transaction_owner != nullptr && db.transaction_owner != &core) {
    throw Error("another session has a transaction open on " + db.url.database() +
                ": commit() or rollback() it first (a connection runs one transaction at a time)");
  }
  return core;
}

// The connection for the next statement. A transaction open on a connection that is gone
// (closed or lost) is reported, not silently replaced by a new one; `commit` tells that the
// caller is commit(), whose error says itself that nothing was kept.
Connection& connection_for(SessionCore& core, bool commit) {
  DatabaseState& db = *core.db;
  if (core.open && (db.generation != core.connection || !db.connection)) {
    core.open = false;
    const bool lost_work = core.writes > 0 || !core.pending.empty();
    core.pending.clear();
    core.writes = 0;
    const std::string message = "lost the connection to PostgreSQL at " + db.url.server() +
                                " while a transaction was open: its work since the last commit "
                                "is gone";
    if (lost_work && !commit) core.failure = message;
    throw ConnectionError(ConnectionError::Reason::connection_lost,
                          message + "; do it again (the next statement reconnects)");
  }
  if (core.open) return *db.connection;
  return db.open();
}

// Ends the open transaction on the server after a failure; the server rolls back by itself when
// the connection is gone.
void abandon_transaction(SessionCore& core) noexcept {
  DatabaseState& db = *core.db;
  if (core.open && db.connection && db.generation == core.connection && db.connection->is_open()) {
    try {
      std::vector<Entry> rollback;
      rollback.emplace_back(Step::rollback);
      bool sent = false;
      exchange(db.connection->handle(), rollback, sent);
    } catch (...) {  // the connection is gone, or no longer usable: close it, the server rolls back
      db.close();
    }
  }
  core.open = false;
  core.writes = 0;
  core.pending.clear();
  if (db.transaction_owner == &core) db.transaction_owner = nullptr;
  if (core.raw_sql) {  // raw SQL of the rolled-back transaction may have changed the schema
    db.forget_prepared_statements();
    core.raw_sql = false;
  }
}

// Called from a catch block when a round trip failed: rolls back, decides whether the session
// must be rolled back by its user (`lost_work`), and throws the orm error.
[[noreturn]] void fail(SessionCore& core, bool lost_work) {
  abandon_transaction(core);
  try {
    rethrow_translated(core.db->url, Phase::running);
  } catch (const Error& e) {
    if (lost_work) core.failure = e.what();
    throw;
  }
}

enum class Finish { none, commit };

// Sends, in one round trip: BEGIN when a write opens the transaction, the DEALLOCATEs of
// forgotten statements, a PREPARE of each statement not yet prepared on this connection, the
// pending statements, `statements`, and COMMIT when finishing (commit() sends what is pending
// first). Returns the results of `statements`.
std::vector<Rows> round_trip(SessionCore& core, std::vector<Statement>& statements, Access access,
                             Finish finish) {
  DatabaseState& db = *core.db;
  Connection& connection = connection_for(core, finish == Finish::commit);
  const bool begin = !core.open && (access == Access::write || !core.pending.empty());
  if (finish == Finish::commit && !core.open) return {};

  std::vector<Entry> entries;
  if (begin) entries.emplace_back(Step::begin);
  for (const std::string& name : db.stale) entries.emplace_back(Step::deallocate, name.c_str());
  std::vector<const Statement*> to_send;
  for (const auto& pending : core.pending) to_send.push_back(&pending.statement);
  for (const auto& statement : statements) to_send.push_back(&statement);
  std::vector<const char*> preparing;
  for (const Statement* statement : to_send) {
    if (statement->name == nullptr || db.prepared.count(std::string_view(statement->name)) != 0) {
      continue;
    }
    bool seen = false;
    for (const char* name : preparing) seen = seen || std::string_view(name) == statement->name;
    if (seen) continue;
    preparing.push_back(statement->name);
    entries.emplace_back(Step::prepare, statement->name, statement->sql);
  }
  const std::size_t first_statement = entries.size();
  for (const Statement* statement : to_send) {
    entries.emplace_back(Step::execute, statement->name, statement->sql, &statement->params);
  }
  if (finish == Finish::commit) entries.emplace_back(Step::commit);
  for (const Statement* statement : to_send) {
    log_statement(statement->sql != nullptr ? statement->sql : "");
  }

  const std::size_t writes_before = core.writes;
  const std::size_t pending_count = core.pending.size();
  // Whether a failure of entry `index` undoes work recorded before this call: rows the
  // transaction wrote earlier, or pending statements other than the failing one. (A failing
  // commit() says so itself: nothing of the transaction was kept.)
  const auto loses_work = [&](std::size_t index) {
    const bool failing_is_pending =
        index >= first_statement && index < first_statement + pending_count;
    return finish == Finish::none &&
           (writes_before > 0 || pending_count > (failing_is_pending ? 1u : 0u));
  };
  std::size_t failed = 0;
  try {
    pqxx::nontransaction guard(connection);  // libpqxx refuses if raw libpqxx work is open here
    bool sent = false;
    try {
      failed = exchange(connection.handle(), entries, sent);
    } catch (const pqxx::broken_connection& e) {
      if (sent && finish == Finish::commit) throw pqxx::in_doubt_error(e.what());
      throw;
    }
  } catch (...) {
    // A round trip cut short leaves the connection in an unknown state: close it (the server
    // then rolls back whatever it had begun).
    if (connection.is_open() && PQpipelineStatus(connection.handle()) != PQ_PIPELINE_OFF) {
      db.close();
    }
    fail(core, loses_work(entries.size()));
  }

  // What the server did, entry by entry, up to the first failure.
  for (std::size_t i = 0; i < std::min(failed, entries.size()); ++i) {
    const Entry& entry = entries[i];
    if (entry.step == Step::deallocate) {
      db.stale.erase(std::find(db.stale.begin(), db.stale.end(), std::string(entry.name)));
    } else if (entry.step == Step::prepare) {
      db.prepared.emplace(entry.name);
    }
  }
  if (begin && failed > 0) {
    core.open = true;
    core.connection = db.generation;
    db.transaction_owner = &core;
  }
  if (failed < entries.size()) {
    // A failed COMMIT ends the transaction on the server; any other failure leaves it open and
    // aborted, for abandon_transaction to roll back.
    if (entries[failed].step == Step::commit) core.open = false;
    try {
      throw_sql_error(entries[failed]);
    } catch (...) {
      fail(core, loses_work(failed));
    }
  }
  // Pending updates and removals must each have found their row.
  for (std::size_t i = 0; i < pending_count; ++i) {
    if (Rows(entries[first_statement + i].result.release()).affected() == 0) {
      try {
        throw ModelError(core.pending[i].what + " (was it never committed, or already removed?)");
      } catch (...) {
        fail(core, loses_work(first_statement + i));
      }
    }
  }

  std::vector<Rows> results;
  results.reserve(statements.size());
  for (std::size_t i = first_statement + pending_count; i < first_statement + to_send.size(); ++i) {
    results.emplace_back(entries[i].result.release());
  }
  if (core.open) {
    core.writes += pending_count + (access == Access::write ? statements.size() : 0);
  }
  core.pending.clear();
  if (finish == Finish::commit) {
    core.open = false;
    core.writes = 0;
    core.raw_sql = false;
    db.transaction_owner = nullptr;
  }
  return results;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

void read_object(const TableInfo& table, void* object, const Rows& rows, std::size_t row,
                 std::size_t first) {
  for (std::size_t column = 0; column < table.members.size(); ++column) {
    const MemberAccess& access = table.members[column];
    void* member = access.in(object);
    try {
      if (rows.is_null(row, first + column)) {
        if (!access.ops->set_null(member)) {
          throw std::invalid_argument(
              "the database holds NULL but the member is not std::optional; declare it as "
              "std::optional<...> or make the column NOT NULL");
        }
      } else {
        access.ops->from_text(member, rows.text(row, first + column));
      }
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw_value_error(table, column, e.what());
    }
  }
}

Rows::Rows(pg_result* result) noexcept : result_(result) {}

void Rows::Clear::operator()(pg_result* result) const noexcept {
  PQclear(result);
}

std::size_t Rows::size() const noexcept {
  return result_ ? static_cast<std::size_t>(PQntuples(result_.get())) : 0;
}

bool Rows::is_null(std::size_t row, std::size_t column) const noexcept {
  return PQgetisnull(result_.get(), static_cast<int>(row), static_cast<int>(column)) != 0;
}

std::string_view Rows::text(std::size_t row, std::size_t column) const noexcept {
  const int r = static_cast<int>(row), c = static_cast<int>(column);
  return std::string_view(PQgetvalue(result_.get(), r, c),
                          static_cast<std::size_t>(PQgetlength(result_.get(), r, c)));
}

std::size_t Rows::affected() const noexcept {
  const char* count = result_ ? PQcmdTuples(result_.get()) : "";
  return *count == '\0' ? 0 : static_cast<std::size_t>(std::strtoull(count, nullptr, 10));
}

const TableStatements& statements(const TableInfo& table) {
  static std::mutex mutex;
  static std::map<int, TableStatements> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(table.id);
  if (it == cache.end()) it = cache.emplace(table.id, build(table)).first;
  return it->second;
}

std::vector<Rows> run(SessionCore& core, std::vector<Statement> statements, Access access) {
  usable(core);
  return round_trip(core, statements, access, Finish::none);
}

Rows run_one(SessionCore& core, const char* name, const char* sql, std::vector<Param> params,
             Access access) {
  std::vector<Statement> one;
  one.push_back(Statement{name, sql, std::move(params)});
  return std::move(run(core, std::move(one), access)[0]);
}

// -- InsertBatch -------------------------------------------------------------------------------

struct InsertBatch::Impl {
  // Neighbouring rows that all have, or all lack, their own key: one statement.
  struct Run {
    bool with_key;
    std::size_t size = 0;
    std::vector<Param> first_row;  // while the run has one row
    std::vector<Param> arrays;     // from its second row on: one array per column
  };
  const TableInfo& table;
  std::vector<Run> runs;
  std::vector<std::optional<std::string>> new_keys;  // per row, after run()
};

InsertBatch::InsertBatch(const TableInfo& table) : impl_(new Impl{table, {}, {}}) {}

InsertBatch::~InsertBatch() = default;

void InsertBatch::add(std::vector<Param> row, bool with_key) {
  auto& runs = impl_->runs;
  if (runs.empty() || runs.back().with_key != with_key) runs.push_back({with_key, 0, {}, {}});
  Impl::Run& run = runs.back();
  if (++run.size == 1) {
    run.first_row = std::move(row);
    return;
  }
  // Appends a row's parameters to the column arrays of a multi-row INSERT.
  const auto append_row = [&run](const std::vector<Param>& values) {
    for (std::size_t c = 0; c < values.size(); ++c) append_element(*run.arrays[c], values[c]);
  };
  if (run.size == 2) {
    run.arrays.assign(run.first_row.size(), std::string("{"));
    append_row(run.first_row);
  }
  append_row(row);
}

void InsertBatch::run(SessionCore& core) {
  if (impl_->runs.empty()) return;
  const TableStatements& sql = statements(impl_->table);
  std::vector<Statement> inserts;
  for (Impl::Run& run : impl_->runs) {
    if (run.size == 1) {
      inserts.push_back(run.with_key
                            ? Statement{sql.insert_one_key_name.c_str(), sql.insert_one_key.c_str(),
                                        std::move(run.first_row)}
                            : Statement{sql.insert_one_name.c_str(), sql.insert_one.c_str(),
                                        std::move(run.first_row)});
    } else {
      for (auto& array : run.arrays) *array += '}';
      inserts.push_back(run.with_key ? Statement{sql.insert_many_key_name.c_str(),
                                                 sql.insert_many_key.c_str(), std::move(run.arrays)}
                                     : Statement{sql.insert_many_name.c_str(),
                                                 sql.insert_many.c_str(), std::move(run.arrays)});
    }
  }
  const std::vector<Rows> results = detail::run(core, std::move(inserts), Access::write);
  // The keys come back in the order of the rows (see insert_many_sql).
  for (std::size_t r = 0; r < impl_->runs.size(); ++r) {
    for (std::size_t row = 0; row < impl_->runs[r].size; ++row) {
      if (impl_->runs[r].with_key) {
        impl_->new_keys.emplace_back();
      } else {
        impl_->new_keys.emplace_back(std::string(results[r].text(row, 0)));
      }
    }
  }
}

const std::string* InsertBatch::new_key(std::size_t i) const {
  if (i >= impl_->new_keys.size() || !impl_->new_keys[i]) return nullptr;
  return &*impl_->new_keys[i];
}

// -- Relationships -----------------------------------------------------------------------------

std::size_t foreign_key_index(const TableInfo& owner, const TableInfo& target, std::size_t index) {
  const std::string& column = owner.columns[index].name;
  for (const auto& key : owner.foreign_keys) {
    if (key.column == column && key.target_table == target.name) return index;
  }
  throw ModelError("relationship between " + target.model + " and " + owner.model + ": " +
                   owner.name + "." + column + " does not refer to " + target.name +
                   "; declare it in " + owner.model + "::fields() with orm::foreign_key(&" +
                   target.model + "::" + target.primary_key().name + ")");
}

struct RowOwners::Impl {
  std::vector<std::pair<std::size_t, std::size_t>> pairs;  // (row, object), in row order
};

RowOwners::RowOwners(const Rows& rows, std::size_t key_column,
                     const std::vector<std::optional<std::string>>& keys, CanonicalKey canonical)
    : impl_(new Impl) {
  std::map<std::string, std::vector<std::size_t>> positions;  // the objects of each key
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i]) positions[canonical(*keys[i])].push_back(i);
  }
  for (std::size_t row = 0; row < rows.size(); ++row) {
    const auto found = positions.find(canonical(rows.text(row, key_column)));
    if (found == positions.end()) continue;
    for (const std::size_t owner : found->second) impl_->pairs.emplace_back(row, owner);
  }
}

RowOwners::~RowOwners() = default;

std::size_t RowOwners::size() const noexcept {
  return impl_->pairs.size();
}

std::size_t RowOwners::row(std::size_t pair) const noexcept {
  return impl_->pairs[pair].first;
}

std::size_t RowOwners::owner(std::size_t pair) const noexcept {
  return impl_->pairs[pair].second;
}

// -- QueryCore ---------------------------------------------------------------------------------

QueryCore::QueryCore(std::shared_ptr<SessionCore> core) : core_(std::move(core)) {}
QueryCore::~QueryCore() = default;
QueryCore::QueryCore(const QueryCore& other) = default;
QueryCore::QueryCore(QueryCore&& other) noexcept = default;
QueryCore& QueryCore::operator=(const QueryCore& other) = default;
QueryCore& QueryCore::operator=(QueryCore&& other) noexcept = default;

void QueryCore::where(const ColumnInfo& column, Param param) {
  if (!param) {
    conditions_.push_back(quote_identifier(column.name) + " IS NULL");
    return;
  }
  params_.push_back(std::move(param));
  conditions_.push_back(quote_identifier(column.name) + " = $" + std::to_string(params_.size()));
}

void QueryCore::order_by(const ColumnInfo& column, bool descending) {
  order_.push_back(quote_identifier(column.name) + (descending ? " DESC" : ""));
}

void QueryCore::limit(std::size_t count) {
  limit_ = count;
}

void QueryCore::offset(std::size_t count) {
  offset_ = count;
}

std::string QueryCore::where_clause() const {
  std::string sql;
  for (std::size_t i = 0; i < conditions_.size(); ++i) {
    sql += (i == 0 ? " WHERE " : " AND ") + conditions_[i];
  }
  return sql;
}

Rows QueryCore::run(const std::string& sql) {
  return run_one(*core_, nullptr, sql.c_str(), params_, Access::read);
}

Rows QueryCore::select(const TableInfo& table, std::optional<std::size_t> limit) {
  std::string sql = statements(table).select + where_clause();
  for (std::size_t i = 0; i < order_.size(); ++i) sql += (i == 0 ? " ORDER BY " : ", ") + order_[i];
  if (!limit) limit = limit_;
  if (limit) sql += " LIMIT " + std::to_string(*limit);
  if (offset_) sql += " OFFSET " + std::to_string(*offset_);
  return run(sql);
}

std::size_t QueryCore::count(const TableInfo& table) {
  const Rows rows = run("SELECT count(*) FROM " + quote_identifier(table.name) + where_clause());
  return ColumnTraits<long>::from_text(rows.text(0, 0));
}

void defer(SessionCore& core, Statement statement, std::string what) {
  usable(core);
  core.pending.push_back({std::move(statement), std::move(what)});
}

pqxx::result run_raw(SessionCore& core, const std::string& sql, const std::vector<Param>& params) {
  usable(core);
  if (!core.pending.empty()) {
    std::vector<Statement> none;
    round_trip(core, none, Access::write, Finish::none);
  }
  Connection& connection = connection_for(core, false);
  log_statement(sql);
  pqxx::result result;
  try {
    pqxx::nontransaction tx(connection);
    result = tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
  } catch (...) {
    fail(core, core.open && core.writes > 0);
  }
  // The SQL may have changed the schema the prepared statements were planned for.
  core.db->forget_prepared_statements();
  if (core.open) core.raw_sql = true;
  return result;
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------

Session::Session(Database& db) : core_(std::make_shared<detail::SessionCore>(db.state())) {}

Session::Session(Session&& other) noexcept : core_(std::move(other.core_)) {}

Session::~Session() {
  if (!core_) return;
  rollback();
  core_->ended = true;
}

detail::SessionCore& Session::core() const {
  if (!core_) throw Error("this orm::Session was moved from: use the session it was moved to");
  return *core_;
}

std::size_t Session::pending() const noexcept {
  return core_ ? core_->pending.size() : 0;
}

void Session::flush() {
  auto& core = detail::usable(this->core());
  if (core.pending.empty()) return;
  std::vector<detail::Statement> none;
  detail::round_trip(core, none, detail::Access::write, detail::Finish::none);
}

void Session::commit() {
  auto& core = detail::usable(this->core());
  std::vector<detail::Statement> none;
  if (!core.pending.empty()) {
    // Updates and removals are checked for their row before COMMIT is sent: a round trip of
    // its own, so that a commit() that throws has committed nothing.
    try {
      detail::round_trip(core, none, detail::Access::write, detail::Finish::none);
    } catch (...) {
      core.failure.clear();  // this commit() reports the failure itself
      throw;
    }
  }
  detail::round_trip(core, none, detail::Access::read, detail::Finish::commit);
}

void Session::rollback() {
  if (!core_) return;
  detail::abandon_transaction(*core_);
  core_->failure.clear();
}

detail::Rows Session::select_with_keys(const std::string& sql,
                                       const std::vector<std::optional<std::string>>& keys) {
  std::string array = "{";
  for (const auto& key : keys) {
    if (key) detail::append_element(array, key);
  }
  array += '}';
  std::vector<detail::Statement> one;
  one.push_back({nullptr, sql.c_str(), {std::move(array)}});
  return std::move(detail::run(core(), std::move(one), detail::Access::read)[0]);
}

}  // namespace orm
