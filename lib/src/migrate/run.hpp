// Internal: running one revision, with its history row, on the connection that holds the
// migration lock.
#pragma once

#include <string>

#include "history.hpp"
#include "orm/database.hpp"

namespace orm::migrate::detail {

/// What every revision of one command shares.
struct RunContext {
  const HistorySql& history;
  std::string program;           ///< named in hints ("run `hello_books db upgrade` again")
  std::string application_name;  ///< the session's name while it holds the lock
};

/// Runs one revision's section and writes (upgrade) or deletes (downgrade) its history row, in
/// one transaction unless the revision opts out (`Transaction: no`). Before the history row the
/// session is reset (role, settings, temporary tables: session_reset), so the row is written as
/// the user who logged in and the next revision starts from the state the first one had.
/// Throws MigrationError naming the file and line of the failing statement and what state the
/// database is left in.
void run_revision(Database& db, const RunContext& context, const Revision& revision,
                  Direction direction);

}  // namespace orm::migrate::detail
