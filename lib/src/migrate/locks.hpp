// Internal: the two locks of migration commands. The database's migration lock serialises
// commands that change a database's schema (upgrade, downgrade, stamp); the folder lock
// serialises commands that write revision files (migrate, revision).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "orm/database.hpp"

namespace orm::migrate::detail {

/// PostgreSQL's session-level advisory lock for migrations, held on the connection that runs the
/// revisions, from construction to destruction. Because the session doing the work holds it, a
/// command killed while its last statement runs keeps it until the server has finished (and
/// committed or rolled back) that work: the next command waits and then reads the true history.
///
/// Taking it also gives the session a clean state (session_reset) named `application_name`.
/// While another session holds it, prints one line naming the holder (pid, application name,
/// since when) and waits: forever, or `timeout_seconds`, then throws MigrationError.
class MigrationLock {
 public:
  MigrationLock(Database& db, std::ostream& out, const std::string& application_name,
                std::optional<double> timeout_seconds);
  /// Releases the lock (closing the connection would too).
  ~MigrationLock();
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  void wait(std::ostream& out, std::optional<double> timeout_seconds);

  Database& db_;
};

/// An exclusive flock() on a migrations folder's versions/ directory, from construction to
/// destruction, so two commands never write revisions at once (two `db migrate` would both
/// follow the same head). Prints one line when it has to wait. Released when the process ends,
/// however it ends.
class FolderLock {
 public:
  FolderLock(const std::string& directory, std::ostream& out);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace orm::migrate::detail
