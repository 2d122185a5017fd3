#include "history.hpp"

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include <chrono>
#include <cmath>
#include <future>
#include <ostream>

#include <fmt/format.h>

#include "../translate.hpp"

namespace orm::migrate::detail {
namespace {

// The advisory lock's key: the bytes of "migratio" as a bigint. Advisory locks are per
// database, so migrations of different databases never wait for each other.
constexpr const char* kLockKey = "7883946363647715695";

std::vector<AppliedRevision> rows_of(const pqxx::result& result) {
  std::vector<AppliedRevision> rows;
  rows.reserve(result.size());
  for (const auto& row : result) {
    AppliedRevision applied;
    applied.revision = row[0].as<std::string>();
    applied.down_revision = row[1].as<std::string>();
    applied.message = row[2].as<std::string>();
    applied.checksum = row[3].as<std::string>();
    applied.applied_at = row[4].as<std::string>();
    if (!row[5].is_null()) applied.duration_ms = row[5].as<double>();
    rows.push_back(std::move(applied));
  }
  return rows;
}

}  // namespace

HistorySql::HistorySql(std::string name) : table_(std::move(name)) {}

std::string HistorySql::create() const {
  return fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (\n"
      "    revision text PRIMARY KEY,\n"
      "    down_revision text,\n"
      "    message text NOT NULL,\n"
      "    checksum text NOT NULL,\n"
      "    applied_at timestamp with time zone NOT NULL DEFAULT now(),\n"
      "    duration_ms double precision\n"
      ")",
      table_);
}

std::string HistorySql::select() const {
  return fmt::format(
      "SELECT revision, coalesce(down_revision, ''), message, checksum, applied_at::text, "
      "duration_ms FROM {} ORDER BY applied_at, revision",
      table_);
}

std::string HistorySql::record(const Revision& revision, Direction direction, bool timed) const {
  if (direction == Direction::downgrade) {
    return fmt::format("DELETE FROM {} WHERE revision = {}", table_, sql_literal(revision.id));
  }
  const std::string down =
      revision.down_revision.empty() ? "NULL" : sql_literal(revision.down_revision);
  const std::string values =
      fmt::format("{}, {}, {}, {}", sql_literal(revision.id), down, sql_literal(revision.message),
                  sql_literal(revision.checksum));
  if (!timed) {
    return fmt::format("INSERT INTO {} (revision, down_revision, message, checksum)\nVALUES ({})",
                       table_, values);
  }
  return fmt::format(
      "INSERT INTO {} (revision, down_revision, message, checksum, duration_ms) VALUES ({}, "
      "round((1000 * extract(epoch FROM clock_timestamp() - now()))::numeric, 3))",
      table_, values);
}

std::string HistorySql::accept(const Revision& revision) const {
  return fmt::format("UPDATE {} SET checksum = {} WHERE revision = {}", table_,
                     sql_literal(revision.checksum), sql_literal(revision.id));
}

std::vector<AppliedRevision> read_history(Database& db, const HistorySql& history, bool create) {
  auto& connection = db.connection();
  try {
    pqxx::nontransaction tx(connection);
    if (create) return rows_of(tx.exec(history.create() + ";\n" + history.select()));
    return rows_of(tx.exec(history.select()));
  } catch (const pqxx::sql_error& e) {
    if (!create && e.sqlstate() == "42P01") return {};  // no history table: nothing applied
    orm::detail::rethrow_translated(db.url(), orm::detail::Phase::running);
  } catch (...) {
    orm::detail::rethrow_translated(db.url(), orm::detail::Phase::running);
  }
}

MigrationLock::MigrationLock(Database& main, std::ostream& out) : session_(main.url()) {
  const DatabaseUrl& url = main.url();
  {
    auto opening = std::async(std::launch::async, [this] { session_.connection(); });
    main.connection();  // on failure, the future's destructor waits for the thread
    opening.get();
  }
  auto& connection = session_.connection();
  try {
    pqxx::nontransaction tx(connection);
    const std::string key = kLockKey;
    if (!tx.exec1("SELECT pg_try_advisory_lock(" + key + ")")[0].as<bool>()) {
      out << "Waiting for another migration command on " << url.database() << " to finish ..."
          << std::endl;
      tx.exec("SELECT pg_advisory_lock(" + key + ")");
    }
  } catch (...) {
    orm::detail::rethrow_translated(url, orm::detail::Phase::running);
  }
}

void run_revision(Database& db, const HistorySql& history, const Revision& revision,
                  Direction direction, const std::string& program) {
  const bool up = direction == Direction::upgrade;
  const auto& statements = up ? revision.upgrade : revision.downgrade;
  const std::string command = up ? "upgrade" : "downgrade";
  const Statement* running = nullptr;
  auto& connection = db.connection();

  try {
    pqxx::nontransaction tx(connection);
    const std::string record = history.record(revision, direction, true);

    if (!revision.transactional) {
      for (const auto& statement : statements) {
        running = &statement;
        tx.exec(statement.sql);
      }
      running = nullptr;
      tx.exec(record);
      return;
    }
    // One round trip per statement: BEGIN rides with the first, the history row and COMMIT
    // with the last (saves 3 round trips per revision: 100 revisions, 51 -> 36 ms). A failing
    // statement is still known by the exec that raised it.
    bool first = true;
    try {
      for (const auto& statement : statements) {
        running = &statement;
        if (&statement == &statements.back()) break;
        tx.exec((first ? "BEGIN;\n" : "") + statement.sql);
        first = false;
      }
      const std::string last = statements.empty() ? "" : statements.back().sql + "\n;\n";
      tx.exec((first ? "BEGIN;\n" : "") + last + record + ";\nCOMMIT");
    } catch (const pqxx::sql_error& e) {
      // A syntax error stops the whole message before BEGIN runs; any other error leaves the
      // transaction open and aborted.
      if (!first || e.sqlstate() != "42601") {
        try {
          tx.exec("ROLLBACK");
        } catch (...) {  // the connection itself may be gone; the server rolls back then
        }
      }
      // The last message also carries the history row: a failure there is the row's own.
      if (std::string(e.what()).find("migration_history") != std::string::npos) running = nullptr;
      throw;
    }
  } catch (const pqxx::sql_error& e) {
    const std::string state = e.sqlstate();
    if (state.rfind("08", 0) == 0 || state == "57P01") {
      orm::detail::rethrow_translated(db.url(), orm::detail::Phase::running);
    }
    const std::string server = orm::detail::server_message(db.url().scrub(e.what())) +
                               (state.empty() ? "" : " (SQLSTATE " + state + ")");
    if (running == nullptr) {
      throw MigrationError("recording " + command + " " + revision.id + " in " + history.table() +
                           " " + "failed: " + server +
                           (revision.transactional
                                ? "; nothing of this revision was kept"
                                : "; its statements ran (Transaction: no) but it is not recorded: "
                                  "record it with `" +
                                      program + " db stamp " + revision.id + "`"));
    }
    const std::string where = revision.path.string() + ":" + std::to_string(running->line) + ": ";
    std::string fix = "fix the SQL and run `" + program + " db " + command + "` again";
    if (state == "25001") {
      fix =
          "this statement cannot run inside a transaction: add '-- Transaction: no' to the "
          "file's header, then run `" +
          program + " db " + command + "` again";
    }
    if (revision.transactional) {
      throw MigrationError(where + server + "; " + command + " " + describe(revision) +
                           " was rolled back (revisions before it stay applied): " + fix);
    }
    throw MigrationError(where + server + "; " + describe(revision) +
                         " runs without a transaction (Transaction: no), so its statements "
                         "above this one stay applied and it is not recorded: undo or finish "
                         "them by hand, then " +
                         fix);
  } catch (...) {
    orm::detail::rethrow_translated(db.url(), orm::detail::Phase::running);
  }
}

}  // namespace orm::migrate::detail
