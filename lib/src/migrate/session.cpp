#include "session.hpp"

#include <pqxx/except>

#include <fmt/format.h>

#include <memory>

#include "../database_state.hpp"
#include "orm/migrate/sql.hpp"

namespace orm::migrate::detail {
namespace {

using Result = std::unique_ptr<PGresult, void (*)(PGresult*)>;

Result next_result(PGconn* connection) {
  return Result(PQgetResult(connection), PQclear);
}

[[noreturn]] void connection_lost(PGconn* connection) {
  throw pqxx::broken_connection(PQerrorMessage(connection));
}

// Byte offset of the server's 1-based character position in `text` (UTF-8 when the client
// encoding is; one byte per character otherwise).
std::size_t byte_offset(PGconn* connection, const std::string& text, long characters) {
  const bool utf8 = std::string(pg_encoding_to_char(PQclientEncoding(connection))) == "UTF8";
  std::size_t at = 0;
  for (long i = 1; i < characters && at < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[at]);
    at += !utf8 || c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
  }
  return std::min(at, text.size());
}

// Sends the rows of a COPY FROM STDIN and returns its final result.
Result copy_in(PGconn* connection, const std::string* rows) {
  if (rows == nullptr) {  // the parser said it is no COPY FROM STDIN; end it with an error
    if (PQputCopyEnd(connection, "this COPY has no rows in the revision") != 1) {
      connection_lost(connection);
    }
  } else if ((!rows->empty() &&
              PQputCopyData(connection, rows->data(), static_cast<int>(rows->size())) != 1) ||
             PQputCopyEnd(connection, nullptr) != 1) {
    connection_lost(connection);
  }
  return next_result(connection);
}

// Reads and drops the rows of a COPY TO STDOUT (psql would print them).
Result copy_out(PGconn* connection) {
  char* buffer = nullptr;
  while (PQgetCopyData(connection, &buffer, 0) > 0) PQfreemem(buffer);
  return next_result(connection);
}

}  // namespace

PGconn* libpq_handle(Database& db) {
  db.connection();  // opens it, or refuses while a session's transaction is open
  return db.state()->connection->handle();
}

std::optional<Failure> send(PGconn* connection, const std::vector<Piece>& pieces) {
  std::string message;
  std::vector<std::size_t> starts;
  for (const Piece& piece : pieces) {
    starts.push_back(message.size());
    message += with_semicolon(piece.sql) + "\n";
  }
  if (PQsendQuery(connection, message.c_str()) != 1) connection_lost(connection);

  std::optional<Failure> failure;
  std::size_t done = 0;  // pieces that completed
  for (Result result = next_result(connection); result; result = next_result(connection)) {
    ExecStatusType status = PQresultStatus(result.get());
    if (status == PGRES_COPY_IN) {
      const std::string* rows = done < pieces.size() ? pieces[done].copy_data : nullptr;
      result = copy_in(connection, rows);
      status = PQresultStatus(result.get());
    } else if (status == PGRES_COPY_OUT) {
      result = copy_out(connection);
      status = PQresultStatus(result.get());
    }
    if (status != PGRES_FATAL_ERROR) {
      ++done;
      continue;
    }
    if (PQstatus(connection) == CONNECTION_BAD) connection_lost(connection);
    Failure found;
    const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
    const char* primary = PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY);
    const char* position = PQresultErrorField(result.get(), PG_DIAG_STATEMENT_POSITION);
    found.sqlstate = state == nullptr ? "" : state;
    found.message = primary == nullptr ? PQresultErrorMessage(result.get()) : primary;
    found.piece = std::min(done, pieces.size() - 1);
    if (position != nullptr) {
      const std::size_t at = byte_offset(connection, message, std::strtol(position, nullptr, 10));
      std::size_t piece = 0;
      while (piece + 1 < starts.size() && starts[piece + 1] <= at) ++piece;
      found.piece = piece;
      found.position = std::min(at - starts[piece], pieces[piece].sql.size());
    }
    if (!failure) failure = std::move(found);
  }
  if (PQstatus(connection) == CONNECTION_BAD) connection_lost(connection);
  return failure;
}

void rollback_if_in_transaction(PGconn* connection) noexcept {
  const PGTransactionStatusType status = PQtransactionStatus(connection);
  if (status == PQTRANS_INERROR || status == PQTRANS_INTRANS) {
    PQclear(PQexec(connection, "ROLLBACK"));
  }
}

std::vector<std::string> session_reset(const std::string& application_name) {
  std::vector<std::string> statements{"SET SESSION AUTHORIZATION DEFAULT",
                                      "RESET ROLE",
                                      "RESET ALL",
                                      "CLOSE ALL",
                                      "UNLISTEN *",
                                      "DISCARD TEMP",
                                      "DISCARD SEQUENCES"};
  if (!application_name.empty()) {
    statements.push_back(fmt::format("SET application_name = {}", sql_literal(application_name)));
  }
  return statements;
}

}  // namespace orm::migrate::detail
