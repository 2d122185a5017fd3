// Autogenerate, step 3: the SQL text of a revision's sections (Alembic's autogenerate/render.py).
#include "render.hpp"

#include <fmt/format.h>

#include "orm/migrate/autogenerate.hpp"
#include "orm/migrate/sql.hpp"
#include "orm/schema.hpp"

namespace orm::migrate {

std::string render::name(std::string_view name) {
  return quote_identifier(name);
}

std::string render::alter_table(std::string_view table) {
  return fmt::format("ALTER TABLE {} ", name(table));
}

std::string render::alter_column(std::string_view table, std::string_view column) {
  return fmt::format("{}ALTER COLUMN {} ", alter_table(table), name(column));
}

std::string render::name_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& each : names) out += (out.empty() ? "" : ", ") + name(each);
  return out;
}

std::string render::constraint_name(std::string_view table, std::string_view column,
                                    std::string_view suffix) {
  std::string out = column.empty() ? fmt::format("{}_{}", table, suffix)
                                   : fmt::format("{}_{}_{}", table, column, suffix);
  if (out.size() > 63) out.resize(63);
  return out;
}

std::string render::restart_identity(std::string_view table, std::string_view column) {
  return fmt::format(
      "SELECT setval(pg_get_serial_sequence({}, {}), coalesce(max({}), 0) + 1, false) FROM {}",
      sql_literal(name(table)), sql_literal(column), name(column), name(table));
}

void render::change(std::string& out, const std::vector<std::string>& comments,
                    const std::vector<std::string>& statements) {
  if (statements.empty()) return;
  if (!out.empty()) out += "\n";
  for (const auto& comment : comments) out += fmt::format("-- {}\n", comment);
  for (const auto& statement : statements) out += fmt::format("{};\n", statement);
}

std::vector<std::string> ReflectedTable::create_statements() const {
  TableInfo table;
  table.name = name;
  const bool single_key = primary_key_columns.size() == 1;
  for (const auto& column : columns) {
    table.columns.push_back(column.info);
    table.columns.back().primary_key = single_key && column.info.primary_key;
  }
  table.foreign_keys = foreign_keys;
  table.unique_constraints = unique_constraints;
  table.checks = checks;
  std::vector<std::string> statements{create_table_sql(table)};
  if (primary_key_columns.size() > 1) {
    statements.push_back(
        fmt::format("{}ADD CONSTRAINT {} PRIMARY KEY ({})", render::alter_table(name),
                    render::name(primary_key_constraint), render::name_list(primary_key_columns)));
  }
  for (const auto& index : indexes) statements.push_back(create_index_sql(name, index));
  return statements;
}

std::string SchemaDiff::upgrade_sql() const {
  std::string out;
  for (const auto& each : changes) render::change(out, each.comments, each.upgrade);
  return out;
}

std::string SchemaDiff::downgrade_sql() const {
  std::string out;
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
    render::change(out, it->downgrade_comments, it->downgrade);
  }
  return out;
}

std::string SchemaDiff::destructive() const {
  std::string out;
  for (const auto& each : changes) {
    if (!each.destructive.empty()) out += (out.empty() ? "" : "; ") + each.destructive;
  }
  return out;
}

}  // namespace orm::migrate
