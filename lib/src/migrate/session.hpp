// Internal: running SQL of revisions on a Database's connection through libpq itself, for what
// libpqxx 6.4 does not offer: COPY FROM STDIN with the statement as written, one result per
// statement of a message (so a failure is known by its statement, not by its text), and the
// transaction status.
#pragma once

#include <libpq-fe.h>

#include <optional>
#include <string>
#include <vector>

#include "orm/database.hpp"

namespace orm::migrate::detail {

/// libpq's handle of the Database's connection, opened now if needed.
PGconn* libpq_handle(Database& db);

/// One statement of a message, and the COPY rows it takes when it is `COPY ... FROM STDIN`.
struct Piece {
  std::string sql;                         ///< without the closing `;`
  const std::string* copy_data = nullptr;  ///< rows for COPY FROM STDIN, or nullptr
};

/// How a message failed: at which piece, and what the server said.
struct Failure {
  std::size_t piece = 0;  ///< index of the failing piece
  std::string sqlstate;   ///< e.g. "42P01"
  std::string message;    ///< the server's primary message (one line, its language)
  /// Byte offset of the error in the failing piece's SQL, when the server gave a position.
  std::optional<std::size_t> position;
};

/// Sends `pieces` as one message (the simple query protocol runs them in order and stops at the
/// first error) and reads a result per piece, feeding COPY FROM STDIN its rows. A syntax error
/// stops the whole message before its first piece runs; the server's position then tells the
/// piece. Returns the failure, if any; throws pqxx::broken_connection when the connection is
/// gone. Leaves a failed transaction open: see rollback_if_failed().
std::optional<Failure> send(PGconn* connection, const std::vector<Piece>& pieces);

/// Sends ROLLBACK when the session is inside a (failed) transaction block, as libpq's
/// PQtransactionStatus says; does nothing otherwise.
void rollback_if_in_transaction(PGconn* connection) noexcept;

/// The statements that give the session a clean state: the role and session user it logged in
/// with, every setting back to its default (search_path, ...), no temporary tables, cursors,
/// LISTENs or sequence values left. DISCARD ALL would do it but also release the advisory lock.
/// `application_name`, when not empty, is set again after RESET ALL.
std::vector<std::string> session_reset(const std::string& application_name);

}  // namespace orm::migrate::detail
