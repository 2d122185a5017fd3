#include "history.hpp"

#include <pqxx/nontransaction>
#include <pqxx/result>

#include <fmt/format.h>

#include "../translate.hpp"
#include "orm/schema.hpp"

namespace orm::migrate::detail {
namespace {

std::vector<AppliedRevision> rows_of(const pqxx::result& result) {
  std::vector<AppliedRevision> rows;
  rows.reserve(result.size());
  for (const auto& row : result) {
    AppliedRevision applied;
    applied.revision = row[0].as<std::string>();
    applied.down_revisions = split_revisions(row[1].as<std::string>());
    applied.message = row[2].as<std::string>();
    applied.checksum = row[3].as<std::string>();
    applied.applied_at = row[4].as<std::string>();
    if (!row[5].is_null()) applied.duration_ms = row[5].as<double>();
    rows.push_back(std::move(applied));
  }
  return rows;
}

}  // namespace

HistorySql::HistorySql(const std::string& schema, const std::string& table)
    : schema_(schema),
      table_(schema.empty() ? quote_identifier(table)
                            : quote_identifier(schema) + "." + quote_identifier(table)) {}

HistorySql::HistorySql(const Settings& settings)
    : HistorySql(settings.history_schema, settings.history_table) {}

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
  if (direction == Direction::downgrade) return remove(revision.id);
  // A merge revision's parents go into the one text column as its `Revises:` line writes them
  // ("a, b"), so a table made before merges existed records them unchanged.
  const std::string down = revision.down_revisions.empty()
                               ? "NULL"
                               : sql_literal(join_revisions(revision.down_revisions));
  const std::string values =
      fmt::format("{}, {}, {}, {}", sql_literal(revision.id), down, sql_literal(revision.message),
                  sql_literal(revision.checksum));
  if (!timed) {
    return fmt::format("INSERT INTO {} (revision, down_revision, message, checksum)\nVALUES ({})",
                       table_, values);
  }
  return fmt::format(
      "INSERT INTO {} (revision, down_revision, message, checksum, duration_ms) VALUES ({}, "
      "pg_catalog.round((1000 * pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - "
      "pg_catalog.now()))::numeric, 3))",
      table_, values);
}

std::string HistorySql::remove(const std::string& id) const {
  return fmt::format("DELETE FROM {} WHERE revision = {}", table_, sql_literal(id));
}

std::string HistorySql::accept(const Revision& revision) const {
  return fmt::format("UPDATE {} SET checksum = {} WHERE revision = {}", table_,
                     sql_literal(revision.checksum), sql_literal(revision.id));
}

std::vector<AppliedRevision> read_history(Database& db, const HistorySql& history, bool create) {
  try {
    pqxx::nontransaction tx(db.connection());
    if (create) return rows_of(tx.exec(history.create() + ";\n" + history.select()));
    return rows_of(tx.exec(history.select()));
  } catch (const pqxx::sql_error& e) {
    if (!create && e.sqlstate() == "42P01") return {};  // no history table: nothing applied
    if (e.sqlstate() == "3F000") {                      // invalid_schema_name
      throw MigrationError(fmt::format(
          "cannot create the history table {}: its schema does not exist: create it (CREATE "
          "SCHEMA ...) or choose another history schema",
          history.table()));
    }
    orm::detail::rethrow_translated(db.url(), orm::detail::Phase::running);
  } catch (...) {
    orm::detail::rethrow_translated(db.url(), orm::detail::Phase::running);
  }
}

}  // namespace orm::migrate::detail
