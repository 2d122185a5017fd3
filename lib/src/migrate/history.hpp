// Internal: the history table (its SQL, in one place), the migration lock, and running one
// revision.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "orm/database.hpp"
#include "orm/migrate.hpp"

namespace orm::migrate::detail {

enum class Direction { upgrade, downgrade };

/// The SQL of the history table: every statement that reads or writes it is made here.
class HistorySql {
 public:
  /// The table `name` (in the search path's first schema).
  explicit HistorySql(std::string name = history_table);

  /// The table's name as written in SQL.
  const std::string& table() const noexcept { return table_; }
  /// CREATE TABLE IF NOT EXISTS for the history table.
  std::string create() const;
  /// The rows, oldest first, as read_history() decodes them.
  std::string select() const;
  /// The row that records `revision` as applied (upgrade) or removes it (downgrade), with
  /// literals so it can share a message with other statements. `timed` records duration_ms,
  /// the server's time since the transaction began (now() is the transaction's start).
  std::string record(const Revision& revision, Direction direction, bool timed) const;
  /// Sets the checksum of an applied revision to its file's (`db accept`).
  std::string accept(const Revision& revision) const;

 private:
  std::string table_;
};

/// The history rows, oldest first. With `create`, creates the table first (in the same round
/// trip); without, a missing table means no rows.
std::vector<AppliedRevision> read_history(Database& db, const HistorySql& history, bool create);

/// Holds PostgreSQL's advisory lock for migrations on a connection of its own, from construction
/// to destruction, so that concurrent upgrade/downgrade/stamp commands on one database run one
/// after the other. Prints a line to `out` when it has to wait.
///
/// The lock session connects on a helper thread while `main` connects, so the second connection
/// adds no handshake time to the command (about 4 ms of the 100-revision `db upgrade`).
class MigrationLock {
 public:
  MigrationLock(Database& main, std::ostream& out);
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  Database session_;  // closing the session releases the lock
};

/// Runs one revision's section and writes (upgrade) or deletes (downgrade) its history row, in
/// one transaction unless the revision opts out. Throws MigrationError naming the file and line
/// of the failing statement and what state the database is left in.
void run_revision(Database& db, const HistorySql& history, const Revision& revision,
                  Direction direction, const std::string& program);

}  // namespace orm::migrate::detail
