// Internal: the history table, the migration lock, and running one revision.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "orm/database.hpp"
#include "orm/migrate.hpp"

namespace orm::migrate::detail {

/// CREATE TABLE IF NOT EXISTS for the history table.
std::string create_history_sql();

/// The history rows, oldest first. With `create`, creates the table first (in the same round
/// trip); without, a missing table means no rows.
std::vector<AppliedRevision> read_history(Database& db, bool create);

/// Holds PostgreSQL's advisory lock for migrations on a connection of its own, from construction
/// to destruction, so that concurrent upgrade/downgrade/stamp commands on one database run one
/// after the other. Prints a line to `out` when it has to wait.
///
/// The lock session connects on a helper thread while `main` connects, so the second connection
/// adds no handshake time to the command.
class MigrationLock {
 public:
  MigrationLock(Database& main, std::ostream& out);
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  Database session_;  // closing the session releases the lock
};

enum class Direction { upgrade, downgrade };

/// Runs one revision's section and writes (upgrade) or deletes (downgrade) its history row, in
/// one transaction unless the revision opts out. Throws MigrationError naming the file and line
/// of the failing statement and what state the database is left in.
void run_revision(Database& db, const Revision& revision, Direction direction,
                  const std::string& program);

}  // namespace orm::migrate::detail
