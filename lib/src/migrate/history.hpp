// Internal: the history table. Every statement that reads or writes it is made here.
#pragma once

#include <string>
#include <vector>

#include "orm/database.hpp"
#include "orm/migrate.hpp"

namespace orm::migrate::detail {

enum class Direction { upgrade, downgrade };

/// The SQL of the history table `schema.table`, schema-qualified so that a revision's
/// search_path never decides where the history goes (unqualified only for offline `--sql`
/// output when no schema was set).
class HistorySql {
 public:
  HistorySql(const std::string& schema, const std::string& table);
  /// The table of `settings` (history_schema, history_table).
  explicit HistorySql(const Settings& settings);

  /// The table's name as written in SQL, e.g. `public.migration_history`.
  const std::string& table() const noexcept { return table_; }
  /// CREATE TABLE IF NOT EXISTS for the history table.
  std::string create() const;
  /// The rows, oldest first, as read_history() decodes them.
  std::string select() const;
  /// The row that records `revision` as applied (upgrade) or removes it (downgrade), with
  /// literals so it can share a message with other statements. `timed` records duration_ms,
  /// the server's time since the transaction began (now() is the transaction's start).
  std::string record(const Revision& revision, Direction direction, bool timed) const;
  /// Removes the row of revision `id`.
  std::string remove(const std::string& id) const;
  /// Sets the checksum of an applied revision to its file's (`db accept`).
  std::string accept(const Revision& revision) const;

 private:
  std::string schema_;
  std::string table_;
};

/// The history rows, oldest first. With `create`, creates the table first (in the same round
/// trip); without, a missing table means no rows.
std::vector<AppliedRevision> read_history(Database& db, const HistorySql& history, bool create);

}  // namespace orm::migrate::detail
