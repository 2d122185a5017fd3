/// @file
/// SQL text of revisions: splitting it into statements the way psql does, and SQL literals.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "orm/migrate/errors.hpp"

namespace orm::migrate {

/// One SQL statement of a revision, without its closing `;`.
struct Statement {
  std::string sql;  ///< the statement's text, comments inside it included
  int line = 0;     ///< line of the file where the statement starts (1-based)
};

/// Splits SQL text at the `;` that end statements, the way psql does: semicolons inside
/// quotes ('...', E'...', "..."), dollar quotes ($$...$$, $tag$...$tag$) and comments
/// (-- and nested /* */) do not count. Empty and comment-only statements are dropped.
/// `first_line` is the file line on which `text` starts. Throws SqlSplitError for an
/// unterminated quote or comment.
///
/// @code
/// auto statements = orm::migrate::split_sql("CREATE TABLE a (x text);\nSELECT ';';");
/// // statements[1].sql == "SELECT ';'", statements[1].line == 2
/// @endcode
std::vector<Statement> split_sql(std::string_view text, int first_line = 1);

/// `text` as an SQL string literal: `it's` -> `'it''s'`.
std::string sql_literal(std::string_view text);

}  // namespace orm::migrate
