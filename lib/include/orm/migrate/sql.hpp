/// @file
/// SQL text of revisions: splitting it into statements the way psql does, and SQL literals.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orm/migrate/errors.hpp"

namespace orm::migrate {

/// One SQL statement of a revision, without its closing `;`.
struct Statement {
  std::string sql;  ///< the statement's text, comments inside it included
  int line = 0;     ///< line of the file where the statement starts (1-based)
  /// For `COPY ... FROM stdin`: the rows that follow the statement in the file, up to psql's
  /// end-of-data line (a backslash and a period, not included), each ending in a newline; sent
  /// through the COPY protocol.
  std::optional<std::string> copy_data;
};

/// Splits SQL text into statements with PostgreSQL's own parser (libpg_query, the PostgreSQL 15
/// grammar), so a `;` ends a statement exactly where the server would end it: not inside quotes
/// ('...', E'...', "..."), dollar quotes, comments (-- and nested /* */), `BEGIN ATOMIC ... END`
/// bodies or `CREATE RULE ... DO ALSO (...; ...)`. Empty and comment-only statements are dropped,
/// and so are comments after a statement's last token.
///
/// What psql handles itself is handled here too: `COPY ... FROM stdin;` takes the rows up to
/// the end-of-data line, a backslash and a period (Statement::copy_data); the backslash commands
/// pg_dump writes that change nothing (restrict and unrestrict) are skipped; any other backslash
/// command is refused.
/// SQL this grammar does not take (a syntax error, or SQL newer than PostgreSQL 15) is kept as
/// one statement, up to the next backslash command, for the server to judge and locate.
///
/// `first_line` is the file line on which `text` starts. Throws SqlSplitError (with the line)
/// for an unterminated quote or comment, bytes that are not UTF-8 or NUL, COPY rows without
/// their end-of-data line, and refused backslash commands.
///
/// @code
/// auto statements = orm::migrate::split_sql("CREATE TABLE a (x text);\nSELECT ';';");
/// // statements[1].sql == "SELECT ';'", statements[1].line == 2
/// @endcode
std::vector<Statement> split_sql(std::string_view text, int first_line = 1);

/// `text` as an SQL string literal: `it's` -> `'it''s'` (for standard_conforming_strings on, the
/// default since PostgreSQL 9.1).
std::string sql_literal(std::string_view text);

/// `sql` followed by `;`, on a line of its own when the last line has a `--` (which would
/// otherwise swallow it).
std::string with_semicolon(const std::string& sql);

}  // namespace orm::migrate
