// Internal: the SQL text autogenerate writes (Alembic's autogenerate/render.py).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace orm::migrate::render {

/// `name` quoted only when it needs quotes (books, "Books").
std::string name(std::string_view name);
/// `ALTER TABLE <table> ` (with the trailing space).
std::string alter_table(std::string_view table);
/// `ALTER TABLE <table> ALTER COLUMN <column> ` (with the trailing space).
std::string alter_column(std::string_view table, std::string_view column);
/// `a, b, c`: the names quoted where needed and joined.
std::string name_list(const std::vector<std::string>& names);
/// PostgreSQL's default name for a table's constraint (`books_isbn_key`, `books_pkey`), cut to
/// the 63-byte identifier limit.
std::string constraint_name(std::string_view table, std::string_view column,
                            std::string_view suffix);
/// Moves the sequence behind `table.column` past the largest value in the column.
std::string restart_identity(std::string_view table, std::string_view column);
/// Appends one change to a section: a blank line between changes, `-- ` comment lines, then the
/// statements each ended by `;`.
void change(std::string& out, const std::vector<std::string>& comments,
            const std::vector<std::string>& statements);

}  // namespace orm::migrate::render
